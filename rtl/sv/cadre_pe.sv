// A processing element of the weight-stationary array: it holds one weight
// per weight register, multiplies the activation passing through it (left
// to right, one cell a cycle) by the selected weight, and adds the product
// into the partial sums passing down its column.
//
// FP8: the column carries LANES fixed-point lanes. Lane 0 is the K block the
// column is summing; the others hold earlier blocks that ended inside this
// fold. A cell whose weight starts a K block (its k is a multiple of 128)
// moves the lanes down by one and starts lane 0 with its product; any other
// cell adds its product into lane 0 exactly. BF16: lane 0's low 32 bits are
// the FP32 running sum, and the cell does sum + a * w (the product exact in
// FP32 unless it leaves the normal range, the sum rounded).
//
// A cell whose weight is not valid (k beyond K in a partial fold) passes the
// sums unchanged. The partial sums leave combinationally: the array puts a
// register between rows, and the column's accumulator stage takes the
// bottom row's sums in the same cycle.
//
// For Verilator the inputs are public, so that it keeps them as the cell's own
// variables rather than aliasing them to the neighbours' signals they
// connect to, and the arithmetic modules inline into the cell; the cell's
// code then refers only to itself, and every cell of the array shares one
// compiled body (with -fno-table, rtl/CMakeLists.txt) instead of a copy per
// cell, so the verilated code does not grow with R x C. The waveform shows
// the cell's ports in the array (cadre_matrix_engine), not its inside.
/* verilator tracing_off */
module cadre_pe #(
    parameter int LANES = 1,
    parameter int WEIGHT_BUFFERS = 1
) (
    input  logic clk,
    // The command's formats, constant while it runs.
    input  logic bf16 /*verilator public*/,
    input  logic a_e5m2 /*verilator public*/,
    input  logic b_e5m2 /*verilator public*/,
    // The activation and the weight register it uses, from the left.
    input  logic [15:0] a_in /*verilator public*/,
    input  logic        sel_in /*verilator public*/,
    output logic [15:0] a_out,
    output logic        sel_out,
    // Partial sums from above, and after this cell.
    input  logic [LANES*cadre_matrix_pkg::LANE_W-1:0] psum_in /*verilator public*/,
    output logic [LANES*cadre_matrix_pkg::LANE_W-1:0] psum_out,
    // A weight write into register w_sel.
    input  logic        w_we /*verilator public*/,
    input  logic        w_sel /*verilator public*/,
    input  logic [17:0] w_data /*verilator public*/  // {valid, starts a block, the weight}
);
  localparam int LW = cadre_matrix_pkg::LANE_W;
  localparam int FW = cadre_matrix_pkg::FIXED_W;

  logic [17:0] weight;
  logic valid, block_start;
  logic [15:0] w;

  if (WEIGHT_BUFFERS == 1) begin : one_buffer
    logic [17:0] w_reg;
    logic unused_sel;
    assign unused_sel = sel_in ^ w_sel;
    always_ff @(posedge clk) if (w_we) w_reg <= w_data;
    assign weight = w_reg;
  end else begin : two_buffers
    logic [17:0] w_reg0, w_reg1;
    always_ff @(posedge clk) begin
      if (w_we && !w_sel) w_reg0 <= w_data;
      if (w_we && w_sel) w_reg1 <= w_data;
    end
    assign weight = sel_in ? w_reg1 : w_reg0;
  end
  assign {valid, block_start, w} = weight;

  always_ff @(posedge clk) begin
    a_out <= a_in;
    sel_out <= sel_in;
  end

  // FP8 product in the block sum's fixed point.
  logic p_nan, p_inf, p_neg;
  logic [FW-1:0] p_fixed;
  cadre_fp8_mul fp8 (.a_e5m2(a_e5m2), .a(a_in[7:0]), .b_e5m2(b_e5m2), .b(w[7:0]),
                     .nan(p_nan), .inf(p_inf), .neg(p_neg), .fixed(p_fixed));
  logic [LW-1:0] product_lane, lane0, lane0_sum;
  assign product_lane = {p_nan, p_inf && !p_neg, p_inf && p_neg, p_fixed};
  assign lane0 = psum_in[LW-1:0];
  assign lane0_sum = {lane0[LW-1:FW] | product_lane[LW-1:FW], lane0[FW-1:0] + p_fixed};

  // BF16: sum + a * w in FP32.
  logic [31:0] bf16_product, bf16_sum;
  cadre_fp_mul #(.MAN(7)) bf16_mul (.a(a_in), .b(w), .result(bf16_product));
  cadre_fp32_add bf16_add (.a(lane0[31:0]), .b(bf16_product), .result(bf16_sum));

  logic [LANES*LW-1:0] fp8_out;
  if (LANES == 1) begin : single_lane
    assign fp8_out = block_start ? product_lane : lane0_sum;
  end else begin : lanes
    assign fp8_out = block_start ? {psum_in[(LANES-1)*LW-1:0], product_lane}
                                 : {psum_in[LANES*LW-1:LW], lane0_sum};
  end

  always_comb begin
    if (!valid) psum_out = psum_in;
    else if (bf16) psum_out = {psum_in[LANES*LW-1:32], bf16_sum};
    else psum_out = fp8_out;
  end
endmodule
