#include "cadre/golden/moe_golden.h"

#include <span>

#include "cadre/golden/layer_pipeline.h"
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

namespace {

// The golden model's kernels, each reading the trace and writing its outputs there.
class GoldenBackend final : public LayerBackend {
 public:
  explicit GoldenBackend(const LayerRun& layer) : layer_(layer) {}

  void run(model::Kernel kernel, MoeTrace& tr) override {
    const model::MoeLayerSpec& spec = layer_.spec;
    const LayerWeights& weights = layer_.weights;
    const bool fp8 = layer_.precision == model::Precision::Fp8;
    const std::span<const int32_t> tokens = tr.alignment.tokens;
    switch (kernel) {
      case model::Kernel::RouterGemm:
        tr.logits = router_gemm(tr.x, weights.bf16({weights::Role::RouterWeight}));
        break;
      case model::Kernel::TopK: {
        MatrixF bias;
        if (spec.routing.selection_bias) bias = weights.fp32({weights::Role::RouterBias});
        tr.topk = topk(spec.routing, tr.logits, std::span(bias.data(), static_cast<size_t>(bias.size())));
        break;
      }
      case model::Kernel::Align: tr.alignment = align(tr.topk, spec.routing.experts, layer_.block); break;
      case model::Kernel::InputQuant: tr.x_q = input_quant(tr.x); break;
      case model::Kernel::Permute:
        if (fp8) tr.permuted_fp8 = permute(tr.x_q, tokens);
        else tr.permuted_bf16 = permute(tr.x, tokens);
        break;
      case model::Kernel::GateUpGemm:
        tr.gate_up = fp8 ? gate_up_gemm(tr.permuted_fp8, tr.alignment, weights)
                         : gate_up_gemm(tr.permuted_bf16, tr.alignment, weights);
        break;
      case model::Kernel::SiluMulQuant:
        if (fp8) tr.act_fp8 = silu_mul_quant(tr.gate_up, tokens);
        else tr.act_bf16 = silu_mul_bf16(tr.gate_up, tokens);
        break;
      case model::Kernel::DownGemm:
        tr.down = fp8 ? down_gemm(tr.act_fp8, tr.alignment, weights) : down_gemm(tr.act_bf16, tr.alignment, weights);
        break;
      case model::Kernel::SharedExpert:
        tr.shared = fp8 ? shared_expert(weights, tr.x, tr.x_q) : shared_expert(weights, tr.x);
        break;
      case model::Kernel::Combine:
        tr.out = combine(tr.alignment, tr.down, tr.shared, tr.x.rows(), tr.x.cols());
        break;
    }
  }

  void finish(MoeTrace&) override {}

 private:
  const LayerRun& layer_;
};

}  // namespace

double trace_bytes(const model::MoeLayerSpec& spec, uint32_t tokens, model::Precision precision, uint32_t block) {
  const double t = tokens, h = spec.hidden, w = spec.expert_width, e = spec.routing.experts;
  const double element = precision == model::Precision::Fp8 ? 1 : 2;
  const double rows = t * spec.routing.top_k + e * (block - 1);
  // x, shared and out [T, H] BF16; logits [T, E]; per row: the permuted x,
  // gate_up, the activations, down, and the row's token and weight.
  return t * h * 2 * 3 + t * e * 4 + rows * (h * element + 2 * w * 2 + w * element + h * 2 + 8);
}

MoeTrace run_golden(const model::MoeLayerSpec& spec, const LayerWeights& weights, model::Precision precision,
                    uint32_t block) {
  const LayerRun layer{spec, weights, precision, block};
  GoldenBackend backend(layer);
  return run_layer(layer, backend);
}

}  // namespace cadre::golden
