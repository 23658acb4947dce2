// Exact FP8 x FP8 products and the exact fixed-point block sum they feed
// (docs/numerics.md, "Exact block sum").
#pragma once

#include <cstdint>

#include "cadre/numerics/convert.h"
#include "cadre/numerics/hd.h"

namespace cadre::num {

// GCC and nvcc (host and device) both provide 128-bit integers; __extension__
// keeps -Wpedantic quiet about the non-ISO type.
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

// value = (-1)^neg * sig * 2^exp when kind is kFinite (sig <= 225, exp >= -32).
struct Fp8Product {
  Fp8Parts::Kind kind;
  bool neg;
  uint32_t sig;
  int exp;
};

// IEEE rules: NaN if either factor is NaN or an infinity meets a zero, infinity if
// either factor is infinite, otherwise the exact product of the integer parts.
CADRE_HD inline Fp8Product exact_product(const Fp8Parts& a, const Fp8Parts& b) {
  const bool neg = a.neg != b.neg;
  const bool a_zero = a.kind == Fp8Parts::kFinite && a.sig == 0;
  const bool b_zero = b.kind == Fp8Parts::kFinite && b.sig == 0;
  if (a.kind == Fp8Parts::kNan || b.kind == Fp8Parts::kNan) return {Fp8Parts::kNan, neg, 0, 0};
  if (a.kind == Fp8Parts::kInf || b.kind == Fp8Parts::kInf) {
    if (a_zero || b_zero) return {Fp8Parts::kNan, neg, 0, 0};
    return {Fp8Parts::kInf, neg, 0, 0};
  }
  return {Fp8Parts::kFinite, neg, a.sig * b.sig, a.exp + b.exp};
}

// Round (-1)^neg * mag * 2^lsb_exp to FP32, nearest even, with FP32 subnormals and
// overflow to infinity. Written out rather than left to a cast so the rounding is
// the same on every path and reads the same as the hardware that implements it.
// Requires lsb_exp > -277, which keeps the shifts below 128.
CADRE_HD inline float round_to_float(bool neg, u128 mag, int lsb_exp) {
  const uint32_t sign = neg ? 0x80000000u : 0u;
  if (mag == 0) return bits_float(sign);
  const uint64_t hi = static_cast<uint64_t>(mag >> 64);
  const uint64_t lo = static_cast<uint64_t>(mag);
#if defined(__CUDA_ARCH__)
  const int top = hi != 0 ? 127 - __clzll(static_cast<long long>(hi)) : 63 - __clzll(static_cast<long long>(lo));
#else
  const int top = hi != 0 ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(lo);
#endif
  const int lead_exp = top + lsb_exp;  // weight of the leading one bit
  // The result's LSB weight: 24 significant bits, but never below FP32's 2^-149.
  const int res_lsb = lead_exp - 23 > -149 ? lead_exp - 23 : -149;
  const int shift = res_lsb - lsb_exp;
  u128 q;
  if (shift <= 0) {
    q = mag << -shift;  // exact: fewer than 24 significant bits
  } else {
    q = mag >> shift;
    const u128 rem = mag & ((static_cast<u128>(1) << shift) - 1);
    const u128 half = static_cast<u128>(1) << (shift - 1);
    if (rem > half || (rem == half && (q & 1) != 0)) ++q;
  }
  // q <= 2^24. As in the FP8 encoder, adding the biased exponent above the implicit
  // bit gives the encoding, and a rounding carry to 2^24 moves into the exponent.
  const uint32_t q32 = static_cast<uint32_t>(q);
  uint32_t bits = q32;
  if (q32 >= (1u << 23)) {
    const int biased = res_lsb + 23 + 127;  // exponent field of q's leading bit at 2^23
    if (biased + static_cast<int>(q32 >> 24) >= 255) return bits_float(sign | 0x7F800000u);
    bits = (static_cast<uint32_t>(biased - 1) << 23) + q32;
  }
  return bits_float(sign | bits);
}

// Fixed-point weight of the block accumulator's LSB: the smallest product,
// E5M2 subnormal squared, is 2^-16 * 2^-16.
inline constexpr int kBlockLsbExp = -32;
// The contract's K block.
inline constexpr int kBlockK = 128;

// Sums FP8 x FP8 products exactly (any number of them below 2^56) and rounds once.
struct BlockSum {
  i128 fixed = 0;  // the finite products, in units of 2^kBlockLsbExp
  bool nan = false;
  bool pos_inf = false;
  bool neg_inf = false;

  CADRE_HD void add(const Fp8Product& p) {
    if (p.kind == Fp8Parts::kNan) {
      nan = true;
    } else if (p.kind == Fp8Parts::kInf) {
      (p.neg ? neg_inf : pos_inf) = true;
    } else {
      const i128 v = static_cast<i128>(p.sig) << (p.exp - kBlockLsbExp);
      fixed += p.neg ? -v : v;
    }
  }

  // IEEE: NaN wins, +inf + -inf is NaN, one infinity absorbs the finite sum; else
  // the exact sum rounded to FP32, nearest even (an exact zero sum is +0).
  CADRE_HD float result() const {
    if (nan || (pos_inf && neg_inf)) return bits_float(kCanonicalNanBits);
    if (pos_inf) return bits_float(0x7F800000u);
    if (neg_inf) return bits_float(0xFF800000u);
    const bool neg = fixed < 0;
    return round_to_float(neg, static_cast<u128>(neg ? -fixed : fixed), kBlockLsbExp);
  }
};

}  // namespace cadre::num
