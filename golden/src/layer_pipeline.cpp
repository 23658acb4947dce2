#include "cadre/golden/layer_pipeline.h"

#include <fmt/format.h>

#include <stdexcept>

namespace cadre::golden {

MoeTrace run_layer(const LayerRun& layer, LayerBackend& backend) {
  const model::MoeLayerSpec& spec = layer.spec;
  const model::MoeLayerSpec& w = layer.weights.spec();
  if (spec.hidden != w.hidden || spec.routing.experts != w.routing.experts || spec.expert_width != w.expert_width ||
      spec.shared.width != w.shared.width)
    throw std::invalid_argument(fmt::format("the weights are for '{}', not '{}'", w.name, spec.name));
  if (layer.block == 0) throw std::invalid_argument("align: block must be positive");
  if (layer.weights.tokens() == 0) throw std::invalid_argument("the layer needs at least one token");

  MoeTrace trace;
  trace.precision = layer.precision;
  trace.x = layer.weights.bf16({weights::Role::Input});
  for (const model::Named<model::Kernel>& k : model::kKernels)
    if (model::kernel_runs(k.value, spec, layer.precision)) backend.run(k.value, trace);
  backend.finish(trace);
  return trace;
}

}  // namespace cadre::golden
