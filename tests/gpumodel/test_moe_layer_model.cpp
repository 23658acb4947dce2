// Per-kernel times of a whole MoE layer: which kernels run, the bytes of each
// memory-bound kernel for a known spec, and the uniform expert load.
#include <gtest/gtest.h>

#include <numeric>

#include "cadre/gpumodel/moe_layer_model.h"

namespace cadre::gpumodel {
namespace {

using model::Kernel;
using model::Phase;
using model::Precision;

// H = 256, W = 128, 4 experts, top-2, no shared expert.
model::MoeLayerSpec small_spec() {
  model::MoeLayerSpec spec;
  spec.hidden = 256;
  spec.expert_width = 128;
  spec.routing.experts = 4;
  spec.routing.top_k = 2;
  return spec;
}

const KernelTime& find(const std::vector<KernelTime>& times, Kernel k) {
  for (const KernelTime& t : times)
    if (t.kernel == k) return t;
  throw std::runtime_error("kernel missing: " + std::string(model::name(k)));
}

bool has(const std::vector<KernelTime>& times, Kernel k) {
  return std::any_of(times.begin(), times.end(), [&](const KernelTime& t) { return t.kernel == k; });
}

TEST(MoeLayerModel, BytesOfEachStreamingKernelPrefill) {
  // 10 tokens x top-2 = 20 assignments, expert rows {5, 5, 10, 0}; padded to
  // 128 each in the contiguous layout: R = 384 rows.
  const std::vector<uint64_t> rows = {5, 5, 10, 0};
  const auto t = model_moe_layer(small_spec(), find_gpu("h100"), 10, Precision::Fp8, Phase::Prefill, rows);
  const double fp8_row = 256 + 2 * 4;  // H codes + 2 scales
  EXPECT_DOUBLE_EQ(find(t, Kernel::TopK).bytes, 10 * 4 * 4 + 20 * 8);
  EXPECT_DOUBLE_EQ(find(t, Kernel::Align).bytes, 20 * 8 + 5 * 4 + 384 * 8);
  EXPECT_DOUBLE_EQ(find(t, Kernel::InputQuant).bytes, 10 * 256 * 2 + 10 * fp8_row);
  EXPECT_DOUBLE_EQ(find(t, Kernel::Permute).bytes, (20 + 384) * fp8_row + 384 * 4);
  EXPECT_DOUBLE_EQ(find(t, Kernel::SiluMulQuant).bytes, 384 * 2 * 128 * 2 + 384 * (128 + 4));
  EXPECT_DOUBLE_EQ(find(t, Kernel::Combine).bytes, 20 * 8 + 20 * 256 * 2 + 10 * 256 * 2);
  // Router: x, the router weight (BF16) and FP32 logits.
  EXPECT_DOUBLE_EQ(find(t, Kernel::RouterGemm).bytes, 10 * 256 * 2 + 4 * 256 * 2 + 10 * 4 * 4);
  EXPECT_DOUBLE_EQ(find(t, Kernel::RouterGemm).flops, 2.0 * 10 * 4 * 256);
  // Gate+up over the padded rows: 3 active experts' weights [2W, H].
  EXPECT_DOUBLE_EQ(find(t, Kernel::GateUpGemm).flops, 2.0 * 384 * 256 * 256);
  EXPECT_FALSE(has(t, Kernel::SharedExpert));
}

TEST(MoeLayerModel, DecodeUsesTheRealRowsAndBf16SkipsQuantisation) {
  const std::vector<uint64_t> rows = {5, 5, 10, 0};
  const auto t = model_moe_layer(small_spec(), find_gpu("h100"), 10, Precision::Bf16, Phase::Decode, rows);
  EXPECT_FALSE(has(t, Kernel::InputQuant));
  EXPECT_DOUBLE_EQ(find(t, Kernel::Permute).bytes, (20 + 20) * 256 * 2 + 20 * 4);
  EXPECT_DOUBLE_EQ(find(t, Kernel::SiluMulQuant).bytes, 20 * 2 * 128 * 2 + 20 * 128 * 2);
  EXPECT_DOUBLE_EQ(find(t, Kernel::DownGemm).flops, 2.0 * 20 * 256 * 128);
}

TEST(MoeLayerModel, KernelsComeInKernelsDefOrder) {
  model::MoeLayerSpec spec = small_spec();
  spec.shared.width = 256;
  const auto t = model_moe_layer(spec, find_gpu("h800"), 64, Precision::Fp8, Phase::Prefill);
  const std::vector<Kernel> expected = {Kernel::RouterGemm,  Kernel::TopK,         Kernel::Align,
                                           Kernel::InputQuant,  Kernel::Permute,      Kernel::GateUpGemm,
                                           Kernel::SiluMulQuant, Kernel::DownGemm,    Kernel::SharedExpert,
                                           Kernel::Combine};
  ASSERT_EQ(t.size(), expected.size());
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].kernel, expected[i]) << i;
    EXPECT_GT(t[i].time_us, kHopper.launch_us) << model::name(t[i].kernel);
  }
  EXPECT_EQ(model::name(Kernel::SiluMulQuant), "silu_mul_quant");
}

TEST(MoeLayerModel, UniformLoadSpreadsOverTheExpectedActiveExperts) {
  EXPECT_DOUBLE_EQ(expected_active_experts(256, 8, 1), 8.0);
  EXPECT_NEAR(expected_active_experts(256, 8, 4096), 256.0, 1e-6);
  // 16 tokens x top-8 of 256: 256 (1 - (31/32)^16) = 101.96 experts.
  EXPECT_NEAR(expected_active_experts(256, 8, 16), 101.96, 0.01);
  model::RoutingSpec r;
  r.experts = 256;
  r.top_k = 8;
  const std::vector<uint64_t> rows = uniform_expert_rows(r, 16);
  EXPECT_EQ(std::accumulate(rows.begin(), rows.end(), uint64_t{0}), 128u);
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](uint64_t n) { return n > 0; }), 102);
  EXPECT_EQ(*std::max_element(rows.begin(), rows.end()), 2u);
}

TEST(MoeLayerModel, InconsistentCountsAreRefused) {
  const std::vector<uint64_t> wrong_sum = {5, 5, 5, 0};
  EXPECT_THROW(model_moe_layer(small_spec(), find_gpu("h100"), 10, Precision::Fp8, Phase::Prefill, wrong_sum),
               std::invalid_argument);
  EXPECT_THROW(model_moe_layer(small_spec(), find_gpu("h100"), 0, Precision::Fp8, Phase::Prefill),
               std::invalid_argument);
}

TEST(MoeLayerModel, DeepSeekV3DecodeOnH200SpeedsUpOnlyTheMemoryBound) {
  const model::MoeLayerSpec spec = model::load_model("deepseek-v3");
  const auto h100 = model_moe_layer(spec, find_gpu("h100"), 128, Precision::Fp8, Phase::Decode);
  const auto h200 = model_moe_layer(spec, find_gpu("h200"), 128, Precision::Fp8, Phase::Decode);
  ASSERT_EQ(h100.size(), h200.size());
  for (size_t i = 0; i < h100.size(); ++i) {
    EXPECT_LE(h200[i].time_us, h100[i].time_us) << model::name(h100[i].kernel);
    if (h100[i].bound == Bound::Memory) {
      EXPECT_LT(h200[i].time_us, 0.9 * h100[i].time_us) << model::name(h100[i].kernel);
    }
  }
  // Decode streams every active expert's weights: the grouped GEMMs are memory bound.
  EXPECT_EQ(find(h100, Kernel::GateUpGemm).bound, Bound::Memory);
  // A compute-bound prefill GEMM gains little from the bandwidth: only its
  // epilogue writes and the unhidden share of its streaming get faster.
  const auto p100 = model_moe_layer(spec, find_gpu("h100"), 16384, Precision::Fp8, Phase::Prefill);
  const auto p200 = model_moe_layer(spec, find_gpu("h200"), 16384, Precision::Fp8, Phase::Prefill);
  EXPECT_EQ(find(p100, Kernel::GateUpGemm).bound, Bound::Compute);
  EXPECT_GT(find(p200, Kernel::GateUpGemm).time_us, 0.9 * find(p100, Kernel::GateUpGemm).time_us);
}

}  // namespace
}  // namespace cadre::gpumodel
