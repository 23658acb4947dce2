// The exact-order grouped GEMMs (docs/moe-layer.md, kernels 6, 8 and 9): one
// thread per output element, each the numerics library's FP8 or BF16 dot
// product, so this path is bit-identical to the golden model on CPU and GPU.
// The tensor-core path is grouped_gemm_mma.cu (CUDA only).
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/portability.h"
#include "cadre/numerics/gemm.h"

namespace cadre::kernels::CADRE_KERNELS_NS {
namespace {

// The expert owning row r: the last e with offsets[e] <= r (empty experts share
// their offset with the next one, so the last is the one with rows).
CADRE_HD uint32_t expert_of(const GemmRows& rows, int64_t r) {
  uint32_t lo = 0, hi = rows.experts;  // offsets[lo] <= r < offsets[hi]
  while (hi - lo > 1) {
    const uint32_t mid = (lo + hi) / 2;
    (rows.offsets[mid] <= r ? lo : hi) = mid;
  }
  return lo;
}

// Padding rows of an expert all hold zero inputs (permute makes them so) and so
// give the same outputs: the first is computed, the others copied from it, as the
// golden model does. A repeated padding row follows another of the same expert.
CADRE_HD bool is_repeated_padding(const GemmRows& rows, int64_t r, uint32_t e) {
  return rows.row_tokens != nullptr && rows.row_tokens[r] < 0 && r > rows.offsets[e] && rows.row_tokens[r - 1] < 0;
}

// The (row, output column) of this thread, its expert and weight slot; false when
// the thread has nothing to compute.
struct Job {
  int64_t row;
  uint32_t n;
  int32_t slot;
};

CADRE_DEVICE bool job_of(const GemmRows& rows, uint32_t n_size, const int32_t* expert_slot, Job& job) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{rows.row_end - rows.row_begin} * n_size) return false;
  job.row = static_cast<int64_t>(rows.row_begin + i / n_size);
  job.n = static_cast<uint32_t>(i % n_size);
  const uint32_t e = expert_of(rows, job.row);
  if (is_repeated_padding(rows, job.row, e)) return false;
  job.slot = expert_slot != nullptr ? expert_slot[e] : 0;
  return job.slot >= 0;
}

CADRE_GLOBAL void grouped_gemm_fp8_kernel(const uint8_t* a_codes, const float* a_scales, GemmRows rows,
                                          Fp8Weights w, uint16_t* out, uint32_t ld_out, uint32_t col0) {
  Job job{};
  if (!job_of(rows, w.n, w.expert_slot, job)) return;
  const uint64_t k_blocks = (w.k + num::kBlockK - 1) / num::kBlockK, n_blocks = (w.n + num::kBlockK - 1) / num::kBlockK;
  const num::Fp8Operand a{num::Format::E4M3, a_codes, w.k, a_scales, 1, k_blocks, 1};
  const uint64_t slot = static_cast<uint64_t>(job.slot);
  const num::Fp8Operand b{num::Format::E4M3,  w.codes + slot * w.n * w.k, w.k, w.scales + slot * n_blocks * k_blocks,
                          num::kBlockK, k_blocks, 1};
  out[static_cast<uint64_t>(job.row) * ld_out + col0 + job.n] =
      num::float_to_bf16(num::fp8_dot_scaled(a, static_cast<size_t>(job.row), b, job.n, w.k, 0.0f));
}

CADRE_GLOBAL void grouped_gemm_bf16_kernel(const uint16_t* a, GemmRows rows, Bf16Weights w, uint16_t* out,
                                           uint32_t ld_out, uint32_t col0) {
  Job job{};
  if (!job_of(rows, w.n, w.expert_slot, job)) return;
  const uint16_t* weight_row = w.values + (static_cast<uint64_t>(job.slot) * w.n + job.n) * w.k;
  out[static_cast<uint64_t>(job.row) * ld_out + col0 + job.n] =
      num::float_to_bf16(num::bf16_dot(a + static_cast<uint64_t>(job.row) * w.k, weight_row, w.k, 0.0f));
}

// One thread per element of the rows' outputs.
CADRE_GLOBAL void copy_padding_rows_kernel(GemmRows rows, uint16_t* out, uint32_t ld_out) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{rows.row_end - rows.row_begin} * ld_out) return;
  const auto r = static_cast<int64_t>(rows.row_begin + i / ld_out);
  const uint32_t e = expert_of(rows, r);
  if (!is_repeated_padding(rows, r, e)) return;
  // An expert's real rows come first, then its padding: the first padding row is
  // found by bisection in [offsets[e], r).
  int64_t lo = rows.offsets[e], first = r;  // rows[lo] real or lo is the first padding row; rows[first] padding
  while (lo < first) {
    const int64_t mid = (lo + first) / 2;
    if (rows.row_tokens[mid] < 0)
      first = mid;
    else
      lo = mid + 1;
  }
  out[static_cast<uint64_t>(r) * ld_out + i % ld_out] = out[static_cast<uint64_t>(first) * ld_out + i % ld_out];
}

}  // namespace

void grouped_gemm_fp8(const uint8_t* a_codes, const float* a_scales, const GemmRows& rows, const Fp8Weights& w,
                      uint16_t* out, uint32_t ld_out, uint32_t col0) {
  launch(grouped_gemm_fp8_kernel, grid_for(uint64_t{rows.row_end - rows.row_begin} * w.n), dim3(kThreads), a_codes,
         a_scales, rows, w, out, ld_out, col0);
}

void grouped_gemm_bf16(const uint16_t* a, const GemmRows& rows, const Bf16Weights& w, uint16_t* out, uint32_t ld_out,
                       uint32_t col0) {
  launch(grouped_gemm_bf16_kernel, grid_for(uint64_t{rows.row_end - rows.row_begin} * w.n), dim3(kThreads), a, rows,
         w, out, ld_out, col0);
}

void copy_padding_rows(const GemmRows& rows, uint16_t* out, uint32_t ld_out) {
  launch(copy_padding_rows_kernel, grid_for(uint64_t{rows.row_end - rows.row_begin} * ld_out), dim3(kThreads), rows,
         out, ld_out);
}

}  // namespace cadre::kernels::CADRE_KERNELS_NS
