// Rounds (-1)^neg * mag * 2^lsb_exp to FP32, nearest even, with FP32
// subnormals and overflow to infinity: the hardware form of the numerics
// library's round_to_float (numerics/include/cadre/numerics/exact.h), step
// for step. The multipliers, the adder and the block-sum rounding share it.
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_round_fp32 #(
    parameter int W = 72  // bits of the magnitude
) (
    input  logic        neg,
    input  logic [W-1:0] mag,
    input  int          lsb_exp,  // weight of mag's bit 0
    output logic [31:0] result
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  // Wide enough for the magnitude and for a 24-bit result with its carry.
  localparam int QW = W + 1 > 25 ? W + 1 : 25;

  int top, lead_exp, res_lsb, shift, right, biased;
  logic [QW-1:0] wide, q_wide, rem, half;
  logic [24:0] q;
  logic [30:0] bits;  // the encoding without its sign

  always_comb begin
    top = 0;
    for (int i = 0; i < W; i++) if (mag[i]) top = i;
    lead_exp = top + lsb_exp;  // weight of the leading one bit
    // The result's LSB: 24 significant bits, never below FP32's 2^-149.
    res_lsb = lead_exp - 23 > -149 ? lead_exp - 23 : -149;
    shift = res_lsb - lsb_exp;
    wide = {{QW - W{1'b0}}, mag};
    rem = '0;
    half = '0;
    right = 0;
    if (shift <= 0) begin
      // Exact: fewer than 24 significant bits, moved up at most 23 places.
      q_wide = wide << (-shift);
    end else begin
      right = shift > W + 1 ? W + 1 : shift;  // beyond W every bit is below half
      q_wide = wide >> right;
      rem = wide & ((QW'(1) << right) - 1);
      half = QW'(1) << (right - 1);
      if (rem > half || (rem == half && q_wide[0])) q_wide = q_wide + 1;
    end
    q = q_wide[24:0];
    // q <= 2^24. Adding the biased exponent above the implicit bit gives the
    // encoding, and a rounding carry to 2^24 moves into the exponent.
    biased = res_lsb + 23 + 127;
    bits = {6'b0, q};
    if (q[24] || q[23]) begin
      if (biased + (q[24] ? 1 : 0) >= 255) bits = 31'h7F800000;
      else bits = {8'(biased - 1), 23'b0} + {6'b0, q};
    end
    result = mag == '0 ? {neg, 31'b0} : {neg, bits};
  end
endmodule
