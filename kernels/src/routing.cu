// router_gemm, topk and align (docs/moe-layer.md, kernels 1 to 3), in the exact
// order of the golden model (golden/src/routing.cpp).
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/portability.h"
#include "cadre/numerics/gemm.h"
#include "cadre/numerics/ordering.h"
#include "cadre/numerics/softmax.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::kernels::CADRE_KERNELS_NS {
namespace {

// flags bits in TopkScratch.
constexpr uint8_t kAllowed = 1, kTaken = 2, kKept = 4;

// One thread per logit.
CADRE_GLOBAL void router_gemm_kernel(const uint16_t* x, const uint16_t* router, float* logits, uint32_t tokens,
                                     uint32_t experts, uint32_t hidden) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{tokens} * experts) return;
  const uint64_t t = i / experts, e = i % experts;
  logits[i] = num::bf16_dot(x + t * hidden, router + e * hidden, hidden, 0.0f);
}

// The best of values[0..n) whose flags have none of `excluded` and all of `required`, or -1.
CADRE_HD int64_t best_index(const float* values, const uint8_t* flags, int64_t n, uint8_t required,
                            uint8_t excluded) {
  int64_t best = -1;
  for (int64_t i = 0; i < n; ++i)
    if ((flags[i] & required) == required && (flags[i] & excluded) == 0 &&
        (best < 0 || num::ranks_above(values[i], values[best])))
      best = i;
  return best;
}

// A group's score: its best key, or best + second best.
CADRE_HD float group_score(model::GroupScore rule, const float* keys, int64_t size) {
  int64_t first = 0;
  for (int64_t i = 1; i < size; ++i)
    if (num::ranks_above(keys[i], keys[first])) first = i;
  if (rule == model::GroupScore::MaxOfGroup) return keys[first];
  int64_t second = -1;
  for (int64_t i = 0; i < size; ++i)
    if (i != first && (second < 0 || num::ranks_above(keys[i], keys[second]))) second = i;
  return num::add_rn(keys[first], keys[second]);
}

// One thread per token, the token's rows of the scratch arrays its own.
CADRE_GLOBAL void topk_kernel(model::RoutingSpec routing, const float* logits, const float* bias, uint32_t tokens,
                              TopkScratch scratch, int32_t* ids, float* weights) {
  const uint64_t t = global_thread();
  if (t >= tokens) return;
  const int64_t experts = routing.experts, k = routing.top_k;
  const float* row = logits + t * experts;
  float* scores = scratch.scores + t * experts;
  float* keys = scratch.keys + t * experts;
  float* group_scores = scratch.group_scores + t * experts;
  uint8_t* flags = scratch.flags + t * experts;
  int32_t* out_ids = ids + t * k;
  float* out_weights = weights + t * k;

  if (routing.scoring == model::Scoring::Sigmoid) {
    for (int64_t e = 0; e < experts; ++e) scores[e] = num::sigmoid_f32(row[e]);
  } else {
    num::softmax_row(row, static_cast<size_t>(experts), scores);
  }
  for (int64_t e = 0; e < experts; ++e) keys[e] = routing.selection_bias ? num::add_rn(scores[e], bias[e]) : scores[e];

  // Group limit: the experts of the topk_group best groups are allowed.
  if (routing.group_score == model::GroupScore::None) {
    for (int64_t e = 0; e < experts; ++e) flags[e] = kAllowed;
  } else {
    const int64_t groups = routing.n_group, size = experts / groups;
    for (int64_t e = 0; e < experts; ++e) flags[e] = 0;
    for (int64_t g = 0; g < groups; ++g) group_scores[g] = group_score(routing.group_score, keys + g * size, size);
    for (uint32_t n = 0; n < routing.topk_group; ++n) {
      // A kept group's first expert carries kKept, standing for the whole group.
      int64_t best = -1;
      for (int64_t g = 0; g < groups; ++g)
        if ((flags[g * size] & kKept) == 0 && (best < 0 || num::ranks_above(group_scores[g], group_scores[best]))) best = g;
      for (int64_t e = best * size; e < (best + 1) * size; ++e) flags[e] |= kAllowed;
      flags[best * size] |= kKept;
    }
  }

  for (int64_t slot = 0; slot < k; ++slot) {
    const int64_t e = best_index(keys, flags, experts, kAllowed, kTaken);
    flags[e] |= kTaken;
    out_ids[slot] = static_cast<int32_t>(e);
    out_weights[slot] = scores[e];
  }
  if (routing.normalise) {
    float sum = 0.0f;
    for (int64_t slot = 0; slot < k; ++slot) sum = num::add_rn(sum, out_weights[slot]);
    const float denominator = num::add_rn(sum, routing.norm_epsilon);
    for (int64_t slot = 0; slot < k; ++slot) out_weights[slot] = num::div_rn(out_weights[slot], denominator);
  }
  for (int64_t slot = 0; slot < k; ++slot) out_weights[slot] = num::mul_rn(out_weights[slot], routing.scaling);
}

// align is a few thousand integer steps even at prefill sizes: one thread does it
// in the golden model's order (vLLM's moe_align_block_size splits it over a block
// with shared-memory prefix sums; the result is the same).
CADRE_GLOBAL void align_kernel(const int32_t* ids, const float* weights, uint32_t tokens, uint32_t top_k,
                               uint32_t experts, uint32_t block, int32_t* counts, int32_t* offsets,
                               int32_t* row_tokens, float* row_weights, int32_t* assignment_rows) {
  if (global_thread() != 0) return;
  const uint64_t assignments = uint64_t{tokens} * top_k;
  for (uint32_t e = 0; e < experts; ++e) counts[e] = 0;
  for (uint64_t j = 0; j < assignments; ++j) ++counts[ids[j]];
  const auto b = static_cast<int32_t>(block);
  offsets[0] = 0;
  for (uint32_t e = 0; e < experts; ++e) offsets[e + 1] = offsets[e] + (counts[e] + b - 1) / b * b;
  for (int32_t r = 0; r < offsets[experts]; ++r) {
    row_tokens[r] = -1;
    row_weights[r] = 0.0f;
  }
  // counts becomes each expert's next free row; assignments in increasing j.
  for (uint32_t e = 0; e < experts; ++e) counts[e] = offsets[e];
  for (uint64_t j = 0; j < assignments; ++j) {
    const int32_t r = counts[ids[j]]++;
    row_tokens[r] = static_cast<int32_t>(j / top_k);
    row_weights[r] = weights[j];
    assignment_rows[j] = r;
  }
}

}  // namespace

void router_gemm(const uint16_t* x, const uint16_t* router, float* logits, uint32_t tokens, uint32_t experts,
                 uint32_t hidden) {
  launch(router_gemm_kernel, grid_for(uint64_t{tokens} * experts), dim3(kThreads), x, router, logits, tokens, experts,
         hidden);
}

void topk(const model::RoutingSpec& routing, const float* logits, const float* bias, uint32_t tokens,
          const TopkScratch& scratch, int32_t* ids, float* weights) {
  launch(topk_kernel, grid_for(tokens), dim3(kThreads), routing, logits, bias, tokens, scratch, ids, weights);
}

void align(const int32_t* ids, const float* weights, uint32_t tokens, uint32_t top_k, uint32_t experts,
           uint32_t block, int32_t* counts, int32_t* offsets, int32_t* row_tokens, float* row_weights,
           int32_t* assignment_rows) {
  launch(align_kernel, dim3(1), dim3(1), ids, weights, tokens, top_k, experts, block, counts, offsets, row_tokens,
         row_weights, assignment_rows);
}

}  // namespace cadre::kernels::CADRE_KERNELS_NS
