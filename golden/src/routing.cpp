#include "cadre/golden/routing.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/numerics/gemm.h"
#include "cadre/numerics/ordering.h"
#include "cadre/numerics/softmax.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::golden {
namespace {

// The index in [0, n) with the best value among those `eligible` and not yet
// `taken`, or -1 when none is left.
template <class Value, class Eligible>
Index best_index(Index n, Value value, Eligible eligible) {
  Index best = -1;
  for (Index i = 0; i < n; ++i)
    if (eligible(i) && (best < 0 || num::ranks_above(value(i), value(best)))) best = i;
  return best;
}

// The group's score: its best key, or its two best keys added (best + second).
float group_score(model::GroupScore rule, const float* keys, Index size) {
  const Index first = best_index(size, [&](Index i) { return keys[i]; }, [](Index) { return true; });
  if (rule == model::GroupScore::MaxOfGroup) return keys[first];
  const Index second = best_index(size, [&](Index i) { return keys[i]; }, [&](Index i) { return i != first; });
  return num::add_rn(keys[first], keys[second]);
}

}  // namespace

MatrixF router_gemm(const MatrixU16& x, const MatrixU16& router) {
  if (x.cols() != router.cols())
    throw std::invalid_argument(fmt::format("router_gemm: x has {} columns, the router {}", x.cols(), router.cols()));
  MatrixF logits(x.rows(), router.rows());
  num::gemm_bf16(x.rows(), router.rows(), x.cols(), x.data(), x.cols(), router.data(), router.cols(), logits.data(),
                 logits.cols(), false);
  return logits;
}

TopK topk(const model::RoutingSpec& routing, const MatrixF& logits, std::span<const float> bias) {
  const Index experts = routing.experts, k = routing.top_k;
  if (logits.cols() != experts || (routing.selection_bias && bias.size() != routing.experts))
    throw std::invalid_argument(fmt::format("topk: {} logits and {} biases per token for {} experts", logits.cols(),
                                            bias.size(), experts));
  // The limits model::load_model enforces, checked again for hand-made specs.
  const bool grouped = routing.group_score != model::GroupScore::None;
  const Index group_size = grouped && routing.n_group > 0 ? experts / routing.n_group : experts;
  const Index min_group = routing.group_score == model::GroupScore::SumOfTop2 ? 2 : 1;
  const Index eligible = grouped ? group_size * routing.topk_group : experts;
  if (k < 1 || (grouped && (routing.n_group == 0 || experts % routing.n_group != 0 ||
                            routing.topk_group > routing.n_group || group_size < min_group)) ||
      k > eligible)
    throw std::invalid_argument(fmt::format("topk: cannot choose {} of {} experts in {} groups keeping {}", k,
                                            experts, routing.n_group, routing.topk_group));
  TopK out{MatrixI32(logits.rows(), k), MatrixF(logits.rows(), k)};
  std::vector<float> scores(experts), keys(experts);
  std::vector<bool> allowed(experts), taken(experts);
  for (Index t = 0; t < logits.rows(); ++t) {
    if (routing.scoring == model::Scoring::Sigmoid) {
      for (Index e = 0; e < experts; ++e) scores[e] = num::sigmoid_f32(logits(t, e));
    } else {
      num::softmax_row(&logits(t, 0), experts, scores.data());
    }
    for (Index e = 0; e < experts; ++e) keys[e] = routing.selection_bias ? num::add_rn(scores[e], bias[e]) : scores[e];

    // Group limit: keep the experts of the topk_group best groups.
    std::fill(allowed.begin(), allowed.end(), routing.group_score == model::GroupScore::None);
    if (routing.group_score != model::GroupScore::None) {
      const Index groups = routing.n_group, size = group_size;
      std::vector<float> group_scores(groups);
      for (Index g = 0; g < groups; ++g) group_scores[g] = group_score(routing.group_score, &keys[g * size], size);
      std::vector<bool> kept(groups);
      for (uint32_t n = 0; n < routing.topk_group; ++n) {
        const Index g = best_index(groups, [&](Index i) { return group_scores[i]; }, [&](Index i) { return !kept[i]; });
        kept[g] = true;
        for (Index e = g * size; e < (g + 1) * size; ++e) allowed[e] = true;
      }
    }

    std::fill(taken.begin(), taken.end(), false);
    for (Index slot = 0; slot < k; ++slot) {
      const Index e = best_index(experts, [&](Index i) { return keys[i]; }, [&](Index i) { return allowed[i] && !taken[i]; });
      taken[e] = true;
      out.ids(t, slot) = static_cast<int32_t>(e);
      out.weights(t, slot) = scores[e];
    }

    if (routing.normalise) {
      float sum = 0.0f;
      for (Index slot = 0; slot < k; ++slot) sum = num::add_rn(sum, out.weights(t, slot));
      const float denominator = num::add_rn(sum, routing.norm_epsilon);
      for (Index slot = 0; slot < k; ++slot) out.weights(t, slot) = num::div_rn(out.weights(t, slot), denominator);
    }
    // A family without a scaling factor has 1.0 here, and multiplying by 1 is exact.
    for (Index slot = 0; slot < k; ++slot) out.weights(t, slot) = num::mul_rn(out.weights(t, slot), routing.scaling);
  }
  return out;
}

Alignment align(const TopK& topk, uint32_t experts, uint32_t block) {
  if (block == 0) throw std::invalid_argument("align: block must be positive");
  const Index tokens = topk.ids.rows(), k = topk.ids.cols();
  std::vector<int32_t> counts(experts, 0);
  for (Index j = 0; j < tokens * k; ++j) {
    const int32_t e = topk.ids(j / k, j % k);
    if (e < 0 || static_cast<uint32_t>(e) >= experts)
      throw std::invalid_argument(fmt::format("align: expert {} out of [0, {})", e, experts));
    ++counts[e];
  }
  Alignment a;
  a.offsets.resize(experts + 1);
  a.offsets[0] = 0;
  for (uint32_t e = 0; e < experts; ++e) {
    const int32_t padded = (counts[e] + static_cast<int32_t>(block) - 1) / static_cast<int32_t>(block) *
                           static_cast<int32_t>(block);
    a.offsets[e + 1] = a.offsets[e] + padded;
  }
  a.tokens.assign(a.offsets[experts], -1);
  a.row_weights.assign(a.offsets[experts], 0.0f);
  std::vector<int32_t> next(a.offsets.begin(), a.offsets.end() - 1);
  // Assignments in increasing j land in increasing rows within their expert's range.
  for (Index j = 0; j < tokens * k; ++j) {
    const int32_t row = next[topk.ids(j / k, j % k)]++;
    a.tokens[row] = static_cast<int32_t>(j / k);
    a.row_weights[row] = topk.weights(j / k, j % k);
  }
  return a;
}

}  // namespace cadre::golden
