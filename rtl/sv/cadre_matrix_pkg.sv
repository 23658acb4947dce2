// Widths the matrix engine's modules share (docs/rtl.md).
package cadre_matrix_pkg;
  // The exact FP8 block sum: a signed fixed-point integer whose LSB weighs
  // 2^-32 (the smallest product, E5M2 subnormal squared). The largest block
  // sum, 128 x 57344^2 < 2^38.62, needs 71 bits of magnitude above it: 72
  // bits with the sign (docs/numerics.md, "Exact block sum").
  localparam int FIXED_W = 72;
  localparam int FIXED_LSB_EXP = -32;
  // A lane of a column's partial sums: the fixed-point sum and the NaN, +inf
  // and -inf flags of its products, {nan, pos_inf, neg_inf, fixed}.
  localparam int LANE_W = FIXED_W + 3;
endpackage
