// Per-kernel times of one MoE layer on a GPU, kernel by kernel as
// model/kernels.def decomposes it (docs/moe-layer.md, docs/gpu-model.md).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cadre/gpumodel/gemm_model.h"
#include "cadre/gpumodel/gpu.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::gpumodel {

struct KernelTime {
  model::Kernel kernel = model::Kernel::RouterGemm;
  double time_us = 0;
  double flops = 0;
  double bytes = 0;  // HBM traffic
  Bound bound = Bound::Memory;
};

// Expected number of experts with at least one of T tokens when each token
// picks k of E uniformly: E * (1 - (1 - k/E)^T).
double expected_active_experts(uint32_t experts, uint32_t top_k, uint64_t tokens);

// Rows per expert under uniform routing: the tokens x k assignments spread as
// evenly as integers allow over round(expected_active_experts) experts, the
// others empty. Size E, sum tokens x k.
std::vector<uint64_t> uniform_expert_rows(const model::RoutingSpec& routing, uint64_t tokens);

// The kernels that run (model::kernel_runs), in kernels.def order. The grouped
// GEMMs take the phase's layout (model::expert_gemm_layout: each expert's rows
// padded to 128 in prefill's contiguous layout, none padded in decode's
// masked one). `expert_rows` (size E, summing to tokens x k) gives the real
// routing counts; empty means uniform routing. Throws std::invalid_argument on
// inconsistent counts or zero tokens.
std::vector<KernelTime> model_moe_layer(const model::MoeLayerSpec& spec, const Gpu& gpu, uint64_t tokens,
                                        model::Precision precision, model::Phase phase,
                                        std::span<const uint64_t> expert_rows = {},
                                        const KernelConstants& c = kHopper);

}  // namespace cadre::gpumodel
