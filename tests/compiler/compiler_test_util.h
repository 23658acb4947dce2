// Shrunk real layers the compiler tests share: each bundled family at sizes
// that compile and simulate in a fraction of a second.
#pragma once

#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/frontend.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::test {

struct ShrunkLayer {
  std::string name;  // test name
  std::string model;
  std::vector<model::Override> sets;
};

inline std::vector<ShrunkLayer> shrunk_layers() {
  const auto o = [](std::string k, std::string v) { return model::Override{std::move(k), std::move(v)}; };
  return {
      {"DeepSeekV3", "deepseek-v3",
       {o("hidden_size", "256"), o("moe_intermediate_size", "256"), o("n_routed_experts", "16"), o("n_group", "4"),
        o("topk_group", "2"), o("num_experts_per_tok", "4")}},
      {"DeepSeekV2Lite", "deepseek-v2-lite", {o("hidden_size", "256"), o("moe_intermediate_size", "256"), o("n_routed_experts", "16")}},
      {"Mixtral", "mixtral-8x7b", {o("hidden_size", "256"), o("intermediate_size", "256")}},
      {"Qwen15Moe", "qwen1.5-moe-a2.7b",
       {o("hidden_size", "256"), o("moe_intermediate_size", "256"), o("shared_expert_intermediate_size", "256"),
        o("num_experts", "16")}},
      {"Qwen3Moe", "qwen3-30b-a3b", {o("hidden_size", "256"), o("moe_intermediate_size", "256"), o("num_experts", "16")}},
      {"Olmoe", "olmoe-1b-7b", {o("hidden_size", "256"), o("intermediate_size", "256"), o("num_experts", "16")}},
  };
}

inline compiler::LayerRequest shrunk_request(const ShrunkLayer& l, const std::string& phase, uint32_t tokens,
                                             const std::string& precision, const std::string& arch) {
  compiler::LayerRequest r;
  r.spec = model::load_model(l.model, l.sets);
  r.phase = *model::parse_phase(phase);
  r.tokens = tokens;
  r.precision = *model::parse_precision(precision);
  r.arch = arch;
  return r;
}

}  // namespace cadre::test
