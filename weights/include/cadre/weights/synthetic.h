// Deterministic synthetic weights and inputs for an MoE layer: every element is
// a pure function of (seed, tensor, row, column), so any element of a
// full-size layer can be made without materialising its tensor, and the golden
// model, the GPU kernels and the simulator see the same bytes everywhere.
//
// Scale is realistic: a weight is uniform in [-a, a] with a = sqrt(3 / fan_in)
// (standard deviation 1/sqrt(fan_in)). FP8 weights are stored as the
// DeepSeek-V3 checkpoint stores them: E4M3 codes (`weight`) and one FP32
// `weight_scale_inv` per 128 x 128 block, the real value being code x scale.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "cadre/model/layer_spec.h"

namespace cadre::weights {

// The tensors of one MoE layer, by role. Matrices are [rows = out features,
// cols = in features], as PyTorch's nn.Linear stores them.
enum class Role : uint8_t {
  Input,             // x: [tokens, hidden] activations (BF16)
  RouterWeight,      // gate.weight: [experts, hidden] (BF16)
  RouterBias,        // e_score_correction_bias: [1, experts] (FP32), DeepSeek-V3 only
  ExpertGate,        // experts.E.gate_proj: [width, hidden]
  ExpertUp,          // experts.E.up_proj: [width, hidden]
  ExpertDown,        // experts.E.down_proj: [hidden, width]
  SharedGate,        // shared expert gate_proj: [shared width, hidden]
  SharedUp,          // shared expert up_proj: [shared width, hidden]
  SharedDown,        // shared expert down_proj: [hidden, shared width]
  SharedExpertGate,  // Qwen2-MoE shared_expert_gate.weight: [1, hidden] (BF16)
};

struct TensorRef {
  Role role;
  uint32_t expert = 0;  // for the Expert* roles
};

struct Shape {
  uint64_t rows, cols;
  bool operator==(const Shape&) const = default;
};

inline constexpr uint32_t kScaleBlock = 128;

// The name a family's checkpoint gives a tensor of the layer (checkpoint_names.def),
// e.g. "mlp.experts.3.up_proj.weight" (DeepSeek) or "block_sparse_moe.experts.3.w3.weight"
// (Mixtral); "input" for the activations, which no checkpoint holds. Throws
// std::invalid_argument for a tensor the family does not have.
std::string checkpoint_name(model::Family family, TensorRef t);

// The E4M3 code fp8_row makes of an element's 64-bit hash: fp8()'s
// float_to_e4m3(mul_rn(unit, 448)) of the hash's top 24 bits as a signed
// multiple of 2^-23, by integer steps (it makes 11 GB for a full-size layer).
uint8_t unit_e4m3(uint64_t hash);

class SyntheticLayer {
 public:
  SyntheticLayer(const model::MoeLayerSpec& spec, uint64_t seed, uint32_t tokens);

  Shape shape(TensorRef t) const;
  // A uniform draw in [-1, 1), a multiple of 2^-23: the source of every value.
  float unit(TensorRef t, uint64_t row, uint64_t col) const;
  // The element as a BF16 weight or input (Input, Router*, SharedExpertGate, and
  // expert matrices when the layer runs in BF16).
  uint16_t bf16(TensorRef t, uint64_t row, uint64_t col) const;
  // The element as an FP32 value (RouterBias).
  float fp32(TensorRef t, uint64_t row, uint64_t col) const;
  // An expert matrix element as an E4M3 code, and its 128 x 128 block's scale.
  uint8_t fp8(TensorRef t, uint64_t row, uint64_t col) const;
  float scale_inv(TensorRef t, uint64_t block_row, uint64_t block_col) const;
  // out[i] = fp8(t, row, col + i) and bf16(t, row, col + i): the same values,
  // made a row at a time (the row's part of the hash once), for full-size
  // layers whose weights are made as they are read.
  void fp8_row(TensorRef t, uint64_t row, uint64_t col, std::span<uint8_t> out) const;
  void bf16_row(TensorRef t, uint64_t row, uint64_t col, std::span<uint16_t> out) const;


  const model::MoeLayerSpec& spec() const { return spec_; }
  uint32_t tokens() const { return tokens_; }

 private:
  float amplitude(TensorRef t) const;  // a = sqrt(3 / fan_in), or the role's own range

  model::MoeLayerSpec spec_;
  uint64_t seed_;
  uint32_t tokens_;
};

}  // namespace cadre::weights
