// Cadre's own FP32 exp, sigmoid and SiLU: a fixed sequence of correctly rounded
// FP32 operations (hd.h), so every path gets the same bits and none calls a libm
// (docs/numerics.md, "Transcendentals", for the algorithm and measured error).
#pragma once

#include <cstdint>

#include "cadre/numerics/hd.h"

namespace cadre::num {

namespace detail {

// 2^k for k in [-126, 127], from bits.
CADRE_HD inline float pow2(int k) { return bits_float(static_cast<uint32_t>(k + 127) << 23); }

// e^x = er * 2^k with er in [0.7, 1.42], for x in [-112, 88.8]: x = n ln2 + r with
// n = round(x / ln2) and |r| <= ln2 / 2 (Cody-Waite: ln2 split into 0.693359375,
// exact in 9 bits so n * C1 is exact, and a small correction); e^r from Cephes'
// expf polynomial.
CADRE_HD inline float exp_reduced(float x, int& k) {
  // Adding and subtracting 1.5 * 2^23 rounds t to an integer, nearest even (|t| < 2^22).
  const float t = mul_rn(x, 1.44269502162933349609f);  // log2(e)
  const float n = sub_rn(add_rn(t, 12582912.0f), 12582912.0f);
  float r = sub_rn(x, mul_rn(n, 0.693359375f));
  r = sub_rn(r, mul_rn(n, -2.12194440e-4f));
  float p = 1.9875691500e-4f;
  p = add_rn(mul_rn(p, r), 1.3981999507e-3f);
  p = add_rn(mul_rn(p, r), 8.3334519073e-3f);
  p = add_rn(mul_rn(p, r), 4.1665795894e-2f);
  p = add_rn(mul_rn(p, r), 1.6666665459e-1f);
  p = add_rn(mul_rn(p, r), 5.0000001201e-1f);
  k = static_cast<int>(n);
  return add_rn(add_rn(mul_rn(mul_rn(p, r), r), r), 1.0f);  // e^r = 1 + r + r^2 p(r)
}

// v * 2^k for k in [-162, 128] and |v| < 2^8, rounded once: the first factor 2^k1 keeps
// the product normal (exact), only the second can round (into subnormals or infinity).
CADRE_HD inline float scale_pow2(float v, int k) {
  const int k1 = k / 2;  // both halves in [-81, 64]: 2^k1 and 2^(k-k1) are normal
  return mul_rn(mul_rn(v, pow2(k1)), pow2(k - k1));
}

}  // namespace detail

// exp(x) = er * 2^k (detail::exp_reduced), scaled by 2^k with one rounding.
CADRE_HD inline float exp_f32(float x) {
  if (is_nan(x)) return bits_float(kCanonicalNanBits);
  if (x > 88.72283935546875f) return bits_float(0x7F800000u);  // e^x > FLT_MAX beyond this float
  if (x < -103.972084045410156f) return 0.0f;                    // e^x < 2^-150 below it: rounds to 0
  int k = 0;
  const float er = detail::exp_reduced(x, k);
  return detail::scale_pow2(er, k);
}

// sigmoid(x) = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, so the
// exponential never overflows and tiny results keep their precision.
CADRE_HD inline float sigmoid_f32(float x) {
  if (is_nan(x)) return bits_float(kCanonicalNanBits);
  if (x >= 0.0f) return div_rn(1.0f, add_rn(1.0f, exp_f32(-x)));
  const float e = exp_f32(x);
  return div_rn(e, add_rn(1.0f, e));
}

// silu(x) = x * sigmoid(x), computed as x / (1 + e^-x) for x >= 0 and
// (x * e^x) / (1 + e^x) for x < 0. Below -87, e^x is subnormal and 1 + e^x is 1, so
// the result is x * er * 2^k with a single rounding; below -110 it rounds to -0.
CADRE_HD inline float silu_f32(float x) {
  if (is_nan(x)) return bits_float(kCanonicalNanBits);
  if (x >= 0.0f) return div_rn(x, add_rn(1.0f, exp_f32(-x)));
  if (x < -110.0f) return -0.0f;
  if (x < -87.0f) {
    int k = 0;
    const float er = detail::exp_reduced(x, k);
    return detail::scale_pow2(mul_rn(x, er), k);
  }
  const float e = exp_f32(x);
  return div_rn(mul_rn(x, e), add_rn(1.0f, e));
}

}  // namespace cadre::num
