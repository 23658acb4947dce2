// The accumulator stage below one column. It takes the bottom cell's partial
// sums for one row of A in the cycle they leave the array, with the row's
// stored state (its FP32 accumulator value and, for FP8, the partial sum of
// a K block that an earlier fold began), and returns the new state.
//
// FP8: lanes nb..1 hold blocks that ended inside this fold, oldest first,
// and lane 0 the block this fold ended in. When the fold continues a block
// (`merge`), the stored partial sum is added exactly into the oldest lane.
// Every finished block is rounded to FP32 and goes through the scale step
// into the accumulator, in increasing K order; lane 0's block is finished
// when `last_done`, and otherwise is stored for the next fold.
// BF16: the sum the column computed (from the accumulator's value, entered
// at the top) is the new accumulator value.
//
// The inputs are public for the same reason as cadre_pe's: one compiled body
// for all the columns' stages.
module cadre_acc_stage #(
    parameter int LANES = 1
) (
    input  logic bf16 /*verilator public*/,
    input  logic [LANES*cadre_matrix_pkg::LANE_W-1:0] lanes /*verilator public*/,
    input  logic [$clog2(LANES+1)-1:0] nb /*verilator public*/,  // blocks that ended inside this fold, before lane 0's
    input  logic merge /*verilator public*/,
    input  logic last_done /*verilator public*/,
    // FP32 scales of the fold's blocks, in K order: index o is lane nb - o.
    input  logic [LANES*32-1:0] sa /*verilator public*/,
    input  logic [LANES*32-1:0] sb /*verilator public*/,
    input  logic [31:0] acc_in /*verilator public*/,
    input  logic [cadre_matrix_pkg::LANE_W-1:0] carry_in /*verilator public*/,
    output logic [31:0] acc_out,
    output logic [cadre_matrix_pkg::LANE_W-1:0] carry_out
);
  localparam int LW = cadre_matrix_pkg::LANE_W;
  localparam int FW = cadre_matrix_pkg::FIXED_W;

  // The lanes in K order: block o is lane nb - o, the fold's o-th block.
  logic [LANES*LW-1:0] ordered, block_lanes;
  logic [LANES*32-1:0] blocks, stepped;
  logic [(LANES+1)*32-1:0] acc_chain /* verilator split_var */;

  always_comb begin
    ordered = '0;
    for (int o = 0; o < LANES; o++)
      for (int j = 0; j < LANES; j++)
        if (j + o == 32'(nb)) ordered[o*LW +: LW] = lanes[j*LW +: LW];
  end

  // The first block of the fold continues the stored partial sum.
  assign block_lanes[LW-1:0] = merge ? {ordered[LW-1:FW] | carry_in[LW-1:FW], ordered[FW-1:0] + carry_in[FW-1:0]}
                                     : ordered[LW-1:0];
  if (LANES > 1) begin : later_blocks
    assign block_lanes[LANES*LW-1:LW] = ordered[LANES*LW-1:LW];
  end

  assign acc_chain[31:0] = acc_in;
  for (genvar o = 0; o < LANES; o++) begin : steps
    cadre_block_round round (.lane(block_lanes[o*LW +: LW]), .result(blocks[o*32 +: 32]));
    cadre_scale_step step (.acc(acc_chain[o*32 +: 32]), .block(blocks[o*32 +: 32]), .sa(sa[o*32 +: 32]),
                           .sb(sb[o*32 +: 32]), .result(stepped[o*32 +: 32]));
    // Blocks before lane 0's are finished, and lane 0's (o = nb) when last_done.
    assign acc_chain[(o+1)*32 +: 32] = o < 32'(nb) || (o == 32'(nb) && last_done) ? stepped[o*32 +: 32]
                                                                                    : acc_chain[o*32 +: 32];
  end

  always_comb begin
    carry_out = '0;
    for (int o = 0; o < LANES; o++)
      if (o == 32'(nb) && !last_done) carry_out = block_lanes[o*LW +: LW];
    acc_out = bf16 ? lanes[31:0] : acc_chain[LANES*32 +: 32];
  end
endmodule
