// The layer's kernels and the enums they run under: one spelling each, read
// back by parse_*, and the rules for which kernels run.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cadre/model/kernels.h"

namespace cadre::model {
namespace {

// name() and the parser give back each value of a table, every spelling is
// distinct, and a spelling not in the table parses to nothing.
template <class E, size_t N, class Parse>
void expect_round_trips(const Named<E> (&table)[N], Parse parse) {
  std::set<std::string_view> spellings;
  for (const Named<E>& n : table) {
    EXPECT_EQ(name(n.value), n.name);
    EXPECT_EQ(parse(n.name), n.value) << n.name;
    EXPECT_TRUE(spellings.insert(n.name).second) << n.name << " spelt twice";
    EXPECT_EQ(parse(std::string(n.name) + "x"), std::nullopt) << n.name;
  }
  EXPECT_EQ(parse(""), std::nullopt);
}

TEST(ModelEnums, KernelNamesRoundTripInKernelsDefOrder) {
  expect_round_trips(kKernels, parse_kernel);
  ASSERT_EQ(kKernelCount, 10u);
  for (size_t i = 0; i < kKernelCount; ++i) EXPECT_EQ(static_cast<size_t>(kKernels[i].value), i);
  EXPECT_EQ(name(Kernel::RouterGemm), "router_gemm");
  EXPECT_EQ(name(Kernel::SiluMulQuant), "silu_mul_quant");
  EXPECT_EQ(parse_kernel("combine"), Kernel::Combine);
  EXPECT_EQ(parse_kernel("Combine"), std::nullopt);
}

TEST(ModelEnums, PrecisionPhaseAndLayoutNamesRoundTrip) {
  expect_round_trips(kPrecisions, parse_precision);
  expect_round_trips(kPhases, parse_phase);
  expect_round_trips(kGemmLayouts, parse_gemm_layout);
  EXPECT_EQ(parse_precision("fp8"), Precision::Fp8);
  EXPECT_EQ(parse_precision("bf16"), Precision::Bf16);
  EXPECT_EQ(parse_phase("decode"), Phase::Decode);
  EXPECT_EQ(name(GemmLayout::Contiguous), "contiguous");
  EXPECT_EQ(parse_gemm_layout("dense"), GemmLayout::Dense);
  EXPECT_EQ(parse_gemm_layout("FP8"), std::nullopt);
}

TEST(ModelEnums, ExpertGemmLayoutFollowsThePhase) {
  EXPECT_EQ(expert_gemm_layout(Phase::Prefill), GemmLayout::Contiguous);
  EXPECT_EQ(expert_gemm_layout(Phase::Decode), GemmLayout::Masked);
}

TEST(ModelEnums, InputQuantRunsInFp8AndSharedExpertWithSharedExperts) {
  MoeLayerSpec plain, shared;
  shared.shared.width = 64;
  for (const Named<Kernel>& k : kKernels) {
    const bool quant = k.value == Kernel::InputQuant, sh = k.value == Kernel::SharedExpert;
    EXPECT_EQ(kernel_runs(k.value, plain, Precision::Fp8), !sh) << k.name;
    EXPECT_EQ(kernel_runs(k.value, plain, Precision::Bf16), !sh && !quant) << k.name;
    EXPECT_EQ(kernel_runs(k.value, shared, Precision::Fp8), true) << k.name;
    EXPECT_EQ(kernel_runs(k.value, shared, Precision::Bf16), !quant) << k.name;
  }
}

}  // namespace
}  // namespace cadre::model
