// A LayerWeights that forwards to another and counts what was materialised, so
// tests can check that only the chosen experts are read, each once per kernel.
#pragma once

#include <map>
#include <utility>

#include "cadre/golden/layer_weights.h"

namespace cadre::golden::test {

class CountingWeights final : public LayerWeights {
 public:
  explicit CountingWeights(const LayerWeights& inner) : inner_(inner) {}
  const model::MoeLayerSpec& spec() const override { return inner_.spec(); }
  uint32_t tokens() const override { return inner_.tokens(); }
  MatrixU16 bf16(weights::TensorRef t) const override { return count(t), inner_.bf16(t); }
  MatrixF fp32(weights::TensorRef t) const override { return count(t), inner_.fp32(t); }
  Fp8Weight fp8(weights::TensorRef t) const override { return count(t), inner_.fp8(t); }

  // How often the tensor was materialised.
  int reads(weights::Role role, uint32_t expert = 0) const {
    const auto it = reads_.find({role, expert});
    return it == reads_.end() ? 0 : it->second;
  }

 private:
  void count(weights::TensorRef t) const { ++reads_[{t.role, t.expert}]; }

  const LayerWeights& inner_;
  mutable std::map<std::pair<weights::Role, uint32_t>, int> reads_;
};

}  // namespace cadre::golden::test
