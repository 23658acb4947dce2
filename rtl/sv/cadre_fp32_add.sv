// FP32 sum a + b rounded once, nearest even, as add_rn in the numerics
// library: IEEE specials (NaN if an operand is NaN or infinities of both
// signs meet, then infinity), subnormals, overflow to infinity; an exact zero
// sum is +0 unless both operands are -0. A NaN result is Cadre's canonical
// NaN, 0x7FFFFFFF.
//
// x is the operand of larger magnitude, y the other. y is aligned to x with
// three guard bits, and the bits shifted out are ORed into its lowest bit.
// That rounds correctly: bits are lost only when the exponents differ by 3 or
// more, and then the sum has at least 26 significant bits, so its rounding
// point lies above the guard bits and the true sum and the computed one fall
// between the same two halfway points.
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_fp32_add (
    input  logic [31:0] a,
    input  logic [31:0] b,
    output logic [31:0] result
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  logic a_nan, b_nan, a_inf, b_inf, swap;
  logic [31:0] x, y;
  logic [23:0] x_sig, y_sig;
  logic [7:0] x_exp, y_exp, diff;
  logic [26:0] x_ext, y_ext, lost_mask;
  logic [27:0] sum;
  int lsb_exp;
  logic [31:0] rounded;

  assign a_nan = a[30:23] == 8'hFF && a[22:0] != '0;
  assign b_nan = b[30:23] == 8'hFF && b[22:0] != '0;
  assign a_inf = a[30:0] == 31'h7F800000;
  assign b_inf = b[30:0] == 31'h7F800000;

  always_comb begin
    swap = b[30:0] > a[30:0];
    x = swap ? b : a;
    y = swap ? a : b;
    // A subnormal has no implicit bit and the exponent of the smallest normal.
    x_exp = x[30:23] == 0 ? 8'd1 : x[30:23];
    y_exp = y[30:23] == 0 ? 8'd1 : y[30:23];
    x_sig = {x[30:23] != 0, x[22:0]};
    y_sig = {y[30:23] != 0, y[22:0]};
    diff = x_exp - y_exp;
    x_ext = {x_sig, 3'b0};
    lost_mask = (27'd1 << diff) - 1;
    if (diff > 8'd26) begin
      y_ext = {26'b0, y_sig != 0};
    end else begin
      y_ext = ({y_sig, 3'b0} >> diff) | {26'b0, ({y_sig, 3'b0} & lost_mask) != 0};
    end
    sum = x[31] == y[31] ? {1'b0, x_ext} + {1'b0, y_ext} : {1'b0, x_ext} - {1'b0, y_ext};
    lsb_exp = $signed({24'b0, x_exp}) - 127 - 26;
  end

  cadre_round_fp32 #(.W(28)) round (.neg(x[31]), .mag(sum), .lsb_exp(lsb_exp), .result(rounded));

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_inf && a[31] != b[31])) result = 32'h7FFFFFFF;
    else if (a_inf) result = a;
    else if (b_inf) result = b;
    else if (sum == '0) result = {a[31] & b[31], 31'b0};
    else result = rounded;
  end
endmodule
