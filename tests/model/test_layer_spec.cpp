// Reading the MoE layer of each bundled real config, and the errors for bad ones.
#include <gtest/gtest.h>

#include <string>

#include "cadre/model/layer_spec.h"

namespace cadre::model {
namespace {

std::string error_of(std::string_view json, std::span<const Override> overrides = {}) {
  try {
    parse_model_config(json, "cfg.json", overrides);
  } catch (const ModelConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(LayerSpec, DeepSeekV3) {
  const MoeLayerSpec s = load_model("deepseek-v3");
  EXPECT_EQ(s.family, Family::DeepSeekV3);
  EXPECT_EQ(s.hidden, 7168u);
  EXPECT_EQ(s.expert_width, 2048u);
  EXPECT_EQ(s.routing.scoring, Scoring::Sigmoid);
  EXPECT_EQ(s.routing.experts, 256u);
  EXPECT_EQ(s.routing.top_k, 8u);
  EXPECT_EQ(s.routing.n_group, 8u);
  EXPECT_EQ(s.routing.topk_group, 4u);
  EXPECT_EQ(s.routing.group_score, GroupScore::SumOfTop2);
  EXPECT_TRUE(s.routing.selection_bias);
  EXPECT_TRUE(s.routing.normalise);
  EXPECT_EQ(s.routing.norm_epsilon, 1e-20f);
  EXPECT_EQ(s.routing.scaling, 2.5f);
  EXPECT_EQ(s.shared.width, 2048u);
  EXPECT_FALSE(s.shared.sigmoid_gate);
}

TEST(LayerSpec, DeepSeekV2LiteIsGreedySoftmaxWithTwoSharedExperts) {
  const MoeLayerSpec s = load_model("deepseek-v2-lite");
  EXPECT_EQ(s.family, Family::DeepSeekV2);
  EXPECT_EQ(s.routing.scoring, Scoring::Softmax);
  EXPECT_EQ(s.routing.experts, 64u);
  EXPECT_EQ(s.routing.top_k, 6u);
  EXPECT_EQ(s.routing.group_score, GroupScore::None);
  EXPECT_FALSE(s.routing.selection_bias);
  EXPECT_FALSE(s.routing.normalise);
  EXPECT_EQ(s.routing.scaling, 1.0f);
  EXPECT_EQ(s.shared.width, 2u * 1408u);
}

TEST(LayerSpec, DeepSeekV2GroupLimitedScoresGroupsByTheirMax) {
  const Override o[] = {{"topk_method", "group_limited_greedy"}, {"n_group", "8"}, {"topk_group", "3"},
                        {"routed_scaling_factor", "16.0"}};
  const MoeLayerSpec s = load_model("deepseek-v2-lite", o);
  EXPECT_EQ(s.routing.group_score, GroupScore::MaxOfGroup);
  EXPECT_EQ(s.routing.n_group, 8u);
  EXPECT_EQ(s.routing.topk_group, 3u);
  EXPECT_EQ(s.routing.scaling, 16.0f);  // V2 scales only weights it does not normalise
}

TEST(LayerSpec, MixtralAlwaysRenormalises) {
  const MoeLayerSpec s = load_model("mixtral-8x7b");
  EXPECT_EQ(s.family, Family::Mixtral);
  EXPECT_EQ(s.hidden, 4096u);
  EXPECT_EQ(s.expert_width, 14336u);
  EXPECT_EQ(s.routing.experts, 8u);
  EXPECT_EQ(s.routing.top_k, 2u);
  EXPECT_TRUE(s.routing.normalise);
  EXPECT_EQ(s.routing.norm_epsilon, 0.0f);
  EXPECT_EQ(s.shared.width, 0u);
}

TEST(LayerSpec, Qwen15MoeHasASigmoidGatedSharedExpert) {
  const MoeLayerSpec s = load_model("qwen1.5-moe-a2.7b");
  EXPECT_EQ(s.family, Family::Qwen2Moe);
  EXPECT_EQ(s.routing.experts, 60u);
  EXPECT_EQ(s.routing.top_k, 4u);
  EXPECT_FALSE(s.routing.normalise);
  EXPECT_EQ(s.expert_width, 1408u);
  EXPECT_EQ(s.shared.width, 5632u);
  EXPECT_TRUE(s.shared.sigmoid_gate);
}

TEST(LayerSpec, Qwen3AndOlmoe) {
  const MoeLayerSpec q = load_model("qwen3-30b-a3b");
  EXPECT_EQ(q.family, Family::Qwen3Moe);
  EXPECT_EQ(q.routing.experts, 128u);
  EXPECT_EQ(q.expert_width, 768u);
  EXPECT_TRUE(q.routing.normalise);
  const MoeLayerSpec o = load_model("olmoe-1b-7b");
  EXPECT_EQ(o.family, Family::Olmoe);
  EXPECT_EQ(o.routing.experts, 64u);
  EXPECT_EQ(o.expert_width, 1024u);
  EXPECT_FALSE(o.routing.normalise);
}

TEST(LayerSpec, OverridesShrinkAModel) {
  const Override o[] = {parse_override("hidden_size=512"), parse_override("moe_intermediate_size=256"),
                        parse_override("n_routed_experts=16"), parse_override("n_group=4"),
                        parse_override("topk_group=2")};
  const MoeLayerSpec s = load_model("deepseek-v3", o);
  EXPECT_EQ(s.hidden, 512u);
  EXPECT_EQ(s.expert_width, 256u);
  EXPECT_EQ(s.routing.experts, 16u);
  EXPECT_EQ(s.shared.width, 256u);
}

TEST(LayerSpec, ErrorsNameTheFieldAndReason) {
  const std::string base = R"({"model_type":"mixtral","hidden_size":64,"intermediate_size":128,)";
  EXPECT_EQ(error_of(base + R"("num_local_experts":4,"num_experts_per_tok":8})"),
            "cfg.json: num_experts_per_tok: 8 is more than the 4 experts (num_local_experts)");
  EXPECT_EQ(error_of(base + R"("num_experts_per_tok":2})"), "cfg.json: num_local_experts: missing (this family needs it)");
  EXPECT_EQ(error_of(base + R"("num_local_experts":-4,"num_experts_per_tok":2})"),
            "cfg.json: num_local_experts: must be positive, not -4");
  EXPECT_EQ(error_of(base + R"("num_local_experts":"8","num_experts_per_tok":2})"),
            "cfg.json: num_local_experts: must be a whole number, not \"8\"");
  EXPECT_EQ(error_of(R"({"model_type":"llama"})"),
            "cfg.json: model_type: 'llama' is not an MoE family Cadre reads (it reads deepseek_v3, deepseek_v2, "
            "mixtral, qwen2_moe, qwen3_moe, olmoe)");
  EXPECT_EQ(error_of(R"({"hidden_size": 4})"), "cfg.json: model_type: missing: Cadre reads a config by its model_type");
  EXPECT_EQ(error_of("[1, 2]"), "cfg.json: the config must be a JSON object");
  EXPECT_EQ(error_of(base + R"("num_local_experts":4,"num_experts_per_tok":2,"hidden_act":"gelu"})"),
            "cfg.json: hidden_act: 'gelu': Cadre's experts are SwiGLU (silu)");
}

TEST(LayerSpec, DerivedSizesCannotWrap) {
  // 256 x 2^24 is 2^32: in 32 bits the shared width would be 0.
  const std::string deepseek = R"({"model_type":"deepseek_v2","hidden_size":64,"n_routed_experts":4,)"
                               R"("num_experts_per_tok":2,"moe_intermediate_size":16777216,"n_shared_experts":256})";
  EXPECT_EQ(error_of(deepseek), "cfg.json: n_shared_experts: 256 shared experts of 16777216 (moe_intermediate_size) "
                                "are 4294967296 wide together: larger than Cadre supports (2^24)");
  const std::string mixtral = R"({"model_type":"mixtral","hidden_size":16777216,"intermediate_size":16777216,)"
                              R"("num_local_experts":4,"num_experts_per_tok":2})";
  EXPECT_EQ(error_of(mixtral), "cfg.json: intermediate_size: 16777216 x hidden_size 16777216 = 281474976710656 "
                               "elements in an expert's weight matrix: larger than Cadre supports (2^32 - 1)");
  const Override wide_shared[] = {{"shared_expert_intermediate_size", "16777216"}};
  try {
    load_model("qwen1.5-moe-a2.7b", wide_shared);
    ADD_FAILURE() << "accepted";
  } catch (const ModelConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("shared_expert_intermediate_size: 16777216 x hidden_size 2048"),
              std::string::npos)
        << e.what();
  }
}

TEST(LayerSpec, MalformedJsonGivesLineAndColumn) {
  const std::string e = error_of("{\n  \"model_type\": \"mixtral\",\n  \"hidden_size\": ,\n}");
  EXPECT_EQ(e.rfind("cfg.json:3:18: malformed JSON: syntax error", 0), 0u) << e;
}

TEST(LayerSpec, InconsistentGroupsAreRefused) {
  const Override not_dividing[] = {{"n_group", "7"}};
  EXPECT_THROW(load_model("deepseek-v3", not_dividing), ModelConfigError);
  try {
    load_model("deepseek-v3", not_dividing);
  } catch (const ModelConfigError& e) {
    EXPECT_STREQ(e.what(), "deepseek-v3: n_group: 7 groups do not divide the 256 experts");
  }
  const Override too_few[] = {{"topk_group", "1"}, {"num_experts_per_tok", "40"}};
  try {
    load_model("deepseek-v3", too_few);
    ADD_FAILURE() << "accepted";
  } catch (const ModelConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "deepseek-v3: topk_group: 1 groups of 32 experts hold fewer than the 40 experts chosen per token");
  }
}

TEST(LayerSpec, SetRefusesUnknownKeysWithASuggestion) {
  const Override typo[] = {{"hiden_size", "512"}};
  try {
    load_model("deepseek-v3", typo);
    ADD_FAILURE() << "accepted";
  } catch (const ModelConfigError& e) {
    EXPECT_STREQ(e.what(), "deepseek-v3: --set hiden_size: no such field (did you mean hidden_size?)");
  }
  EXPECT_THROW(parse_override("novalue"), ModelConfigError);
}

TEST(LayerSpec, SetRefusesAValueThatIsNotUtf8) {
  // Found by the fuzz target fuzz_model_config: quoting the value in the error
  // for a number field threw nlohmann's type_error instead.
  const Override bytes[] = {{"moe_intermediate_size", "\xff" "56"}};
  try {
    load_model("deepseek-v3", bytes);
    ADD_FAILURE() << "accepted";
  } catch (const ModelConfigError& e) {
    EXPECT_STREQ(e.what(), "deepseek-v3: --set moe_intermediate_size: the value is not UTF-8 text");
  }
}

TEST(LayerSpec, UnknownModelNameListsTheBundledOnes) {
  try {
    load_model("/nonexistent/config.json");
    ADD_FAILURE() << "accepted";
  } catch (const ModelConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not a bundled model (deepseek-v2-lite, deepseek-v3"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cadre::model
