// The bundled models shrunk to test size with config overrides (widths of 256
// or so, 8 to 32 experts), keeping each family's routing rules.
#pragma once

#include <string>
#include <vector>

#include "cadre/model/layer_spec.h"

namespace cadre::golden::test {

struct ShrunkModel {
  std::string label;  // a test-name-safe name
  std::string bundled;
  std::vector<model::Override> overrides;

  model::MoeLayerSpec spec() const { return model::load_model(bundled, overrides); }
};

inline std::vector<ShrunkModel> shrunk_models() {
  return {
      // 32 experts in 8 groups of 4, 4 groups kept, top-8: the group limit matters.
      {"DeepSeekV3", "deepseek-v3", {{"hidden_size", "256"}, {"n_routed_experts", "32"}, {"moe_intermediate_size", "256"}}},
      // Partial 128-blocks in K and in the weights' scale grid; two shared experts.
      {"DeepSeekV2Lite", "deepseek-v2-lite",
       {{"hidden_size", "320"}, {"n_routed_experts", "16"}, {"moe_intermediate_size", "192"}}},
      {"DeepSeekV2GroupLimited", "deepseek-v2-lite",
       {{"hidden_size", "256"}, {"n_routed_experts", "16"}, {"moe_intermediate_size", "256"},
        {"topk_method", "group_limited_greedy"}, {"n_group", "4"}, {"topk_group", "2"}}},
      {"Mixtral", "mixtral-8x7b", {{"hidden_size", "256"}, {"intermediate_size", "256"}}},
      {"Qwen15Moe", "qwen1.5-moe-a2.7b",
       {{"hidden_size", "256"}, {"num_experts", "16"}, {"moe_intermediate_size", "256"},
        {"shared_expert_intermediate_size", "512"}}},
      {"Qwen3Moe", "qwen3-30b-a3b", {{"hidden_size", "256"}, {"num_experts", "16"}, {"moe_intermediate_size", "256"}}},
      {"Olmoe", "olmoe-1b-7b", {{"hidden_size", "256"}, {"num_experts", "16"}, {"intermediate_size", "256"}}},
  };
}

}  // namespace cadre::golden::test
