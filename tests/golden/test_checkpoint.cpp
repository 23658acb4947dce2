// Weights from safetensors checkpoints: a synthetic layer written in its
// family's naming and read back gives the same bits; bad tensors are refused
// with errors naming them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "cadre/golden/moe_golden.h"
#include "shrunk_models.h"
#include "trace_compare.h"

namespace cadre::golden {
namespace {

using model::Precision;

using weights::DType;
using weights::Role;

namespace fs = std::filesystem;

class GoldenCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cadre_golden_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Copies `from` to `to`, letting `edit` rename, retype or drop (return false) each tensor.
  void rewrite(const std::string& from, const std::string& to,
               const std::function<bool(weights::TensorToWrite&)>& edit) const {
    const weights::SafetensorsFile f = weights::SafetensorsFile::open(from);
    std::vector<weights::TensorToWrite> out;
    for (const weights::TensorView& v : f.tensors()) {
      weights::TensorToWrite t{v.name, v.dtype, v.shape, v.bytes};
      if (edit(t)) out.push_back(t);
    }
    weights::write_safetensors(to, out);
  }

  fs::path dir_;
};

// The error message of what `f` throws, or "" when it does not throw CheckpointError.
template <class F>
std::string checkpoint_error(F f) {
  try {
    f();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

TEST_F(GoldenCheckpoint, MixtralUsesItsOwnTensorNames) {
  const auto& models = test::shrunk_models();
  const auto mixtral = std::find_if(models.begin(), models.end(),
                                    [](const auto& m) { return m.spec().family == model::Family::Mixtral; });
  ASSERT_NE(mixtral, models.end());
  write_synthetic_checkpoint(path("mixtral.safetensors"), weights::SyntheticLayer(mixtral->spec(), 1, 2), Precision::Bf16);
  const weights::SafetensorsFile f = weights::SafetensorsFile::open(path("mixtral.safetensors"));
  EXPECT_NE(f.find("block_sparse_moe.experts.0.w1.weight"), nullptr);
  EXPECT_NE(f.find("block_sparse_moe.gate.weight"), nullptr);
  EXPECT_EQ(f.find("mlp.experts.0.gate_proj.weight"), nullptr);
}

TEST_F(GoldenCheckpoint, SyntheticLayerRoundTripsBitForBit) {
  // Every family, in its own checkpoint naming, both precisions.
  for (const auto& shrunk : test::shrunk_models()) {
    const model::MoeLayerSpec spec = shrunk.spec();
    const weights::SyntheticLayer layer(spec, 77, 8);
    for (const Precision p : {Precision::Fp8, Precision::Bf16}) {
      SCOPED_TRACE(spec.name + (p == Precision::Fp8 ? " FP8" : " BF16"));
      write_synthetic_checkpoint(path("layer.safetensors"), layer, p);
      const CheckpointWeights checkpoint(spec, {path("layer.safetensors")});
      EXPECT_EQ(checkpoint.tokens(), 8u);
      test::expect_same_trace(run_golden(spec, SyntheticWeights(layer), p), run_golden(spec, checkpoint, p));
    }
  }
}

TEST_F(GoldenCheckpoint, ShardsAndANamePrefix) {
  const model::MoeLayerSpec spec = test::shrunk_models()[0].spec();
  const weights::SyntheticLayer layer(spec, 5, 4);
  write_synthetic_checkpoint(path("layer.safetensors"), layer, Precision::Fp8);
  // As a real checkpoint: layer tensors prefixed and split over two shards, the input in a file of its own.
  rewrite(path("layer.safetensors"), path("input.safetensors"), [](auto& t) { return t.name == "input"; });
  for (const int shard : {0, 1})
    rewrite(path("layer.safetensors"), path("shard" + std::to_string(shard) + ".safetensors"), [&](auto& t) {
      if (t.name == "input" || (t.name.find("experts.1") != std::string::npos) != (shard == 1)) return false;
      t.name = "model.layers.3." + t.name;
      return true;
    });
  const CheckpointWeights sharded(
      spec, {path("shard0.safetensors"), path("shard1.safetensors"), path("input.safetensors")}, "model.layers.3.");
  test::expect_same_trace(run_golden(spec, SyntheticWeights(layer), Precision::Fp8),
                          run_golden(spec, sharded, Precision::Fp8));
}

TEST_F(GoldenCheckpoint, WrongDtypeNamesTheTensor) {
  const model::MoeLayerSpec spec = test::shrunk_models()[0].spec();
  write_synthetic_checkpoint(path("bf16.safetensors"), weights::SyntheticLayer(spec, 1, 4), Precision::Bf16);
  const CheckpointWeights bf16(spec, {path("bf16.safetensors")});
  const std::string e = checkpoint_error([&] { bf16.fp8({Role::ExpertUp, 3}); });
  EXPECT_NE(e.find("bf16.safetensors: tensor 'mlp.experts.3.up_proj.weight' is BF16, expected F8_E4M3"),
            std::string::npos)
      << e;
  EXPECT_NE(checkpoint_error([&] { run_golden(spec, bf16, Precision::Fp8); }).find("expected F8_E4M3"),
            std::string::npos);
}

TEST_F(GoldenCheckpoint, WrongShapesNameTheTensor) {
  const model::MoeLayerSpec spec = test::shrunk_models()[1].spec();  // hidden 320, width 192
  write_synthetic_checkpoint(path("good.safetensors"), weights::SyntheticLayer(spec, 1, 4), Precision::Fp8);
  // The same bytes with the shape transposed, and a scale grid of the wrong size.
  rewrite(path("good.safetensors"), path("bad.safetensors"), [](auto& t) {
    if (t.name == "mlp.experts.2.gate_proj.weight") t.shape = {t.shape[1], t.shape[0]};
    if (t.name == "mlp.experts.5.down_proj.weight_scale_inv") t.shape = {1, t.shape[0] * t.shape[1]};
    return true;
  });
  const CheckpointWeights bad(spec, {path("bad.safetensors")});
  std::string e = checkpoint_error([&] { bad.fp8({Role::ExpertGate, 2}); });
  EXPECT_NE(e.find("tensor 'mlp.experts.2.gate_proj.weight' has shape [320, 192], expected [192, 320]"),
            std::string::npos)
      << e;
  e = checkpoint_error([&] { bad.fp8({Role::ExpertDown, 5}); });
  EXPECT_NE(e.find("tensor 'mlp.experts.5.down_proj.weight_scale_inv' has shape [1, 6], expected [3, 2]"),
            std::string::npos)
      << e;
  EXPECT_NO_THROW(bad.fp8({Role::ExpertGate, 1}));
}

TEST_F(GoldenCheckpoint, MissingTensorsAndInputAreNamed) {
  const model::MoeLayerSpec spec = test::shrunk_models()[0].spec();
  write_synthetic_checkpoint(path("good.safetensors"), weights::SyntheticLayer(spec, 1, 4), Precision::Fp8);
  rewrite(path("good.safetensors"), path("no_expert.safetensors"),
          [](auto& t) { return t.name.rfind("mlp.experts.7.", 0) != 0; });
  const CheckpointWeights partial(spec, {path("no_expert.safetensors")});
  const std::string e = checkpoint_error([&] { partial.fp8({Role::ExpertDown, 7}); });
  EXPECT_NE(e.find("no tensor 'mlp.experts.7.down_proj.weight'"), std::string::npos) << e;

  rewrite(path("good.safetensors"), path("no_input.safetensors"), [](auto& t) { return t.name != "input"; });
  EXPECT_NE(checkpoint_error([&] { CheckpointWeights(spec, {path("no_input.safetensors")}); })
                .find("no 2-D tensor 'input'"),
            std::string::npos);
  rewrite(path("good.safetensors"), path("fp8_input.safetensors"), [](auto& t) {
    if (t.name == "input") t.dtype = DType::F8_E4M3, t.shape = {t.shape[0], t.shape[1] * 2};
    return true;
  });
  EXPECT_NE(checkpoint_error([&] { CheckpointWeights(spec, {path("fp8_input.safetensors")}); })
                .find("tensor 'input' is F8_E4M3, expected BF16"),
            std::string::npos);
  EXPECT_THROW(CheckpointWeights(spec, {}), CheckpointError);
}

TEST_F(GoldenCheckpoint, CheckAllFindsABadTensorInEveryExpertBeforeAnythingRuns) {
  const model::MoeLayerSpec spec = test::shrunk_models()[0].spec();
  write_synthetic_checkpoint(path("good.safetensors"), weights::SyntheticLayer(spec, 1, 4), Precision::Fp8);
  const CheckpointWeights good(spec, {path("good.safetensors")});
  EXPECT_NO_THROW(good.check_all(Precision::Fp8));
  // An FP8 checkpoint cannot run in BF16: the expert matrices are not BF16.
  EXPECT_NE(checkpoint_error([&] { good.check_all(Precision::Bf16); }).find("expected BF16"), std::string::npos);

  // The last expert's down projection with the same byte count but another dtype and shape.
  const std::string last = "mlp.experts." + std::to_string(spec.routing.experts - 1) + ".down_proj.weight";
  rewrite(path("good.safetensors"), path("bad.safetensors"), [&](auto& t) {
    if (t.name == last) t.dtype = DType::BF16, t.shape = {t.shape[0], t.shape[1] / 2};
    return true;
  });
  const CheckpointWeights bad(spec, {path("bad.safetensors")});
  const std::string e = checkpoint_error([&] { bad.check_all(Precision::Fp8); });
  EXPECT_NE(e.find("tensor '" + last + "' is BF16, expected F8_E4M3"), std::string::npos) << e;

  rewrite(path("good.safetensors"), path("no_scale.safetensors"),
          [](auto& t) { return t.name != "mlp.experts.0.gate_proj.weight_scale_inv"; });
  const CheckpointWeights no_scale(spec, {path("no_scale.safetensors")});
  EXPECT_NE(checkpoint_error([&] { no_scale.check_all(Precision::Fp8); })
                .find("no tensor 'mlp.experts.0.gate_proj.weight_scale_inv'"),
            std::string::npos);
}

TEST_F(GoldenCheckpoint, CorruptFilesAreRefusedWhenOpened) {
  const model::MoeLayerSpec spec = test::shrunk_models()[0].spec();
  write_synthetic_checkpoint(path("good.safetensors"), weights::SyntheticLayer(spec, 1, 4), Precision::Fp8);
  fs::resize_file(path("good.safetensors"), fs::file_size(path("good.safetensors")) - 1);
  EXPECT_THROW(CheckpointWeights(spec, {path("good.safetensors")}), weights::SafetensorsError);
  EXPECT_THROW(CheckpointWeights(spec, {path("absent.safetensors")}), weights::SafetensorsReadError);
  EXPECT_THROW(CheckpointWeights(spec, {dir_.string()}), weights::SafetensorsReadError);
}

}  // namespace
}  // namespace cadre::golden
