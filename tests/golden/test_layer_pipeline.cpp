// run_layer's order of kernels and its checks, and kernel_outputs: the names
// each kernel's outputs go by and the comparison --check and the tests use,
// which never lets an empty output pass for a nonempty one.
#include <gtest/gtest.h>

#include <vector>

#include "cadre/golden/kernel_outputs.h"
#include "cadre/golden/layer_pipeline.h"
#include "cadre/golden/moe_golden.h"
#include "shrunk_models.h"
#include "trace_compare.h"

namespace cadre::golden {
namespace {

using model::Kernel;
using model::Precision;

// A backend that only records what it is asked to do.
class RecordingBackend final : public LayerBackend {
 public:
  void run(Kernel kernel, MoeTrace& trace) override {
    EXPECT_FALSE(finished);
    EXPECT_NE(trace.x.size(), 0) << "the input is in the trace before the first kernel";
    kernels.push_back(kernel);
  }
  void finish(MoeTrace&) override { finished = true; }

  std::vector<Kernel> kernels;
  bool finished = false;
};

std::vector<Kernel> recorded(const model::MoeLayerSpec& spec, Precision precision) {
  const SyntheticWeights weights(weights::SyntheticLayer(spec, 1, 2));
  RecordingBackend backend;
  const MoeTrace trace = run_layer({spec, weights, precision, 128}, backend);
  EXPECT_TRUE(backend.finished);
  EXPECT_EQ(trace.precision, precision);
  return backend.kernels;
}

TEST(LayerPipeline, RunsTheKernelsThatRunInKernelsDefOrder) {
  const auto models = test::shrunk_models();
  const model::MoeLayerSpec mixtral = models[3].spec(), qwen = models[4].spec();
  ASSERT_EQ(mixtral.shared.width, 0u);
  ASSERT_NE(qwen.shared.width, 0u);
  using enum Kernel;
  EXPECT_EQ(recorded(mixtral, Precision::Fp8), (std::vector<Kernel>{RouterGemm, TopK, Align, InputQuant, Permute,
                                                                     GateUpGemm, SiluMulQuant, DownGemm, Combine}));
  EXPECT_EQ(recorded(mixtral, Precision::Bf16),
            (std::vector<Kernel>{RouterGemm, TopK, Align, Permute, GateUpGemm, SiluMulQuant, DownGemm, Combine}));
  EXPECT_EQ(recorded(qwen, Precision::Bf16), (std::vector<Kernel>{RouterGemm, TopK, Align, Permute, GateUpGemm,
                                                                   SiluMulQuant, DownGemm, SharedExpert, Combine}));
}

TEST(LayerPipeline, RefusesMismatchedWeightsAZeroBlockAndNoTokens) {
  const auto models = test::shrunk_models();
  const model::MoeLayerSpec spec = models[3].spec();
  const SyntheticWeights weights(weights::SyntheticLayer(spec, 1, 2));
  RecordingBackend backend;
  EXPECT_THROW(run_layer({models[0].spec(), weights, Precision::Fp8, 128}, backend), std::invalid_argument);
  EXPECT_THROW(run_layer({spec, weights, Precision::Fp8, 0}, backend), std::invalid_argument);
  EXPECT_TRUE(backend.kernels.empty());
}

MoeTrace small_trace(Precision precision, size_t model = 4) {
  const model::MoeLayerSpec spec = test::shrunk_models()[model].spec();
  return run_golden(spec, SyntheticWeights(weights::SyntheticLayer(spec, 3, 4)), precision);
}

TEST(KernelOutputs, NamesEachKernelsTensorsWithTheirShapes) {
  const MoeTrace t = small_trace(Precision::Fp8);
  const auto names = [&](Kernel k) {
    std::vector<std::string> out;
    for (const weights::TensorToWrite& tensor : kernel_outputs(k, t)) out.push_back(tensor.name);
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names(Kernel::RouterGemm), Names{"logits"});
  EXPECT_EQ(names(Kernel::TopK), (Names{"ids", "weights"}));
  EXPECT_EQ(names(Kernel::Align), (Names{"tokens", "row_weights", "offsets"}));
  EXPECT_EQ(names(Kernel::Permute), (Names{"codes", "scales"}));
  EXPECT_EQ(names(Kernel::Combine), Names{"values"});
  const auto align = kernel_outputs(Kernel::Align, t);
  EXPECT_EQ(align[0].shape, std::vector<uint64_t>{t.alignment.tokens.size()});
  EXPECT_EQ(align[0].dtype, weights::DType::I32);
  EXPECT_EQ(align[2].shape, std::vector<uint64_t>{t.alignment.offsets.size()});
  const auto out = kernel_outputs(Kernel::Combine, t).front();
  EXPECT_EQ(out.shape, (std::vector<uint64_t>{4, static_cast<uint64_t>(t.out.cols())}));
  EXPECT_EQ(out.bytes.size(), static_cast<size_t>(t.out.size()) * 2);
  EXPECT_EQ(names(Kernel::SiluMulQuant), (Names{"codes", "scales"}));
  const MoeTrace b = small_trace(Precision::Bf16);
  EXPECT_EQ(kernel_outputs(Kernel::SiluMulQuant, b).front().name, "values");
}

TEST(KernelOutputs, SameTracesHaveNoMismatches) {
  const MoeTrace a = small_trace(Precision::Fp8), b = small_trace(Precision::Fp8);
  for (const auto& k : model::kKernels) EXPECT_EQ(output_mismatches(k.value, a, b), 0u) << k.name;
  test::expect_same_trace(a, b);
}

TEST(KernelOutputs, AnEmptyOutputNeverMatchesANonemptyOne) {
  const MoeTrace full = small_trace(Precision::Fp8);
  ASSERT_NE(full.shared.size(), 0);
  MoeTrace missing = full;
  missing.shared = MatrixU16();
  EXPECT_EQ(output_mismatches(Kernel::SharedExpert, full, missing), static_cast<uint64_t>(full.shared.size()));
  EXPECT_EQ(output_mismatches(Kernel::SharedExpert, missing, full), static_cast<uint64_t>(full.shared.size()));
  // One list of align's emptied: each of its elements counts.
  MoeTrace no_weights = full;
  no_weights.alignment.row_weights.clear();
  EXPECT_EQ(output_mismatches(Kernel::Align, full, no_weights), full.alignment.row_weights.size());
  // Two empty tensors of different shapes hold no element, and still differ.
  MoeTrace no_rows = full, no_columns = full;
  no_rows.gate_up = MatrixU16(0, full.gate_up.cols());
  no_columns.gate_up = MatrixU16(0, 0);
  EXPECT_EQ(output_mismatches(Kernel::GateUpGemm, no_rows, no_columns), 1u);
  // Both empty alike: nothing to differ.
  EXPECT_EQ(output_mismatches(Kernel::GateUpGemm, no_columns, no_columns), 0u);
}

TEST(KernelOutputs, CountsEachDifferingElementAndEachOtherPrecisionTensor) {
  const MoeTrace a = small_trace(Precision::Fp8);
  MoeTrace b = a;
  b.out(0, 0) ^= 1;
  b.out(1, 2) ^= 0x8000;
  EXPECT_EQ(output_mismatches(Kernel::Combine, a, b), 2u);
  b.topk.ids(0, 0) = b.topk.ids(0, 1);
  EXPECT_EQ(output_mismatches(Kernel::TopK, a, b), 1u);
  // Other precisions name other tensors: every element counts.
  const MoeTrace bf16 = small_trace(Precision::Bf16);
  EXPECT_GT(output_mismatches(Kernel::Permute, a, bf16), 0u);
  EXPECT_GT(output_mismatches(Kernel::InputQuant, a, bf16), 0u);
}

}  // namespace
}  // namespace cadre::golden
