// The tensor-core grouped GEMM of the CUDA build (grouped_gemm_mma.cu).
#pragma once

#include <cstdint>

#include "cadre/kernels/launchers.h"

namespace cadre::kernels::cuda {

// Rows of a grouped FP8 GEMM on tensor cores. Contiguous layout (masked_m null):
// 16-row tiles over [row_begin, row_end), each inside one expert (align's block is
// a multiple of 16). Masked layout: for each expert e, tiles from offsets[e]
// covering its first masked_m[e] rows, at most max_tiles tiles per expert.
struct MmaRows {
  const int32_t* offsets;
  const int32_t* masked_m;
  uint32_t experts;
  uint32_t row_begin, row_end;
  uint32_t max_tiles;
};

inline constexpr uint32_t kMmaTileRows = 16;

// out[r][col0 + n] = bf16(sum over K blocks of (block sum on tensor cores) x
// scale_a x scale_b, promoted into FP32 per 128-wide block in increasing K).
void grouped_gemm_fp8_mma(const uint8_t* a_codes, const float* a_scales, const MmaRows& rows, const Fp8Weights& w,
                          uint16_t* out, uint32_t ld_out, uint32_t col0);

}  // namespace cadre::kernels::cuda
