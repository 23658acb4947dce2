// The CUDA build on a GPU against the golden model: the exact-order kernels bit
// for bit, the tensor-core GEMM within the stated tolerance (docs/gpu-kernels.md).
// Every test skips, saying so, when no GPU is present.
#include <gtest/gtest.h>

#include <cmath>

#include "cadre/golden/moe_golden.h"
#include "cadre/kernels/moe_kernels.h"
#include "cadre/numerics/convert.h"
#include "shrunk_models.h"
#include "trace_compare.h"

namespace cadre::kernels {
namespace {

using golden::Index;
using model::GemmLayout;
using model::Precision;

// GTEST_SKIP returns from the function it is in: this is used in each test body.
#define SKIP_WITHOUT_GPU()    \
  if (cuda_device_count() == 0) \
  GTEST_SKIP() << "no GPU: " << (built_with_cuda() ? "no CUDA device present" : "built without CUDA")

TEST(CudaKernels, ExactPathBitIdenticalOnEveryFamily) {
  SKIP_WITHOUT_GPU();
  for (const auto& m : golden::test::shrunk_models())
    for (const Precision p : {Precision::Fp8, Precision::Bf16})
      for (const uint32_t t : {64u, 4u}) {
        SCOPED_TRACE(m.label);
        const model::MoeLayerSpec spec = m.spec();
        const golden::SyntheticWeights weights(weights::SyntheticLayer(spec, 2024, t));
        const auto layout = t > 8 ? GemmLayout::Contiguous : GemmLayout::Masked;
        golden::test::expect_same_trace(run_cuda(spec, weights, p, {GemmPath::Exact, layout}).trace,
                                        golden::run_golden(spec, weights, p));
      }
}

// The stated bound for one gate_up output: kMmaRelTolerance times the sum over K
// blocks of |sa * sb| * sum |a_k * b_k|, plus one BF16 ulp of the larger value.
double bound(const golden::Fp8Activations& a, Index r, const golden::Fp8Weight& w, Index n) {
  double sum = 0;
  for (Index k0 = 0, kb = 0; k0 < a.codes.cols(); k0 += 128, ++kb) {
    double block = 0;
    for (Index k = k0; k < std::min(k0 + 128, a.codes.cols()); ++k)
      block += std::fabs(double(num::e4m3_to_float(a.codes(r, k))) * num::e4m3_to_float(w.codes(n, k)));
    sum += block * std::fabs(double(a.scales(r, kb)) * w.scales(n / 128, kb));
  }
  return kMmaRelTolerance * sum;
}

TEST(CudaKernels, TensorCoreGateUpWithinToleranceBothLayouts) {
  SKIP_WITHOUT_GPU();
  const auto models = golden::test::shrunk_models();
  for (const auto& m : {models[0], models[1]})
    for (const auto layout : {GemmLayout::Contiguous, GemmLayout::Masked}) {
      SCOPED_TRACE(m.label);
      const model::MoeLayerSpec spec = m.spec();
      const golden::SyntheticWeights weights(weights::SyntheticLayer(spec, 5, 32));
      const golden::MoeTrace gold = golden::run_golden(spec, weights, Precision::Fp8);
      const golden::MoeTrace gpu = run_cuda(spec, weights, Precision::Fp8, {GemmPath::TensorCore, layout}).trace;
      EXPECT_TRUE(golden::test::same_bits(gpu.logits, gold.logits));
      EXPECT_TRUE(golden::test::same_bits(gpu.permuted_fp8.codes, gold.permuted_fp8.codes));
      const auto& al = gold.alignment;
      const Index width = spec.expert_width;
      uint64_t outside = 0;
      for (uint32_t e = 0; e < spec.routing.experts; ++e) {
        if (al.offsets[e] == al.offsets[e + 1]) continue;
        const golden::Fp8Weight gate = weights.fp8({weights::Role::ExpertGate, e});
        const golden::Fp8Weight up = weights.fp8({weights::Role::ExpertUp, e});
        for (Index r = al.offsets[e]; r < al.offsets[e + 1]; ++r)
          for (Index n = 0; n < 2 * width; ++n) {
            const float g = num::bf16_to_float(gold.gate_up(r, n)), c = num::bf16_to_float(gpu.gate_up(r, n));
            const double ulp = std::ldexp(1.0, std::ilogb(std::max(std::fabs(g), std::fabs(c))) - 7);
            const double b = (n < width ? bound(gold.permuted_fp8, r, gate, n)
                                        : bound(gold.permuted_fp8, r, up, n - width)) + ulp;
            outside += std::fabs(double(g) - c) > b ? 1 : 0;
          }
      }
      EXPECT_EQ(outside, 0u);
    }
}

// The routed experts' GEMMs are grouped; a dense layout is refused before any
// device is needed.
TEST(CudaKernels, DenseLayoutOfTheRoutedExpertsIsRefused) {
  if (!built_with_cuda()) GTEST_SKIP() << "no GPU: built without CUDA";
  const model::MoeLayerSpec spec = golden::test::shrunk_models()[3].spec();
  const golden::SyntheticWeights weights(weights::SyntheticLayer(spec, 1, 2));
  EXPECT_THROW(run_cuda(spec, weights, Precision::Fp8, {GemmPath::TensorCore, GemmLayout::Dense}),
               std::invalid_argument);
}

}  // namespace
}  // namespace cadre::kernels
