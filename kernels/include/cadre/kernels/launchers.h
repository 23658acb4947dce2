// Launchers of the reference kernels (kernels/src/*.cu), for the host build
// (namespace host, in cadre_kernels_host) and the CUDA build (namespace cuda, in
// cadre_kernels_cuda, only when CUDA was found). docs/gpu-kernels.md.
#pragma once

#include <cstdint>

#include "cadre/model/layer_spec.h"

namespace cadre::kernels {

// topk's working memory, each [T * E]: per token, its scores and
// num::topk_row's scratch.
struct TopkScratch {
  float* scores;
  float* keys;
  float* group_scores;
  uint8_t* flags;
};

// The rows a grouped GEMM computes: [row_begin, row_end) of the aligned rows,
// expert e owning [offsets[e], offsets[e + 1]). row_tokens null: no padding rows.
struct GemmRows {
  const int32_t* offsets;
  const int32_t* row_tokens;
  uint32_t experts;
  uint32_t row_begin, row_end;
};

// Grouped weights [slots, n, k]; expert e uses slot expert_slot[e] (-1: none), or
// slot 0 for every row when expert_slot is null. FP8 scales are [slots, ceil(n/128), ceil(k/128)].
struct Fp8Weights {
  const uint8_t* codes;
  const float* scales;
  const int32_t* expert_slot;
  uint32_t n, k;
};
struct Bf16Weights {
  const uint16_t* values;
  const int32_t* expert_slot;
  uint32_t n, k;
};

namespace host {
#include "cadre/kernels/launchers.inc"
}  // namespace host

namespace cuda {
#include "cadre/kernels/launchers.inc"
}  // namespace cuda

}  // namespace cadre::kernels
