// The roofline of one MoE layer on an architecture: the work that cannot be
// avoided (the FLOPs of the router, of every routed expert's rows and of the
// shared experts; the HBM bytes of the input, the output, the router and the
// weights of every expert that received a token) against the chip's peaks.
// A run's cycles divided into the bound is its % of roofline (docs/co-design.md).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/golden/layer_weights.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::runtime {

struct LayerWork {
  double flops = 0;      // 2 per multiply-add
  double hbm_bytes = 0;  // that must cross the HBM interface at least once
};

// `expert_rows[e]`: the tokens routed to expert e (the alignment's counts).
LayerWork layer_work(const model::MoeLayerSpec& spec, uint32_t tokens, model::Precision precision,
                     std::span<const uint64_t> expert_rows);

struct Roofline {
  double compute_cycles = 0;  // FLOPs at the arrays' peak (one MAC per cell per cycle)
  double memory_cycles = 0;   // bytes at HBM's peak
  double bound_cycles() const { return compute_cycles > memory_cycles ? compute_cycles : memory_cycles; }
  bool memory_bound() const { return memory_cycles >= compute_cycles; }
};

Roofline roofline(const arch::ArchConfig& arch, const LayerWork& work);

// The tokens each expert receives, from the golden model's routing of the
// weights' input: the chip's alignment counts the same, so a layer's work is
// known before it runs (for the progress estimate and for reports).
std::vector<uint64_t> routed_rows(const golden::LayerWeights& weights);

}  // namespace cadre::runtime
