// Where the golden model gets a layer's tensors: one tensor at a time, made on
// demand, so a full-size layer (DeepSeek-V3: 256 experts x 3 x 2048 x 7168 FP8,
// 11 GB) never has to exist in memory; the model asks only for the experts its
// tokens chose, one expert at a time.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cadre/golden/matrix.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"
#include "cadre/weights/safetensors.h"
#include "cadre/weights/synthetic.h"

namespace cadre::golden {

// A layer's tensors by role (weights::TensorRef), with the shapes of
// weights::SyntheticLayer::shape. Each call materialises the whole tensor.
class LayerWeights {
 public:
  virtual ~LayerWeights() = default;
  virtual const model::MoeLayerSpec& spec() const = 0;
  virtual uint32_t tokens() const = 0;
  // BF16: Input, RouterWeight, SharedExpertGate, and expert/shared matrices in BF16 precision.
  virtual MatrixU16 bf16(weights::TensorRef t) const = 0;
  // FP32 [1, experts]: RouterBias.
  virtual MatrixF fp32(weights::TensorRef t) const = 0;
  // Expert and shared-expert matrices in FP8 precision.
  virtual Fp8Weight fp8(weights::TensorRef t) const = 0;
};

// The expected [rows, cols] of a tensor of this layer (the synthetic generator's shapes).
weights::Shape tensor_shape(const model::MoeLayerSpec& spec, uint32_t tokens, weights::TensorRef t);

// Every tensor a layer reads: the input, the router (and its bias), the shared
// expert's gate and matrices where the layer has them, every routed expert's.
std::vector<weights::TensorRef> layer_tensors(const model::MoeLayerSpec& spec);

// Every tensor from the deterministic synthetic generator.
class SyntheticWeights final : public LayerWeights {
 public:
  explicit SyntheticWeights(weights::SyntheticLayer layer) : layer_(std::move(layer)) {}
  const model::MoeLayerSpec& spec() const override { return layer_.spec(); }
  uint32_t tokens() const override { return layer_.tokens(); }
  MatrixU16 bf16(weights::TensorRef t) const override;
  MatrixF fp32(weights::TensorRef t) const override;
  Fp8Weight fp8(weights::TensorRef t) const override;
  const weights::SyntheticLayer& layer() const { return layer_; }

 private:
  weights::SyntheticLayer layer_;
};

// Bad or missing checkpoint tensors; the message names the file and the tensor.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A real checkpoint in safetensors files (one or several shards), tensors named
// as the family's checkpoints name them: `prefix` + weights::checkpoint_name
// ("model.layers.3." + "mlp.experts.7.up_proj.weight", or Mixtral's
// "block_sparse_moe.experts.7.w3.weight"). Expert matrices are
// either F8_E4M3 `weight` with F32 `weight_scale_inv` (FP8) or BF16 `weight`;
// the router and Qwen's shared-expert gate are BF16, the DeepSeek-V3 bias F32
// ([experts] or [1, experts]). The input x is the BF16 tensor "input" [tokens,
// hidden] (no prefix), which the checkpoint itself does not have: tests and
// tools add it in a file of its own. Every tensor's dtype and shape are checked
// when it is read, and by check_all before anything runs.
class CheckpointWeights final : public LayerWeights {
 public:
  CheckpointWeights(const model::MoeLayerSpec& spec, const std::vector<std::string>& files, std::string prefix = "");
  const model::MoeLayerSpec& spec() const override { return spec_; }
  uint32_t tokens() const override { return tokens_; }
  MatrixU16 bf16(weights::TensorRef t) const override;
  MatrixF fp32(weights::TensorRef t) const override;
  Fp8Weight fp8(weights::TensorRef t) const override;
  // Checks that every tensor of layer_tensors is present with the dtype and
  // shape a run in `precision` reads, so that no run stops halfway, nor passes
  // with a bad tensor in an expert no token reached. CheckpointError names the
  // first bad tensor, what was expected and what was found.
  void check_all(model::Precision precision) const;

 private:
  // The tensor `name` in whichever file has it, checked against dtype and shape.
  const weights::TensorView& tensor(const std::string& name, weights::DType dtype, weights::Shape shape) const;
  std::string name_of(weights::TensorRef t) const;

  model::MoeLayerSpec spec_;
  std::vector<weights::SafetensorsFile> files_;
  std::string prefix_;
  uint32_t tokens_ = 0;
};

// Writes every tensor of a synthetic layer to one safetensors file in the
// checkpoint naming (no prefix), with the input as "input": expert and shared
// matrices as FP8 codes + scales or as BF16, by precision. For small layers:
// the whole file is built in memory.
void write_synthetic_checkpoint(const std::string& path, const weights::SyntheticLayer& layer,
                                model::Precision precision);

}  // namespace cadre::golden
