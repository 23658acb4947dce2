// Reference GEMMs: block-scaled FP8 (exact block sums) and BF16 (docs/numerics.md,
// "FP8 GEMM" and "BF16 GEMM"). Every other path must match these bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cadre/numerics/convert.h"
#include "cadre/numerics/exact.h"
#include "cadre/numerics/format.h"
#include "cadre/numerics/hd.h"

namespace cadre::num {

// Exact sum of a[i] * b[i] for i < n (n <= kBlockK), rounded to FP32 once.
CADRE_HD inline float fp8_block_dot(Format fa, const uint8_t* a, Format fb, const uint8_t* b, int n) {
  BlockSum sum;
  for (int i = 0; i < n; ++i) sum.add(exact_product(decompose_fp8(fa, a[i]), decompose_fp8(fb, b[i])));
  return sum.result();
}

// The scale step, in this order and unfused: s = sa * sb; p = block * s; acc + p.
CADRE_HD inline float scale_step(float acc, float block, float sa, float sb) {
  const float s = mul_rn(sa, sb);
  const float p = mul_rn(block, s);
  return add_rn(acc, p);
}

// A block-scaled FP8 operand whose rows run along K (A is M x K, B is N x K: "NT").
// Element (r, k) is data[r * ld + k]. Rows r and k blocks kb share the scale
// scales[(r / scale_rows) * scale_row_stride + kb * scale_k_stride]: scale_rows is
// 1 for activations (1 x 128 groups) and 128 for weights (128 x 128 blocks).
struct Fp8Operand {
  Format format;  // E4M3 or E5M2
  const uint8_t* data;
  size_t ld;
  const float* scales;
  size_t scale_rows;
  size_t scale_row_stride;
  size_t scale_k_stride;

  CADRE_HD float scale(size_t row, size_t kb) const {
    return scales[(row / scale_rows) * scale_row_stride + kb * scale_k_stride];
  }
};

// C[m, n] over all K, starting from acc: K blocks in increasing order, the last one
// possibly partial. A NaN result is returned as the canonical NaN.
CADRE_HD inline float fp8_dot_scaled(const Fp8Operand& a, size_t m, const Fp8Operand& b, size_t n, size_t k,
                                     float acc) {
  for (size_t k0 = 0, kb = 0; k0 < k; k0 += kBlockK, ++kb) {
    const int len = static_cast<int>(k - k0 < kBlockK ? k - k0 : kBlockK);
    const float block = fp8_block_dot(a.format, a.data + m * a.ld + k0, b.format, b.data + n * b.ld + k0, len);
    acc = scale_step(acc, block, a.scale(m, kb), b.scale(n, kb));
  }
  return canonical(acc);
}

// The E4M3 x E4M3 case of gemm_fp8 on the host, made fast with doubles and
// bit-identical to fp8_dot_scaled: every E4M3 value is a multiple of 2^-9
// below 2^9, so a product is a multiple of 2^-18 below 2^18 and a 128-wide
// block sums below 2^25. Every partial sum is therefore exact in a double
// (53 bits) whatever the order, and one conversion to float rounds the exact
// sum to nearest even, as BlockSum does; an exact zero is +0, and a block
// with a NaN code is NaN. (E5M2 spans 2^-16 to 2^15: its sums need more than
// 53 bits, so it takes the exact integer path.)
// (numerics/src/gemm_host.cpp)
void gemm_fp8_e4m3_host(size_t m_size, size_t n_size, size_t k_size, const Fp8Operand& a, const Fp8Operand& b,
                        float* c, size_t ldc, bool accumulate);

// C[M x N] (row stride ldc) = A x B^T, or += when accumulate.
inline void gemm_fp8(size_t m_size, size_t n_size, size_t k_size, const Fp8Operand& a, const Fp8Operand& b, float* c,
                     size_t ldc, bool accumulate) {
  if (a.format == Format::E4M3 && b.format == Format::E4M3) {
    gemm_fp8_e4m3_host(m_size, n_size, k_size, a, b, c, ldc, accumulate);
    return;
  }
  for (size_t m = 0; m < m_size; ++m)
    for (size_t n = 0; n < n_size; ++n) {
      float& out = c[m * ldc + n];
      out = fp8_dot_scaled(a, m, b, n, k_size, accumulate ? out : 0.0f);
    }
}

// BF16 dot product: acc = acc + a[i] * b[i] for i in increasing order. The product
// of two BF16 values is exact in FP32 (8 x 8 significand bits) unless it leaves
// FP32's normal range, so only the additions round.
CADRE_HD inline float bf16_dot(const uint16_t* a, const uint16_t* b, size_t k, float acc) {
  for (size_t i = 0; i < k; ++i) acc = add_rn(acc, mul_rn(bf16_to_float(a[i]), bf16_to_float(b[i])));
  return canonical(acc);
}

// C[M x N] = A[M x K] x B[N x K]^T in BF16, or += when accumulate.
inline void gemm_bf16(size_t m_size, size_t n_size, size_t k_size, const uint16_t* a, size_t lda, const uint16_t* b,
                      size_t ldb, float* c, size_t ldc, bool accumulate) {
  for (size_t m = 0; m < m_size; ++m)
    for (size_t n = 0; n < n_size; ++n) {
      float& out = c[m * ldc + n];
      out = bf16_dot(a + m * lda, b + n * ldb, k_size, accumulate ? out : 0.0f);
    }
}

}  // namespace cadre::num
