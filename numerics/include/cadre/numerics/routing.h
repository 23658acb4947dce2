// The routing arithmetic of an MoE layer (docs/moe-layer.md, kernels 2 and 3):
// scoring, (grouped) top-k with its weights, and align. One token or one list
// at a time, on caller-provided memory, so that the golden model, both builds
// of the GPU reference kernels and the simulator's vector unit run the same
// code. Nothing here allocates or throws: callers check their inputs first
// (topk_possible, first_expert_outside).
#pragma once

#include <cstdint>

#include "cadre/numerics/hd.h"
#include "cadre/numerics/ordering.h"
#include "cadre/numerics/softmax.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::num {

enum class Scoring : uint8_t { Softmax, Sigmoid };
// How a group of experts is scored when selection is group-limited.
enum class GroupScore : uint8_t { None, MaxOfGroup, SumOfTop2 };

// How a layer routes its tokens to experts.
struct RoutingSpec {
  Scoring scoring = Scoring::Softmax;
  uint32_t experts = 0;     // routed experts
  uint32_t top_k = 0;       // experts chosen per token
  uint32_t n_group = 1;     // expert groups (1: no group limit)
  uint32_t topk_group = 1;  // groups kept per token
  GroupScore group_score = GroupScore::None;
  bool selection_bias = false;  // a per-expert bias added to scores for selection only (DeepSeek-V3)
  bool normalise = false;       // chosen weights divided by their sum (+ norm_epsilon)
  float norm_epsilon = 0.0f;
  float scaling = 1.0f;  // multiplies the final weights (1 when the family does not scale)
};

// The index in [0, n) whose value ranks above all others that are `eligible`
// (ties to the lower index), or -1 when none is eligible.
template <class Value, class Eligible>
CADRE_HD int64_t best_index(int64_t n, Value value, Eligible eligible) {
  int64_t best = -1;
  for (int64_t i = 0; i < n; ++i)
    if (eligible(i) && (best < 0 || ranks_above(value(i), value(best)))) best = i;
  return best;
}

// Whether top-k can choose routing.top_k experts: at least one, the groups
// dividing the experts, no more groups kept than there are, two experts per
// group when a group scores by its top two, and enough experts in the kept groups.
CADRE_HD inline bool topk_possible(const RoutingSpec& routing) {
  if (routing.group_score == GroupScore::None) return routing.top_k >= 1 && routing.top_k <= routing.experts;
  if (routing.n_group == 0 || routing.experts % routing.n_group != 0 || routing.topk_group > routing.n_group)
    return false;
  const uint64_t group_size = routing.experts / routing.n_group;
  const uint64_t min_group = routing.group_score == GroupScore::SumOfTop2 ? 2 : 1;
  return group_size >= min_group && routing.top_k >= 1 && routing.top_k <= group_size * routing.topk_group;
}

// One token's scores from its logits: the sigmoid of each, or their softmax.
CADRE_HD inline void score_row(Scoring scoring, const float* logits, uint32_t experts, float* scores) {
  if (scoring == Scoring::Sigmoid) {
    for (uint32_t e = 0; e < experts; ++e) scores[e] = sigmoid_f32(logits[e]);
  } else {
    softmax_row(logits, experts, scores);
  }
}

// A group's score: its best key, or its best and second-best keys added.
CADRE_HD inline float group_score(GroupScore rule, const float* keys, int64_t size) {
  const auto key = [&](int64_t i) { return keys[i]; };
  const int64_t first = best_index(size, key, [](int64_t) { return true; });
  if (rule == GroupScore::MaxOfGroup) return keys[first];
  const int64_t second = best_index(size, key, [&](int64_t i) { return i != first; });
  return add_rn(keys[first], keys[second]);
}

// topk_row's working memory for one token.
struct TopkRowScratch {
  float* keys;          // [experts]
  float* group_scores;  // [n_group]
  uint8_t* flags;       // [experts]
};

// Top-k of one token whose scores are `scores` [experts]: selection keys
// (score + bias[e], or the score when bias is null), the group limit (the
// experts of the topk_group best groups), the top_k best keys in slot order
// with ties to the lower expert and a NaN key below every number; then each
// slot's weight is its expert's score, divided by the slots' sum (+ epsilon,
// added in slot order) when normalising, times the scaling. ids and weights
// [top_k]. Requires topk_possible(routing).
CADRE_HD inline void topk_row(const RoutingSpec& routing, const float* scores, const float* bias,
                              const TopkRowScratch& scratch, int32_t* ids, float* weights) {
  constexpr uint8_t kAllowed = 1, kTaken = 2, kKept = 4;  // flags; kKept on a kept group's first expert
  const int64_t experts = routing.experts, k = routing.top_k;
  float* keys = scratch.keys;
  uint8_t* flags = scratch.flags;
  for (int64_t e = 0; e < experts; ++e) keys[e] = bias != nullptr ? add_rn(scores[e], bias[e]) : scores[e];

  if (routing.group_score == GroupScore::None) {
    for (int64_t e = 0; e < experts; ++e) flags[e] = kAllowed;
  } else {
    const int64_t groups = routing.n_group, size = experts / groups;
    float* group_scores = scratch.group_scores;
    for (int64_t e = 0; e < experts; ++e) flags[e] = 0;
    for (int64_t g = 0; g < groups; ++g) group_scores[g] = group_score(routing.group_score, keys + g * size, size);
    for (uint32_t n = 0; n < routing.topk_group; ++n) {
      const int64_t g = best_index(groups, [&](int64_t i) { return group_scores[i]; },
                                   [&](int64_t i) { return (flags[i * size] & kKept) == 0; });
      for (int64_t e = g * size; e < (g + 1) * size; ++e) flags[e] |= kAllowed;
      flags[g * size] |= kKept;
    }
  }

  for (int64_t slot = 0; slot < k; ++slot) {
    const int64_t e = best_index(experts, [&](int64_t i) { return keys[i]; },
                                 [&](int64_t i) { return (flags[i] & (kAllowed | kTaken)) == kAllowed; });
    flags[e] |= kTaken;
    ids[slot] = static_cast<int32_t>(e);
    weights[slot] = scores[e];
  }
  if (routing.normalise) {
    float sum = 0.0f;
    for (int64_t slot = 0; slot < k; ++slot) sum = add_rn(sum, weights[slot]);
    const float denominator = add_rn(sum, routing.norm_epsilon);
    for (int64_t slot = 0; slot < k; ++slot) weights[slot] = div_rn(weights[slot], denominator);
  }
  // A family without a scaling factor has 1.0 here, and multiplying by 1 is exact.
  for (int64_t slot = 0; slot < k; ++slot) weights[slot] = mul_rn(weights[slot], routing.scaling);
}

// The first index j < assignments whose expert ids[j] is outside [0, experts), or -1.
CADRE_HD inline int64_t first_expert_outside(const int32_t* ids, uint64_t assignments, uint32_t experts) {
  for (uint64_t j = 0; j < assignments; ++j)
    if (ids[j] < 0 || static_cast<uint32_t>(ids[j]) >= experts) return static_cast<int64_t>(j);
  return -1;
}

// The rows align makes at most: every assignment, plus the padding of each
// expert that can have rows (at most one per assignment) to the block.
CADRE_HD constexpr uint64_t align_max_rows(uint64_t tokens, uint64_t top_k, uint64_t experts, uint64_t block) {
  const uint64_t assignments = tokens * top_k;
  const uint64_t padded_experts = assignments < experts ? assignments : experts;
  return assignments + padded_experts * (block - 1);
}

// align, first half: offsets [experts + 1], expert e's rows being
// [offsets[e], offsets[e + 1]): its count of the assignments ids
// [assignments] padded up to a multiple of `block`. counts: [experts], left
// holding each expert's count.
CADRE_HD inline void align_offsets(const int32_t* ids, uint64_t assignments, uint32_t experts, uint32_t block,
                                   int32_t* counts, int32_t* offsets) {
  for (uint32_t e = 0; e < experts; ++e) counts[e] = 0;
  for (uint64_t j = 0; j < assignments; ++j) ++counts[ids[j]];
  const auto b = static_cast<int32_t>(block);
  offsets[0] = 0;
  for (uint32_t e = 0; e < experts; ++e) offsets[e + 1] = offsets[e] + (counts[e] + b - 1) / b * b;
}

// align, second half: rows [0, offsets[experts]) of row_tokens and
// row_weights. Each expert's rows hold its assignments j = t * top_k + slot in
// increasing j (token t, weight weights[j]), then padding (token -1, weight
// 0.0). assignment_rows [assignments], when not null, gets each assignment's
// row. next: [experts] scratch.
CADRE_HD inline void align_rows(const int32_t* ids, const float* weights, uint64_t assignments, uint32_t top_k,
                                uint32_t experts, const int32_t* offsets, int32_t* next, int32_t* row_tokens,
                                float* row_weights, int32_t* assignment_rows) {
  for (int32_t r = 0; r < offsets[experts]; ++r) {
    row_tokens[r] = -1;
    row_weights[r] = 0.0f;
  }
  for (uint32_t e = 0; e < experts; ++e) next[e] = offsets[e];
  for (uint64_t j = 0; j < assignments; ++j) {
    const int32_t r = next[ids[j]]++;
    row_tokens[r] = static_cast<int32_t>(j / top_k);
    row_weights[r] = weights[j];
    if (assignment_rows != nullptr) assignment_rows[j] = r;
  }
}

}  // namespace cadre::num
