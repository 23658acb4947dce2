// FP32 product of two operands with MAN mantissa bits (23: FP32, 7: BF16),
// rounded to FP32 once, nearest even, as mul_rn in the numerics library:
// IEEE specials (NaN if a factor is NaN or an infinity meets a zero, then
// infinity), subnormal operands and results, overflow to infinity, signed
// zeros. A NaN result is Cadre's canonical NaN, 0x7FFFFFFF. A BF16 product
// (MAN = 7) has at most 16 significant bits: it rounds only when it leaves
// FP32's normal range.
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_fp_mul #(
    parameter int MAN = 23
) (
    input  logic [MAN+8:0] a,
    input  logic [MAN+8:0] b,
    output logic [31:0]    result
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  localparam int SIG = MAN + 1;

  logic a_neg, b_neg;
  logic [7:0] a_exp, b_exp;
  logic [MAN-1:0] a_man, b_man;
  logic a_nan, b_nan, a_inf, b_inf, a_zero, b_zero;
  logic [2*SIG-1:0] product;
  int lsb_exp;
  logic [31:0] rounded;

  assign {a_neg, a_exp, a_man} = a;
  assign {b_neg, b_exp, b_man} = b;
  assign a_nan = a_exp == 8'hFF && a_man != '0;
  assign b_nan = b_exp == 8'hFF && b_man != '0;
  assign a_inf = a_exp == 8'hFF && a_man == '0;
  assign b_inf = b_exp == 8'hFF && b_man == '0;
  assign a_zero = a_exp == 8'h00 && a_man == '0;
  assign b_zero = b_exp == 8'h00 && b_man == '0;

  // Integer significands (the implicit bit, or none for a subnormal) and the
  // weight of the product's LSB.
  assign product = {{SIG{1'b0}}, a_exp != 0, a_man} * {{SIG{1'b0}}, b_exp != 0, b_man};
  assign lsb_exp = $signed({24'b0, a_exp == 0 ? 8'd1 : a_exp}) + $signed({24'b0, b_exp == 0 ? 8'd1 : b_exp}) - 254 - 2 * MAN;

  cadre_round_fp32 #(.W(2 * SIG)) round (.neg(a_neg ^ b_neg), .mag(product), .lsb_exp(lsb_exp), .result(rounded));

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) result = 32'h7FFFFFFF;
    else if (a_inf || b_inf) result = {a_neg ^ b_neg, 31'h7F800000};
    else result = rounded;
  end
endmodule
