// FP32 <-> FP8 (E4M3FN, E5M2) and FP32 <-> BF16 conversions, bit for bit as the
// CUDA toolkit's __nv_cvt_float_to_fp8(x, __NV_SATFINITE, ...) and
// __float2bfloat16_rn (docs/numerics.md, "Conversions").
#pragma once

#include <cstdint>

#include "cadre/numerics/format.h"
#include "cadre/numerics/hd.h"

namespace cadre::num {

inline constexpr uint8_t kE4M3MaxBits = 0x7E;  // 448
inline constexpr uint8_t kE5M2MaxBits = 0x7B;  // 57344
inline constexpr uint8_t kFp8NanBits = 0x7F;   // the NaN both FP8 formats produce
inline constexpr uint16_t kBf16NanBits = 0x7FFF;

namespace detail {

// FP32 -> FP8 with `mbits` mantissa bits and exponent bias `bias`: round to nearest
// even as if the exponent were unbounded, then saturate anything above the largest
// finite code `max_bits` (so ties at max + ulp/2 go to max when max is even, as in
// E4M3, and saturate when the rounding would overflow, as in E5M2). Infinities
// saturate too; every NaN becomes the positive NaN 0x7F, as CUDA does.
CADRE_HD inline uint8_t float_to_fp8(float x, int mbits, int bias, uint8_t max_bits) {
  const uint32_t u = float_bits(x);
  const uint32_t sign = (u >> 31) << 7;
  const uint32_t mag = u & 0x7FFFFFFFu;
  if (mag > 0x7F800000u) return kFp8NanBits;
  if (mag == 0x7F800000u) return static_cast<uint8_t>(sign | max_bits);
  const int biased = static_cast<int>(mag >> 23);
  // FP32 subnormals are far below half the smallest FP8 subnormal: they round to 0.
  if (biased == 0) return static_cast<uint8_t>(sign);
  const uint32_t sig = (mag & 0x7FFFFFu) | 0x800000u;  // x = sig * 2^(e - 23)
  const int e = biased - 127;
  const int min_normal_e = 1 - bias;
  // The FP8 result's least significant bit has weight 2^(max(e, min_normal_e) - mbits).
  const int lsb_e = (e >= min_normal_e ? e : min_normal_e) - mbits;
  const int shift = lsb_e - (e - 23);
  // With shift >= 25 the whole of sig (< 2^24) is below half an LSB: rounds to 0.
  if (shift >= 25) return static_cast<uint8_t>(sign);
  uint32_t q = sig >> shift;
  const uint32_t rem = sig & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u))) ++q;
  // Normal: q in [2^mbits, 2^(mbits+1)], and adding the biased exponent above the
  // implicit bit gives the encoding directly (q == 2^(mbits+1) carries into the
  // exponent). Subnormal: q in [0, 2^mbits], which is its own encoding (q == 2^mbits
  // is the smallest normal).
  uint32_t code = q;
  if (e >= min_normal_e) code = (static_cast<uint32_t>(e + bias - 1) << mbits) + q;
  if (code > max_bits) code = max_bits;
  return static_cast<uint8_t>(sign | code);
}

}  // namespace detail

CADRE_HD inline uint8_t float_to_e4m3(float x) { return detail::float_to_fp8(x, 3, 7, kE4M3MaxBits); }
CADRE_HD inline uint8_t float_to_e5m2(float x) { return detail::float_to_fp8(x, 2, 15, kE5M2MaxBits); }

// `f` must be E4M3 or E5M2.
CADRE_HD inline uint8_t float_to_fp8(Format f, float x) {
  return f == Format::E4M3 ? float_to_e4m3(x) : float_to_e5m2(x);
}

// FP32 -> BF16, round to nearest even; overflow rounds to infinity, infinities stay,
// every NaN becomes 0x7FFF (as __float2bfloat16_rn).
CADRE_HD inline uint16_t float_to_bf16(float x) {
  const uint32_t u = float_bits(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return kBf16NanBits;
  // Adding 0x7FFF plus the kept LSB rounds the low half to nearest, ties to even;
  // a carry out of the mantissa correctly bumps the exponent (up to infinity).
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

CADRE_HD inline float bf16_to_float(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

// An FP8 value taken apart: value = (-1)^neg * sig * 2^exp when kind is kFinite.
struct Fp8Parts {
  enum Kind : uint8_t { kFinite, kInf, kNan };
  Kind kind;
  bool neg;
  uint32_t sig;  // E4M3: 0..15, E5M2: 0..7
  int exp;       // E4M3: -9..5, E5M2: -16..13
};

CADRE_HD inline Fp8Parts decompose_e4m3(uint8_t b) {
  const bool neg = (b & 0x80u) != 0;
  const uint32_t e = (b >> 3) & 0xFu;
  const uint32_t m = b & 0x7u;
  if (e == 15 && m == 7) return {Fp8Parts::kNan, neg, 0, 0};
  if (e == 0) return {Fp8Parts::kFinite, neg, m, -9};
  return {Fp8Parts::kFinite, neg, 8u | m, static_cast<int>(e) - 10};
}

CADRE_HD inline Fp8Parts decompose_e5m2(uint8_t b) {
  const bool neg = (b & 0x80u) != 0;
  const uint32_t e = (b >> 2) & 0x1Fu;
  const uint32_t m = b & 0x3u;
  if (e == 31) return {m == 0 ? Fp8Parts::kInf : Fp8Parts::kNan, neg, 0, 0};
  if (e == 0) return {Fp8Parts::kFinite, neg, m, -16};
  return {Fp8Parts::kFinite, neg, 4u | m, static_cast<int>(e) - 17};
}

CADRE_HD inline Fp8Parts decompose_fp8(Format f, uint8_t b) {
  return f == Format::E4M3 ? decompose_e4m3(b) : decompose_e5m2(b);
}

// Exact: sig has at most 4 bits and exp is well inside FP32's normal range, so the
// value is assembled from bits. NaN becomes the canonical FP32 NaN.
CADRE_HD inline float fp8_parts_to_float(const Fp8Parts& p) {
  const uint32_t sign = p.neg ? 0x80000000u : 0u;
  if (p.kind == Fp8Parts::kNan) return bits_float(kCanonicalNanBits);
  if (p.kind == Fp8Parts::kInf) return bits_float(sign | 0x7F800000u);
  if (p.sig == 0) return bits_float(sign);
  // Normalise sig to the form 1.f: its leading bit is at position `top`.
  int top = 0;
  while ((p.sig >> (top + 1)) != 0) ++top;
  const uint32_t frac = (p.sig << (23 - top)) & 0x7FFFFFu;
  const uint32_t biased = static_cast<uint32_t>(p.exp + top + 127);
  return bits_float(sign | (biased << 23) | frac);
}

CADRE_HD inline float e4m3_to_float(uint8_t b) { return fp8_parts_to_float(decompose_e4m3(b)); }
CADRE_HD inline float e5m2_to_float(uint8_t b) { return fp8_parts_to_float(decompose_e5m2(b)); }
CADRE_HD inline float fp8_to_float(Format f, uint8_t b) { return fp8_parts_to_float(decompose_fp8(f, b)); }

}  // namespace cadre::num
