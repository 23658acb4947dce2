// A layer's modelled GPU time with the range its unconstrained constants
// allow, and how far each constant moves it (docs/gpu-model.md, "How far to
// trust the GPU figure").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cadre/gpumodel/calibration.h"
#include "cadre/gpumodel/moe_layer_model.h"

namespace cadre::gpumodel {

struct TimeRange {
  double time_us = 0;  // at kHopper
  double low_us = 0;   // the least over the unconstrained constants' plausible ranges
  double high_us = 0;  // the most
};

struct LayerTimes {
  std::vector<KernelTime> kernels;  // at kHopper, as model_moe_layer gives them
  std::vector<TimeRange> ranges;    // per kernel
  TimeRange total;                  // the kernels' sum
};

// model_moe_layer, and the same at every corner of the unconstrained
// constants' ranges (the time is monotonic in each, so the corners bound it).
LayerTimes model_moe_layer_range(const model::MoeLayerSpec& spec, const Gpu& gpu, uint64_t tokens,
                                 model::Precision precision, model::Phase phase, std::span<const uint64_t> expert_rows = {});

// The layer's total time with one constant at the low and at the high end of
// its range (model_constants()), every other constant at kHopper.
struct Sensitivity {
  const ModelConstant* constant = nullptr;
  double low_us = 0;
  double high_us = 0;
};
std::vector<Sensitivity> layer_sensitivity(const model::MoeLayerSpec& spec, const Gpu& gpu, uint64_t tokens,
                                           model::Precision precision, model::Phase phase);

double total_time_us(std::span<const KernelTime> kernels);

}  // namespace cadre::gpumodel
