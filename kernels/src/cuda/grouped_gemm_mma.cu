// The FP8 grouped GEMM on Hopper's tensor cores, as DeepGEMM computes it: each
// 128-wide K block is summed by mma.sync m16n8k32 (E4M3 x E4M3, FP32 C) into a
// fresh block accumulator, and the block's partial sums are then promoted into
// FP32 registers and scaled there (DeepSeek-V3's fix for the tensor cores'
// limited accumulation precision), blocks in increasing K. The tensor core's
// sum within a block is not Cadre's exact sum: docs/gpu-kernels.md states the
// tolerance against the golden model.
//
// A block of 4 warps computes a 16 x 128 output tile; each warp 16 x 32 (four
// n8 tiles), loading its fragments straight from global memory.
#include "cadre/numerics/convert.h"
#include "cadre/numerics/gemm.h"
#include "mma.h"

namespace cadre::kernels::cuda {
namespace {

constexpr uint32_t kWarps = 4, kWarpCols = 32, kTileCols = kWarps * kWarpCols;

// Bytes k..k+3 of a row of `size` codes, zero past its end (zero codes add nothing).
__device__ uint32_t load4(const uint8_t* row, uint32_t k, uint32_t size) {
  uint32_t v = 0;
  if (row == nullptr) return v;
  for (uint32_t i = 0; i < 4; ++i)
    if (k + i < size) v |= static_cast<uint32_t>(row[k + i]) << (8 * i);
  return v;
}

// d = a x b + d for a 16 x 32 E4M3 tile of A (row major) and a 32 x 8 tile of B
// (column major), FP32 accumulators: PTX ISA, "mma.m16n8k32" fragment layouts.
__device__ void mma_e4m3(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

__device__ uint32_t expert_of(const int32_t* offsets, uint32_t experts, uint32_t r) {
  uint32_t lo = 0, hi = experts;
  while (hi - lo > 1) {
    const uint32_t mid = (lo + hi) / 2;
    (static_cast<uint32_t>(offsets[mid]) <= r ? lo : hi) = mid;
  }
  return lo;
}

__global__ void __launch_bounds__(kWarps * 32)
    grouped_gemm_fp8_mma_kernel(const uint8_t* a_codes, const float* a_scales, MmaRows rows, Fp8Weights w,
                                uint16_t* out, uint32_t ld_out, uint32_t col0) {
  // The tile's rows [row0, row_end) and expert.
  uint32_t row0, row_end, e;
  if (rows.masked_m == nullptr) {
    row0 = rows.row_begin + blockIdx.x * kMmaTileRows;
    row_end = rows.row_end;
    e = expert_of(rows.offsets, rows.experts, row0);
  } else {
    e = blockIdx.z;
    const uint32_t first = blockIdx.x * kMmaTileRows;
    if (first >= static_cast<uint32_t>(rows.masked_m[e])) return;
    row0 = rows.offsets[e] + first;
    row_end = rows.offsets[e + 1];
  }
  const int32_t slot = w.expert_slot != nullptr ? w.expert_slot[e] : 0;
  if (slot < 0) return;

  const uint32_t lane = threadIdx.x % 32, warp = threadIdx.x / 32, group = lane / 4, quad = lane % 4;
  const uint32_t k_blocks = (w.k + num::kBlockK - 1) / num::kBlockK;
  const uint32_t n_blocks = (w.n + num::kBlockK - 1) / num::kBlockK;
  const uint8_t* weight = w.codes + static_cast<uint64_t>(slot) * w.n * w.k;
  const float* weight_scales = w.scales + static_cast<uint64_t>(slot) * n_blocks * k_blocks;
  // This thread's two rows (fragment rows group and group + 8) and, per n8 tile,
  // its B column (group) and C columns (2 quad, 2 quad + 1).
  const uint32_t r[2] = {row0 + group, row0 + group + 8};
  const uint8_t* a_row[2];
  for (int i = 0; i < 2; ++i) a_row[i] = r[i] < row_end ? a_codes + static_cast<uint64_t>(r[i]) * w.k : nullptr;
  const uint32_t n0 = blockIdx.y * kTileCols + warp * kWarpCols;

  float acc[4][4] = {};
  for (uint32_t kb = 0; kb < k_blocks; ++kb) {
    float block[4][4] = {};
    for (uint32_t ks = 0; ks < num::kBlockK; ks += 32) {
      const uint32_t k = kb * num::kBlockK + ks + quad * 4;
      const uint32_t a[4] = {load4(a_row[0], k, w.k), load4(a_row[1], k, w.k), load4(a_row[0], k + 16, w.k),
                             load4(a_row[1], k + 16, w.k)};
      for (uint32_t j = 0; j < 4; ++j) {
        const uint32_t n = n0 + j * 8 + group;
        const uint8_t* b_row = n < w.n ? weight + static_cast<uint64_t>(n) * w.k : nullptr;
        const uint32_t b[2] = {load4(b_row, k, w.k), load4(b_row, k + 16, w.k)};
        mma_e4m3(block[j], a, b);
      }
    }
    // Promotion: the block's sums scaled into the FP32 accumulators, in the
    // numerics contract's scale-step order (s = sa * sb; acc + block * s).
    for (uint32_t j = 0; j < 4; ++j)
      for (uint32_t c = 0; c < 4; ++c) {
        const uint32_t row = r[c / 2], n = n0 + j * 8 + quad * 2 + c % 2;
        if (row >= row_end || n >= w.n) continue;
        const float sa = a_scales[static_cast<uint64_t>(row) * k_blocks + kb];
        const float sb = weight_scales[(n / num::kBlockK) * k_blocks + kb];
        acc[j][c] = num::scale_step(acc[j][c], block[j][c], sa, sb);
      }
  }
  for (uint32_t j = 0; j < 4; ++j)
    for (uint32_t c = 0; c < 4; ++c) {
      const uint32_t row = r[c / 2], n = n0 + j * 8 + quad * 2 + c % 2;
      if (row < row_end && n < w.n)
        out[static_cast<uint64_t>(row) * ld_out + col0 + n] = num::float_to_bf16(num::canonical(acc[j][c]));
    }
}

}  // namespace

void grouped_gemm_fp8_mma(const uint8_t* a_codes, const float* a_scales, const MmaRows& rows, const Fp8Weights& w,
                          uint16_t* out, uint32_t ld_out, uint32_t col0) {
  const uint32_t col_tiles = (w.n + kTileCols - 1) / kTileCols;
  const dim3 grid = rows.masked_m == nullptr
                        ? dim3((rows.row_end - rows.row_begin + kMmaTileRows - 1) / kMmaTileRows, col_tiles)
                        : dim3(rows.max_tiles, col_tiles, rows.experts);
  grouped_gemm_fp8_mma_kernel<<<grid, kWarps * 32>>>(a_codes, a_scales, rows, w, out, ld_out, col0);
}

}  // namespace cadre::kernels::cuda
