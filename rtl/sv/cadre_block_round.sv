// A block sum to FP32, as BlockSum::result in the numerics library: NaN if
// a product was NaN or infinities of both signs met, else the infinity, else
// the exact fixed-point sum rounded once, nearest even (an exact zero is +0).
// The sum stays inside FP32's normal range, so this rounding never
// overflows and never makes a subnormal.
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_block_round (
    input  logic [cadre_matrix_pkg::LANE_W-1:0] lane,  // {nan, pos_inf, neg_inf, fixed}
    output logic [31:0] result
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  localparam int FW = cadre_matrix_pkg::FIXED_W;

  logic nan, pos_inf, neg_inf;
  logic [FW-1:0] fixed, mag;
  logic [31:0] rounded;

  assign {nan, pos_inf, neg_inf, fixed} = lane;
  assign mag = fixed[FW-1] ? -fixed : fixed;

  cadre_round_fp32 #(.W(FW)) round (
      .neg(fixed[FW-1]), .mag(mag), .lsb_exp(cadre_matrix_pkg::FIXED_LSB_EXP), .result(rounded));

  always_comb begin
    if (nan || (pos_inf && neg_inf)) result = 32'h7FFFFFFF;
    else if (pos_inf) result = 32'h7F800000;
    else if (neg_inf) result = 32'hFF800000;
    else result = rounded;
  end
endmodule
