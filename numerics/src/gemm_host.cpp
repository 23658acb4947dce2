#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "cadre/numerics/gemm.h"

namespace cadre::num {
namespace {

// Eight doubles: one AVX-512 register in the x86-64-v4 build, two or four
// narrower ones in the default build.
using Lanes = double __attribute__((vector_size(64)));
constexpr size_t kLanes = 8;
// A register block: up to kRowsA rows of A against kRowsB rows of B, 16
// independent sums (an FMA's latency is hidden) from 8 loads a step.
constexpr size_t kRowsA = 4, kRowsB = 4;
// Rows of A whose decoded K stays in the cache while B's rows pass over them.
constexpr size_t kChunkA = 32;

// An E4M3 code's value (a finite one for a NaN code, which decode flags) in
// a few integer steps, so that the decode loop vectorises: the code's
// exponent and mantissa fields at the top of a double's read as the value
// times 2^-1016 (a subnormal double for E4M3's subnormals, as for the rest),
// and the product with 2^1016 is exact.
[[gnu::always_inline]] inline double e4m3_value(uint8_t code) {
  const uint64_t c = code;
  return std::bit_cast<double>((c & 0x7Fu) << 49 | (c & 0x80u) << 56) * 0x1p1016;
}

// Row `row` of an operand as doubles, zero from k_size up to the padded
// length, and for each K block whether it holds a NaN code.
[[gnu::always_inline]] inline void decode(const Fp8Operand& op, size_t row, size_t k_size, size_t padded, double* out,
                                          char* has_nan) {
  const uint8_t* codes = op.data + row * op.ld;
  for (size_t k0 = 0, kb = 0; k0 < k_size; k0 += kBlockK, ++kb) {
    const size_t end = std::min(k_size, k0 + kBlockK);
    // A flag a block, in a register: or-ing into has_nan[kb] element by
    // element would make each wait for the store before it.
    uint32_t any = 0;
    for (size_t k = k0; k < end; ++k) {
      out[k] = e4m3_value(codes[k]);
      any |= (codes[k] & 0x7Fu) == 0x7Fu;
    }
    has_nan[kb] = static_cast<char>(any);
  }
  std::fill(out + k_size, out + padded, 0.0);
}

// The exact sums of `len` products (a multiple of kLanes) of rows x[r] and
// y[c]. Exact, so lanes and steps may be added in any order.
template <size_t Rows>
[[gnu::always_inline]] inline void block_sums(const double* const* x, const double* const* y, size_t len,
                                              double (&out)[kRowsA][kRowsB]) {
  Lanes s[Rows][kRowsB] = {};
  for (size_t i = 0; i < len; i += kLanes) {
    Lanes yv[kRowsB];
    for (size_t c = 0; c < kRowsB; ++c) std::memcpy(&yv[c], y[c] + i, sizeof(Lanes));
    for (size_t r = 0; r < Rows; ++r) {
      Lanes xv;
      std::memcpy(&xv, x[r] + i, sizeof(Lanes));
      for (size_t c = 0; c < kRowsB; ++c) s[r][c] += xv * yv[c];
    }
  }
  for (size_t r = 0; r < Rows; ++r)
    for (size_t c = 0; c < kRowsB; ++c) {
      double sum = 0.0;
      for (size_t j = 0; j < kLanes; ++j) sum += s[r][c][j];
      out[r][c] = sum;
    }
}

}  // namespace

CADRE_HOST_CLONES
void gemm_fp8_e4m3_host(size_t m_size, size_t n_size, size_t k_size, const Fp8Operand& a, const Fp8Operand& b,
                        float* c, size_t ldc, bool accumulate) {
  const size_t blocks = (k_size + kBlockK - 1) / kBlockK;
  // Rows padded with zeros to whole vectors: a zero product leaves a sum as it is.
  const size_t padded = (k_size + kLanes - 1) / kLanes * kLanes;
  std::vector<double> da(kChunkA * padded), db(kRowsB * padded, 0.0);
  std::vector<char> nan_a(kChunkA * blocks), nan_b(kRowsB * blocks, 0);
  // The scales too, looked up once a row rather than once a block product.
  std::vector<float> scale_a(kChunkA * blocks), scale_b(kRowsB * blocks, 0.0f);
  std::vector<float> acc(kChunkA * kRowsB);
  for (size_t m0 = 0; m0 < m_size; m0 += kChunkA) {
    const size_t rows_a = std::min(kChunkA, m_size - m0);
    for (size_t r = 0; r < rows_a; ++r) {
      decode(a, m0 + r, k_size, padded, &da[r * padded], &nan_a[r * blocks]);
      for (size_t kb = 0; kb < blocks; ++kb) scale_a[r * blocks + kb] = a.scale(m0 + r, kb);
    }
    // B a few rows at a time, used by every row of the chunk before the next
    // (no N x K buffer: a decode GEMM has few rows of A and a large B). A
    // last group short of kRowsB rows computes sums it does not use.
    for (size_t n0 = 0; n0 < n_size; n0 += kRowsB) {
      const size_t rows_b = std::min(kRowsB, n_size - n0);
      for (size_t r = 0; r < rows_b; ++r) {
        decode(b, n0 + r, k_size, padded, &db[r * padded], &nan_b[r * blocks]);
        for (size_t kb = 0; kb < blocks; ++kb) scale_b[r * blocks + kb] = b.scale(n0 + r, kb);
      }
      for (size_t r = 0; r < rows_a; ++r)
        for (size_t j = 0; j < rows_b; ++j) acc[r * kRowsB + j] = accumulate ? c[(m0 + r) * ldc + n0 + j] : 0.0f;
      const double* y[kRowsB];
      for (size_t kb = 0; kb < blocks; ++kb) {
        const size_t k0 = kb * kBlockK, len = std::min(padded - k0, size_t{kBlockK});
        for (size_t j = 0; j < kRowsB; ++j) y[j] = &db[j * padded + k0];
        for (size_t r0 = 0; r0 < rows_a; r0 += kRowsA) {
          const size_t rows = std::min(kRowsA, rows_a - r0);
          const double* x[kRowsA];
          for (size_t r = 0; r < rows; ++r) x[r] = &da[(r0 + r) * padded + k0];
          double sums[kRowsA][kRowsB];
          switch (rows) {
            case 1: block_sums<1>(x, y, len, sums); break;
            case 2: block_sums<2>(x, y, len, sums); break;
            case 3: block_sums<3>(x, y, len, sums); break;
            default: block_sums<kRowsA>(x, y, len, sums); break;
          }
          for (size_t r = 0; r < rows; ++r) {
            const size_t row = r0 + r;
            for (size_t j = 0; j < rows_b; ++j) {
              float block = bits_float(kCanonicalNanBits);
              if (!nan_a[row * blocks + kb] && !nan_b[j * blocks + kb])
                block = sums[r][j] == 0.0 ? 0.0f : static_cast<float>(sums[r][j]);
              float& out = acc[row * kRowsB + j];
              out = scale_step(out, block, scale_a[row * blocks + kb], scale_b[j * blocks + kb]);
            }
          }
        }
      }
      for (size_t r = 0; r < rows_a; ++r)
        for (size_t j = 0; j < rows_b; ++j) c[(m0 + r) * ldc + n0 + j] = canonical(acc[r * kRowsB + j]);
    }
  }
}

}  // namespace cadre::num
