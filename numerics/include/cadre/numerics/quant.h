// 1x128 group quantisation FP32 -> FP8 as DeepSeek-V3's act_quant, and SiLU-and-mul
// fused with it (docs/numerics.md, "Quantisation").
#pragma once

#include <cstddef>
#include <cstdint>

#include "cadre/numerics/convert.h"
#include "cadre/numerics/exact.h"
#include "cadre/numerics/format.h"
#include "cadre/numerics/hd.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::num {

// amax is raised to this floor so an all-zero group gets a non-zero scale.
inline constexpr float kAmaxFloor = 1e-4f;

CADRE_HD inline float fp8_max(Format f) { return f == Format::E4M3 ? 448.0f : 57344.0f; }

// Quantises x[0..n) (n <= 128) to `f`: amax = max |x[i]| (NaNs ignored), raised to
// kAmaxFloor; scale = amax / fp8_max; q[i] = fp8(x[i] / scale), both divisions
// correctly rounded. Returns scale, which dequantises: x ~ q * scale.
CADRE_HD inline float quantize_group(Format f, const float* x, size_t n, uint8_t* q) {
  float amax = kAmaxFloor;
  for (size_t i = 0; i < n; ++i) {
    const float a = bits_float(float_bits(x[i]) & 0x7FFFFFFFu);
    if (a > amax) amax = a;
  }
  const float scale = div_rn(amax, fp8_max(f));
  for (size_t i = 0; i < n; ++i) q[i] = float_to_fp8(f, div_rn(x[i], scale));
  return scale;
}

// A row of n values in groups of kBlockK (the last may be shorter): scales[g] for
// group g, as the activation operand of gemm_fp8 expects.
CADRE_HD inline void quantize_row_1x128(Format f, const float* x, size_t n, uint8_t* q, float* scales) {
  for (size_t g = 0, i = 0; i < n; ++g, i += kBlockK)
    scales[g] = quantize_group(f, x + i, n - i < kBlockK ? n - i : kBlockK, q + i);
}

// h[i] = silu(gate[i]) * up[i] in FP32 (never rounded to BF16), quantised as
// quantize_row_1x128 does.
CADRE_HD inline void silu_mul_quantize_row(Format f, const float* gate, const float* up, size_t n, uint8_t* q,
                                           float* scales) {
  float h[kBlockK];
  for (size_t g = 0, i = 0; i < n; ++g, i += kBlockK) {
    const size_t len = n - i < kBlockK ? n - i : kBlockK;
    for (size_t j = 0; j < len; ++j) h[j] = mul_rn(silu_f32(gate[i + j]), up[i + j]);
    scales[g] = quantize_group(f, h, len, q + i);
  }
}

}  // namespace cadre::num
