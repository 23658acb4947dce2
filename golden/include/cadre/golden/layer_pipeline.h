// The order of one MoE layer's kernels, written once: run_layer hands each
// kernel that runs, in model/kernels.def order, to a backend (the golden model,
// the host build or the CUDA build of the GPU reference kernels), which carries
// it out on the outputs of the kernels before it.
#pragma once

#include <cstdint>

#include "cadre/golden/layer_weights.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::golden {

// A layer to run: its spec, its weights and input, the precision of the expert
// kernels, and align's row block.
struct LayerRun {
  const model::MoeLayerSpec& spec;
  const LayerWeights& weights;
  model::Precision precision;
  uint32_t block;
};

// One way of carrying out the layer's kernels, made for one LayerRun.
class LayerBackend {
 public:
  virtual ~LayerBackend() = default;
  // Carries out `kernel` on the outputs of the kernels before it. Its outputs
  // go into `trace` here or, for a backend that keeps them in memory of its
  // own, in finish().
  virtual void run(model::Kernel kernel, MoeTrace& trace) = 0;
  // Called once after the last kernel.
  virtual void finish(MoeTrace& trace) = 0;
};

// Checks the layer (the weights are for the spec, the block is positive, there
// is at least one token: std::invalid_argument otherwise), puts the precision
// and the weights' input x into the trace, then has `backend` run every kernel
// that runs (model::kernel_runs) in kernels.def order, and finish.
MoeTrace run_layer(const LayerRun& layer, LayerBackend& backend);

}  // namespace cadre::golden
