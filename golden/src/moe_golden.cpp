#include "cadre/golden/moe_golden.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/numerics/convert.h"
#include "cadre/numerics/hd.h"

namespace cadre::golden {

MatrixU16 combine(const Alignment& alignment, const MatrixU16& down, const MatrixU16& shared, Index tokens,
                  Index hidden) {
  MatrixF acc = MatrixF::Zero(tokens, hidden);
  if (shared.size() != 0)
    for (Index t = 0; t < tokens; ++t)
      for (Index h = 0; h < hidden; ++h) acc(t, h) = num::bf16_to_float(shared(t, h));
  // Rows are in increasing expert order, and a token has at most one row per
  // expert, so each token's contributions arrive in increasing expert number.
  for (Index r = 0; r < static_cast<Index>(alignment.tokens.size()); ++r) {
    const int32_t t = alignment.tokens[r];
    if (t < 0) continue;
    const float w = alignment.row_weights[r];
    for (Index h = 0; h < hidden; ++h)
      acc(t, h) = num::add_rn(acc(t, h), num::mul_rn(w, num::bf16_to_float(down(r, h))));
  }
  MatrixU16 out(tokens, hidden);
  for (Index t = 0; t < tokens; ++t)
    for (Index h = 0; h < hidden; ++h) out(t, h) = num::float_to_bf16(acc(t, h));
  return out;
}

MoeTrace run_golden(const model::MoeLayerSpec& spec, const LayerWeights& weights, Precision precision,
                    uint32_t block) {
  if (spec.hidden != weights.spec().hidden || spec.routing.experts != weights.spec().routing.experts ||
      spec.expert_width != weights.spec().expert_width || spec.shared.width != weights.spec().shared.width)
    throw std::invalid_argument(
        fmt::format("run_golden: the weights are for '{}', not '{}'", weights.spec().name, spec.name));
  MoeTrace tr;
  tr.precision = precision;
  tr.x = weights.bf16({weights::Role::Input});
  tr.logits = router_gemm(tr.x, weights.bf16({weights::Role::RouterWeight}));
  MatrixF bias;
  if (spec.routing.selection_bias) bias = weights.fp32({weights::Role::RouterBias});
  tr.topk = topk(spec.routing, tr.logits, std::span(bias.data(), static_cast<size_t>(bias.size())));
  tr.alignment = align(tr.topk, spec.routing.experts, block);
  const std::span<const int32_t> tokens = tr.alignment.tokens;
  if (precision == Precision::Fp8) {
    tr.x_q = input_quant(tr.x);
    tr.permuted_fp8 = permute(tr.x_q, tokens);
    tr.gate_up = gate_up_gemm(tr.permuted_fp8, tr.alignment, weights);
    tr.act_fp8 = silu_mul_quant(tr.gate_up, tokens);
    tr.down = down_gemm(tr.act_fp8, tr.alignment, weights);
    tr.shared = shared_expert(weights, tr.x, tr.x_q);
  } else {
    tr.permuted_bf16 = permute(tr.x, tokens);
    tr.gate_up = gate_up_gemm(tr.permuted_bf16, tr.alignment, weights);
    tr.act_bf16 = silu_mul_bf16(tr.gate_up, tokens);
    tr.down = down_gemm(tr.act_bf16, tr.alignment, weights);
    tr.shared = shared_expert(weights, tr.x);
  }
  tr.out = combine(tr.alignment, tr.down, tr.shared, tr.x.rows(), tr.x.cols());
  return tr;
}

}  // namespace cadre::golden
