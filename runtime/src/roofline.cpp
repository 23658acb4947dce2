#include "cadre/runtime/roofline.h"

#include "cadre/golden/routing.h"

namespace cadre::runtime {
namespace {

double blocks(double n) { return static_cast<double>((static_cast<uint64_t>(n) + 127) / 128); }

// Bytes of a [rows, cols] weight matrix with its 128 x 128 block scales (FP8) or in BF16.
double weight_bytes(double rows, double cols, model::Precision p) {
  if (p == model::Precision::Bf16) return rows * cols * 2;
  return rows * cols + blocks(rows) * blocks(cols) * 4;
}

}  // namespace

LayerWork layer_work(const model::MoeLayerSpec& spec, uint32_t tokens, model::Precision precision,
                     std::span<const uint64_t> expert_rows) {
  const double T = tokens, H = spec.hidden, E = spec.routing.experts, W = spec.expert_width, S = spec.shared.width;
  LayerWork w;
  w.flops = 2 * T * E * H + 2 * T * 3 * S * H;
  w.hbm_bytes = T * H * 2 /* x */ + T * H * 2 /* out */ + E * H * 2 /* router */;
  if (S > 0) w.hbm_bytes += 3 * weight_bytes(S, H, precision) + (spec.shared.sigmoid_gate ? H * 2 : 0);
  for (uint64_t rows : expert_rows) {
    if (rows == 0) continue;
    w.flops += 2 * static_cast<double>(rows) * 3 * W * H;
    w.hbm_bytes += 3 * weight_bytes(W, H, precision);
  }
  return w;
}

Roofline roofline(const arch::ArchConfig& arch, const LayerWork& work) {
  Roofline r;
  r.compute_cycles = work.flops / (2.0 * static_cast<double>(arch::peak_macs_per_cycle(arch)));
  r.memory_cycles = work.hbm_bytes / arch::hbm_bytes_per_cycle(arch);
  return r;
}

std::vector<uint64_t> routed_rows(const golden::LayerWeights& weights) {
  using weights::Role;
  const model::MoeLayerSpec& spec = weights.spec();
  const golden::MatrixF logits = golden::router_gemm(weights.bf16({Role::Input}), weights.bf16({Role::RouterWeight}));
  golden::MatrixF bias;
  if (spec.routing.selection_bias) bias = weights.fp32({Role::RouterBias});
  const golden::TopK chosen = golden::topk(spec.routing, logits, {bias.data(), static_cast<size_t>(bias.size())});
  std::vector<uint64_t> rows(spec.routing.experts, 0);
  for (const int32_t e : chosen.ids.reshaped()) ++rows.at(static_cast<size_t>(e));
  return rows;
}

}  // namespace cadre::runtime
