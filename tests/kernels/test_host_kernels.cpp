// The host build of the GPU reference kernels against the golden model, bit for
// bit and kernel by kernel: every bundled family shrunk, FP8 and BF16, prefill
// and decode token counts, and DeepSeek-V3 at its real size for two tokens.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ostream>

#include "cadre/golden/moe_golden.h"
#include "cadre/kernels/moe_kernels.h"
#include "shrunk_models.h"
#include "trace_compare.h"

namespace cadre::kernels {
namespace {

using model::Kernel;
using model::Precision;

struct Case {
  golden::test::ShrunkModel model;
  Precision precision;
  uint32_t tokens;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  return c.model.label + (c.precision == Precision::Fp8 ? "_Fp8" : "_Bf16") + (c.tokens > 8 ? "_Prefill" : "_Decode");
}

// Printed in test names (ctest lists "# GetParam() = ..."): the case's name, not its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << case_name({c, 0}); }

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const golden::test::ShrunkModel& m : golden::test::shrunk_models())
    for (const Precision p : {Precision::Fp8, Precision::Bf16})
      for (const uint32_t t : {64u, 4u}) cases.push_back({m, p, t});
  return cases;
}

class HostKernelsVersusGolden : public ::testing::TestWithParam<Case> {};

TEST_P(HostKernelsVersusGolden, EveryKernelBitIdentical) {
  const Case& c = GetParam();
  const model::MoeLayerSpec spec = c.model.spec();
  const golden::SyntheticWeights weights(weights::SyntheticLayer(spec, 2024, c.tokens));
  const golden::MoeTrace expected = golden::run_golden(spec, weights, c.precision);
  const KernelRun run = run_host(spec, weights, c.precision);
  golden::test::expect_same_trace(run.trace, expected);
  // The padding must be exercised: some expert has padding rows.
  EXPECT_GT(run.trace.alignment.tokens.size(), size_t{c.tokens} * spec.routing.top_k);
  for (size_t k = 0; k < model::kKernelCount; ++k) EXPECT_GE(run.seconds[k], 0.0);
}

INSTANTIATE_TEST_SUITE_P(Families, HostKernelsVersusGolden, ::testing::ValuesIn(all_cases()), case_name);

// Another alignment block (DeepGEMM's 64-row variant) changes where rows live, not their values.
TEST(HostKernels, SmallerAlignmentBlockMatchesGolden) {
  const model::MoeLayerSpec spec = golden::test::shrunk_models()[0].spec();
  const golden::SyntheticWeights weights(weights::SyntheticLayer(spec, 7, 16));
  golden::test::expect_same_trace(run_host(spec, weights, Precision::Fp8, 64).trace,
                                  golden::run_golden(spec, weights, Precision::Fp8, 64));
}

TEST(HostKernels, WeightsOfAnotherModelAreRejected) {
  const auto models = golden::test::shrunk_models();
  const golden::SyntheticWeights weights(weights::SyntheticLayer(models[3].spec(), 1, 4));
  EXPECT_THROW(run_host(models[0].spec(), weights, Precision::Fp8), std::invalid_argument);
}

TEST(HostKernels, KernelNamesFollowKernelsDef) {
  EXPECT_EQ(model::name(Kernel::RouterGemm), "router_gemm");
  EXPECT_EQ(model::name(Kernel::Combine), "combine");
}

// The real DeepSeek-V3 layer (hidden 7168, 256 experts of width 2048), two tokens:
// only the chosen experts are materialised, one at a time.
TEST(HostKernelsFullSize, DeepSeekV3TwoTokensFp8BitIdentical) {
  const model::MoeLayerSpec spec = model::load_model("deepseek-v3");
  const golden::SyntheticWeights weights(weights::SyntheticLayer(spec, 42, 2));
  const auto start = std::chrono::steady_clock::now();
  const KernelRun run = run_host(spec, weights, Precision::Fp8);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("DeepSeek-V3 full size, T = 2, FP8, host kernels: %.1f s\n", seconds);
  golden::test::expect_same_trace(run.trace, golden::run_golden(spec, weights, Precision::Fp8));
}

}  // namespace
}  // namespace cadre::kernels
