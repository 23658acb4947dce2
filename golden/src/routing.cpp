#include "cadre/golden/routing.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/numerics/gemm.h"
#include "cadre/numerics/routing.h"

namespace cadre::golden {

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
  if (!num::topk_possible(routing))
    throw std::invalid_argument(fmt::format("topk: cannot choose {} of {} experts in {} groups keeping {}", k,
                                            experts, routing.n_group, routing.topk_group));
  TopK out{MatrixI32(logits.rows(), k), MatrixF(logits.rows(), k)};
  std::vector<float> scores(experts), keys(experts), group_scores(routing.n_group);
  std::vector<uint8_t> flags(experts);
  const num::TopkRowScratch scratch{keys.data(), group_scores.data(), flags.data()};
  for (Index t = 0; t < logits.rows(); ++t) {
    num::score_row(routing.scoring, &logits(t, 0), routing.experts, scores.data());
    num::topk_row(routing, scores.data(), routing.selection_bias ? bias.data() : nullptr, scratch, &out.ids(t, 0),
                  &out.weights(t, 0));
  }
  return out;
}

Alignment align(const TopK& topk, uint32_t experts, uint32_t block) {
  if (block == 0) throw std::invalid_argument("align: block must be positive");
  const auto assignments = static_cast<uint64_t>(topk.ids.size());
  // ids and weights are row-major [T, k]: assignment j = t * k + slot.
  const int32_t* ids = topk.ids.data();
  if (const int64_t j = num::first_expert_outside(ids, assignments, experts); j >= 0)
    throw std::invalid_argument(fmt::format("align: expert {} out of [0, {})", ids[j], experts));
  Alignment a;
  std::vector<int32_t> counts(experts);
  a.offsets.resize(experts + 1);
  num::align_offsets(ids, assignments, experts, block, counts.data(), a.offsets.data());
  a.tokens.resize(static_cast<size_t>(a.offsets[experts]));
  a.row_weights.resize(a.tokens.size());
  num::align_rows(ids, topk.weights.data(), assignments, static_cast<uint32_t>(topk.ids.cols()), experts,
                  a.offsets.data(), counts.data(), a.tokens.data(), a.row_weights.data(), nullptr);
  return a;
}

}  // namespace cadre::golden
