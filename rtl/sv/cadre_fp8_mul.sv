// The exact product of two FP8 values (E4M3 or E5M2 each), placed in the
// block sum's fixed-point format: exact_product in the numerics library, and
// the shift BlockSum::add applies. Every FP8 value is sig * 2^exp with a
// 4-bit (E4M3) or 3-bit (E5M2) integer significand, so the product is an
// integer of at most 8 bits times 2^(exp_a + exp_b), exp_a + exp_b >= -32.
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_fp8_mul (
    input  logic       a_e5m2,  // 1: a is E5M2, 0: E4M3
    input  logic [7:0] a,
    input  logic       b_e5m2,
    input  logic [7:0] b,
    output logic       nan,     // NaN, or an infinity times a zero
    output logic       inf,     // an infinity otherwise (sign: neg)
    output logic       neg,
    output logic [cadre_matrix_pkg::FIXED_W-1:0] fixed  // the finite product, two's complement
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  localparam int FW = cadre_matrix_pkg::FIXED_W;

  logic a_nan, a_inf, b_nan, b_inf;
  logic [3:0] a_sig, b_sig;
  logic [4:0] a_shift, b_shift;  // exp + 16: 0..29
  logic [7:0] sig;
  logic [FW-1:0] mag;

  cadre_fp8_decode decode_a (.e5m2(a_e5m2), .value(a[6:0]), .nan(a_nan), .inf(a_inf), .sig(a_sig), .shift(a_shift));
  cadre_fp8_decode decode_b (.e5m2(b_e5m2), .value(b[6:0]), .nan(b_nan), .inf(b_inf), .sig(b_sig), .shift(b_shift));

  assign neg = a[7] ^ b[7];
  assign nan = a_nan || b_nan || (a_inf && b_sig == 0 && !b_inf) || (b_inf && a_sig == 0 && !a_inf);
  assign inf = !nan && (a_inf || b_inf);
  assign sig = 8'(a_sig * b_sig);
  // (exp_a + 16) + (exp_b + 16) = exp_a + exp_b + 32, the place of the
  // product's LSB above 2^-32.
  assign mag = {{FW - 8{1'b0}}, sig} << ({1'b0, a_shift} + {1'b0, b_shift});
  assign fixed = nan || inf ? '0 : neg ? -mag : mag;
endmodule
