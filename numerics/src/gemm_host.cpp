#include <algorithm>
#include <vector>

#include "cadre/numerics/gemm.h"

namespace cadre::num {
namespace {

// Every E4M3 code's value as a double (0 for NaN), and whether it is NaN.
struct E4m3Table {
  double value[256];
  char nan[256];
  E4m3Table() {
    for (int code = 0; code < 256; ++code) {
      const float x = fp8_to_float(Format::E4M3, static_cast<uint8_t>(code));
      nan[code] = x != x;
      value[code] = nan[code] ? 0.0 : static_cast<double>(x);
    }
  }
};

}  // namespace

CADRE_HOST_CLONES
void gemm_fp8_e4m3_host(size_t m_size, size_t n_size, size_t k_size, const Fp8Operand& a, const Fp8Operand& b,
                        float* c, size_t ldc, bool accumulate) {
  // Made once: the matrix engine calls this for every tile of a layer.
  static const E4m3Table table;
  const double* const value = table.value;
  const char* const nan = table.nan;
  const size_t blocks = (k_size + kBlockK - 1) / kBlockK;
  // Decoded rows, and whether each row's block holds a NaN code. A is decoded
  // whole; B one row at a time, used by every row of A before the next (no
  // N x K buffer: a decode GEMM has few rows of A and a large B).
  const auto decode = [&](const Fp8Operand& op, size_t row, double* out, char* has_nan) {
    for (size_t kb = 0; kb < blocks; ++kb) {
      // A flag a block, in a register: or-ing into has_nan[kb] element by
      // element would make each wait for the store before it.
      char any = 0;
      for (size_t k = kb * kBlockK; k < std::min(k_size, (kb + 1) * kBlockK); ++k) {
        const uint8_t code = op.data[row * op.ld + k];
        out[k] = value[code];
        any |= nan[code];
      }
      has_nan[kb] = any;
    }
  };
  std::vector<double> da(m_size * k_size), db(k_size);
  std::vector<char> nan_a(m_size * blocks), nan_b(blocks);
  // The scales too, looked up once a row rather than once a block product.
  std::vector<float> scale_a(m_size * blocks), scale_b(blocks);
  for (size_t m = 0; m < m_size; ++m) {
    decode(a, m, &da[m * k_size], &nan_a[m * blocks]);
    for (size_t kb = 0; kb < blocks; ++kb) scale_a[m * blocks + kb] = a.scale(m, kb);
  }
  for (size_t n = 0; n < n_size; ++n) {
    decode(b, n, db.data(), nan_b.data());
    for (size_t kb = 0; kb < blocks; ++kb) scale_b[kb] = b.scale(n, kb);
    for (size_t m = 0; m < m_size; ++m) {
      float acc = accumulate ? c[m * ldc + n] : 0.0f;
      for (size_t kb = 0; kb < blocks; ++kb) {
        const size_t k0 = kb * kBlockK, len = k_size - k0 < size_t{kBlockK} ? k_size - k0 : size_t{kBlockK};
        float block = bits_float(kCanonicalNanBits);
        if (!nan_a[m * blocks + kb] && !nan_b[kb]) {
          const double* x = &da[m * k_size + k0];
          const double* y = &db[k0];
          // Exact, so the eight chains (a vector of them) may be added in any order.
          double s[8] = {};
          size_t i = 0;
          for (; i + 8 <= len; i += 8)
            for (size_t j = 0; j < 8; ++j) s[j] += x[i + j] * y[i + j];
          for (; i < len; ++i) s[0] += x[i] * y[i];
          const double sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
          block = sum == 0.0 ? 0.0f : static_cast<float>(sum);
        }
        acc = scale_step(acc, block, scale_a[m * blocks + kb], scale_b[kb]);
      }
      c[m * ldc + n] = canonical(acc);
    }
  }
}

}  // namespace cadre::num
