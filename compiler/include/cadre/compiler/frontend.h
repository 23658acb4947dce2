// From a model's MoE layer to the graph level of the IR: the kernels of
// model/kernels.def on typed tensors, in BF16 (quantize-fp8 makes the FP8
// recipe of it).
#pragma once

#include <cstdint>
#include <string>

#include "cadre/compiler/ir.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::compiler {

struct LayerRequest {
  model::MoeLayerSpec spec;
  model::Phase phase = model::Phase::Decode;
  uint32_t tokens = 0;
  model::Precision precision = model::Precision::Fp8;  // what the default pipeline makes of the graph
  std::string arch;               // the architecture's name, recorded in the module
  // align pads each expert's rows to a multiple of this (vLLM's block size);
  // 1 on Cadre, whose array streams any number of rows.
  uint32_t align_block = 1;
};

// Throws IrError for a request that cannot be a layer (no tokens, no align block).
Module build_layer(const LayerRequest& request);

}  // namespace cadre::compiler
