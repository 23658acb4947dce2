// The matrix engine's arithmetic units side by side, for the unit tests
// (tests/rtl/test_rtl_units.cpp) to drive against the numerics library:
// the FP8 product in the block sum's fixed point, the BF16 and FP32
// multipliers, the FP32 adder, the block-sum rounding, the scale step, and a
// processing element whose partial sums loop back, so that a sequence of
// products is one column's block sum (FP8) or its sequential FP32 sum (BF16).
module cadre_numerics_units (
    input  logic clk,
    // FP8 x FP8
    input  logic        fp8_a_e5m2,
    input  logic [7:0]  fp8_a,
    input  logic        fp8_b_e5m2,
    input  logic [7:0]  fp8_b,
    output logic        fp8_nan,
    output logic        fp8_inf,
    output logic        fp8_neg,
    output logic [cadre_matrix_pkg::FIXED_W-1:0] fp8_fixed,
    // BF16 x BF16 and FP32 x FP32 to FP32
    input  logic [15:0] bf16_a,
    input  logic [15:0] bf16_b,
    output logic [31:0] bf16_product,
    input  logic [31:0] mul_a,
    input  logic [31:0] mul_b,
    output logic [31:0] mul_product,
    // FP32 + FP32
    input  logic [31:0] add_a,
    input  logic [31:0] add_b,
    output logic [31:0] add_sum,
    // A block sum's lane to FP32
    input  logic [cadre_matrix_pkg::LANE_W-1:0] round_lane,
    output logic [31:0] round_result,
    // acc + block * (sa * sb)
    input  logic [31:0] step_acc,
    input  logic [31:0] step_block,
    input  logic [31:0] step_sa,
    input  logic [31:0] step_sb,
    output logic [31:0] step_result,
    // One cell: pe_load sets its partial sum (pe_start) and weight (fp8_b or
    // bf16_b); each pe_step adds the product with fp8_a or bf16_a.
    input  logic        pe_bf16,
    input  logic        pe_load,
    input  logic [cadre_matrix_pkg::LANE_W-1:0] pe_start,
    input  logic        pe_step,
    output logic [cadre_matrix_pkg::LANE_W-1:0] pe_sum,
    output logic [31:0] pe_rounded
);
  localparam int LW = cadre_matrix_pkg::LANE_W;

  cadre_fp8_mul fp8 (.a_e5m2(fp8_a_e5m2), .a(fp8_a), .b_e5m2(fp8_b_e5m2), .b(fp8_b),
                     .nan(fp8_nan), .inf(fp8_inf), .neg(fp8_neg), .fixed(fp8_fixed));
  cadre_fp_mul #(.MAN(7)) bf16_mul (.a(bf16_a), .b(bf16_b), .result(bf16_product));
  cadre_fp_mul #(.MAN(23)) fp32_mul (.a(mul_a), .b(mul_b), .result(mul_product));
  cadre_fp32_add add (.a(add_a), .b(add_b), .result(add_sum));
  cadre_block_round round (.lane(round_lane), .result(round_result));
  cadre_scale_step step (.acc(step_acc), .block(step_block), .sa(step_sa), .sb(step_sb), .result(step_result));

  logic [LW-1:0] psum_out;
  logic [15:0] unused_a_out;
  logic unused_sel_out;
  cadre_pe #(.LANES(1), .WEIGHT_BUFFERS(1)) pe (
      .clk(clk), .bf16(pe_bf16), .a_e5m2(fp8_a_e5m2), .b_e5m2(fp8_b_e5m2),
      .a_in(pe_bf16 ? bf16_a : {8'b0, fp8_a}), .sel_in(1'b0), .a_out(unused_a_out), .sel_out(unused_sel_out),
      .psum_in(pe_sum), .psum_out(psum_out),
      .w_we(pe_load), .w_sel(1'b0), .w_data({2'b10, pe_bf16 ? bf16_b : {8'b0, fp8_b}}));
  always_ff @(posedge clk) begin
    if (pe_load) pe_sum <= pe_start;
    else if (pe_step) pe_sum <= psum_out;
  end
  cadre_block_round pe_round (.lane(pe_sum), .result(pe_rounded));
endmodule
