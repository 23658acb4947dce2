// Synthetic weights are a pure function of their coordinates, with the scale
// and the FP8 storage the generator documents.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "cadre/numerics/convert.h"
#include "cadre/weights/synthetic.h"

namespace cadre::weights {
namespace {

SyntheticLayer layer(uint64_t seed = 7) { return SyntheticLayer(model::load_model("deepseek-v3"), seed, 4); }

TEST(Synthetic, ShapesFollowTheSpec) {
  const SyntheticLayer l = layer();
  EXPECT_EQ(l.shape({Role::Input}), (Shape{4, 7168}));
  EXPECT_EQ(l.shape({Role::RouterWeight}), (Shape{256, 7168}));
  EXPECT_EQ(l.shape({Role::RouterBias}), (Shape{1, 256}));
  EXPECT_EQ(l.shape({Role::ExpertUp, 3}), (Shape{2048, 7168}));
  EXPECT_EQ(l.shape({Role::ExpertDown, 3}), (Shape{7168, 2048}));
  EXPECT_EQ(l.shape({Role::SharedDown}), (Shape{7168, 2048}));
}

TEST(Synthetic, ElementsArePureFunctionsOfTheirCoordinates) {
  const SyntheticLayer a = layer(), b = layer(), other_seed = layer(8);
  int differ = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    const TensorRef t{Role::ExpertGate, static_cast<uint32_t>(i % 256)};
    EXPECT_EQ(a.fp8(t, i, 7 * i), b.fp8(t, i, 7 * i));
    EXPECT_EQ(a.bf16({Role::Input}, i % 4, i), b.bf16({Role::Input}, i % 4, i));
    differ += a.unit(t, i, i) != other_seed.unit(t, i, i);
  }
  EXPECT_GT(differ, 990);
  // Pinned values: a change to the generator changes every stored result, so it must be deliberate.
  EXPECT_EQ(a.unit({Role::ExpertUp, 5}, 100, 200), -0x1.d6b4c8p-2f);
  EXPECT_EQ(a.fp8({Role::ExpertGate, 3}, 10, 20), 235);
  EXPECT_EQ(a.bf16({Role::Input}, 1, 2), 48776);
  EXPECT_EQ(a.scale_inv({Role::ExpertDown, 2}, 3, 4), 0x1.5d6334p-14f);
  EXPECT_EQ(a.fp32({Role::RouterBias}, 0, 9), -0x1.a8375ap-7f);
  EXPECT_NE(a.unit({Role::ExpertUp, 5}, 100, 200), a.unit({Role::ExpertUp, 6}, 100, 200));
  EXPECT_NE(a.unit({Role::ExpertUp, 5}, 100, 200), a.unit({Role::ExpertGate, 5}, 100, 200));
}

TEST(Synthetic, UnitDrawsAreUniformInMinusOneToOne) {
  const SyntheticLayer l = layer();
  double sum = 0, sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const float u = l.unit({Role::ExpertDown, 1}, static_cast<uint64_t>(i) / 512, static_cast<uint64_t>(i) % 512);
    ASSERT_GE(u, -1.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
    sum_sq += double(u) * u;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / n, 1.0 / 3.0, 0.01);  // the variance of U(-1, 1)
}

TEST(Synthetic, Bf16WeightsHaveStandardDeviationOneOverSqrtFanIn) {
  const SyntheticLayer l = layer();
  double sum_sq = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i)
    sum_sq += std::pow(num::bf16_to_float(l.bf16({Role::RouterWeight}, static_cast<uint64_t>(i) % 256,
                                                   static_cast<uint64_t>(i) / 256)), 2);
  EXPECT_NEAR(std::sqrt(sum_sq / n) * std::sqrt(7168.0), 1.0, 0.02);
}

TEST(Synthetic, Fp8WeightsAreFiniteCodesWithBlockScalesNearTheRealRange) {
  const SyntheticLayer l = layer();
  const TensorRef t{Role::ExpertGate, 0};
  const float a = std::sqrt(3.0f / 7168.0f);
  for (uint64_t i = 0; i < 4096; ++i) {
    const uint8_t code = l.fp8(t, i, i * 3);
    EXPECT_NE(code & 0x7F, 0x7F) << "NaN code";
    const float s = l.scale_inv(t, i % 16, i % 56);
    EXPECT_GE(s * 448.0f, 0.5f * a * 0.999f);
    EXPECT_LE(s * 448.0f, a * 1.001f);
    EXPECT_LE(std::fabs(num::e4m3_to_float(code) * s), a * 1.001f);
  }
}

TEST(Synthetic, RowsAreTheElementsMadeOneByOne) {
  const model::MoeLayerSpec spec = model::load_model("deepseek-v3");
  const SyntheticLayer l(spec, 11, 3);
  for (const TensorRef t : {TensorRef{Role::ExpertGate, 200}, TensorRef{Role::ExpertDown, 5}, TensorRef{Role::SharedUp}}) {
    std::vector<uint8_t> codes(7168 - 1000);  // the rest of a whole row
    l.fp8_row(t, 77, 1000, codes);
    for (size_t i = 0; i < codes.size(); ++i) ASSERT_EQ(codes[i], l.fp8(t, 77, 1000 + i)) << i;
  }
  for (const TensorRef t : {TensorRef{Role::Input}, TensorRef{Role::RouterWeight}, TensorRef{Role::ExpertUp, 9}}) {
    std::vector<uint16_t> values(129);
    l.bf16_row(t, 2, 64, values);
    for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], l.bf16(t, 2, 64 + i)) << i;
  }
}

// fp8_row and bf16_row run the build of them the CPU picks (x86-64-v4 where
// it has AVX-512): millions of their elements, against the one-by-one ones
// (the subnormal codes, under 2^-6, among them: about one element in 28 672).
TEST(Synthetic, RowMakersOfThisCpuMakeTheSameElements) {
  const model::MoeLayerSpec spec = model::load_model("deepseek-v3");
  const SyntheticLayer l(spec, 5, 3);
  const TensorRef gate{Role::ExpertGate, 17};
  std::vector<uint8_t> codes(7168);
  uint64_t subnormal = 0;
  for (uint64_t r = 0; r < 512; ++r) {
    l.fp8_row(gate, r, 0, codes);
    for (size_t i = 0; i < codes.size(); ++i) {
      ASSERT_EQ(codes[i], l.fp8(gate, r, i)) << r << " " << i;
      subnormal += (codes[i] & 0x78) == 0;
    }
  }
  EXPECT_GT(subnormal, 0u);
  const TensorRef up{Role::ExpertUp, 3};
  std::vector<uint16_t> values(7168);
  for (uint64_t r = 0; r < 64; ++r) {
    l.bf16_row(up, r, 0, values);
    for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], l.bf16(up, r, i)) << r << " " << i;
  }
}

TEST(Synthetic, FastE4m3CodeOfEveryHashIsTheConversions) {
  for (uint64_t top = 0; top < (uint64_t{1} << 24); ++top) {
    const float unit = static_cast<float>(static_cast<int32_t>(top) - (1 << 23)) * 0x1p-23f;
    ASSERT_EQ(unit_e4m3(top << 40 | 0xABCDEF), num::float_to_e4m3(num::mul_rn(unit, 448.0f))) << top;
  }
}

TEST(Synthetic, TensorNamesFollowEachFamilysCheckpoints) {
  using model::Family;
  EXPECT_EQ(checkpoint_name(Family::DeepSeekV3, {Role::ExpertUp, 17}), "mlp.experts.17.up_proj.weight");
  EXPECT_EQ(checkpoint_name(Family::DeepSeekV3, {Role::RouterBias}), "mlp.gate.e_score_correction_bias");
  EXPECT_EQ(checkpoint_name(Family::DeepSeekV2, {Role::SharedDown}), "mlp.shared_experts.down_proj.weight");
  EXPECT_EQ(checkpoint_name(Family::Mixtral, {Role::ExpertGate, 3}), "block_sparse_moe.experts.3.w1.weight");
  EXPECT_EQ(checkpoint_name(Family::Mixtral, {Role::ExpertUp, 3}), "block_sparse_moe.experts.3.w3.weight");
  EXPECT_EQ(checkpoint_name(Family::Mixtral, {Role::ExpertDown, 3}), "block_sparse_moe.experts.3.w2.weight");
  EXPECT_EQ(checkpoint_name(Family::Mixtral, {Role::RouterWeight}), "block_sparse_moe.gate.weight");
  EXPECT_EQ(checkpoint_name(Family::Qwen2Moe, {Role::SharedUp}), "mlp.shared_expert.up_proj.weight");
  EXPECT_EQ(checkpoint_name(Family::Qwen2Moe, {Role::SharedExpertGate}), "mlp.shared_expert_gate.weight");
  EXPECT_EQ(checkpoint_name(Family::Olmoe, {Role::ExpertDown, 63}), "mlp.experts.63.down_proj.weight");
  EXPECT_EQ(checkpoint_name(Family::Qwen3Moe, {Role::Input}), "input");
  EXPECT_THROW(checkpoint_name(Family::Mixtral, {Role::SharedGate}), std::invalid_argument);
  EXPECT_THROW(checkpoint_name(Family::Qwen3Moe, {Role::RouterBias}), std::invalid_argument);
}

}  // namespace
}  // namespace cadre::weights
