// What run_host and run_cuda check before running a layer.
#pragma once

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/golden/layer_weights.h"

namespace cadre::kernels {

inline void check_layer(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, uint32_t block) {
  const model::MoeLayerSpec& w = weights.spec();
  if (spec.hidden != w.hidden || spec.routing.experts != w.routing.experts || spec.expert_width != w.expert_width ||
      spec.shared.width != w.shared.width)
    throw std::invalid_argument(fmt::format("the weights are for '{}', not '{}'", w.name, spec.name));
  if (block == 0) throw std::invalid_argument("align: block must be positive");
  if (weights.tokens() == 0) throw std::invalid_argument("the layer needs at least one token");
}

}  // namespace cadre::kernels
