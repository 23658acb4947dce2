// The golden model's routing kernels: router_gemm, topk and align
// (docs/moe-layer.md, kernels 1 to 3).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cadre/golden/matrix.h"
#include "cadre/model/layer_spec.h"

namespace cadre::golden {

// router_gemm: logits[t][e] = sum over h of x[t][h] * router[e][h], BF16
// products added in FP32 in increasing h from +0.0. x [T, H], router [E, H];
// out FP32 [T, E].
MatrixF router_gemm(const MatrixU16& x, const MatrixU16& router);

struct TopK {
  MatrixI32 ids;      // [T, k], slot order: largest selection key first
  MatrixF weights;    // [T, k], the routing weight of each slot
};

// topk: scores (sigmoid or softmax), selection keys (score + bias when
// routing.selection_bias; `bias` has `experts` entries then, else is empty),
// group limit, top-k with ties to the lower expert (and group) number,
// normalisation and scaling. A NaN key ranks below every number.
TopK topk(const model::RoutingSpec& routing, const MatrixF& logits, std::span<const float> bias);

struct Alignment {
  std::vector<int32_t> offsets;   // [E + 1]: expert e's rows are [offsets[e], offsets[e + 1])
  std::vector<int32_t> tokens;    // per row: the token, or -1 for padding
  std::vector<float> row_weights; // per row: the routing weight, 0.0 for padding
};

// align: for each expert in increasing order, its assignments j = t * k + slot
// in increasing j, padded with -1 to a multiple of `block`.
Alignment align(const TopK& topk, uint32_t experts, uint32_t block);

}  // namespace cadre::golden
