#include "cadre/gpumodel/model_range.h"

#include <algorithm>

namespace cadre::gpumodel {

double total_time_us(std::span<const KernelTime> kernels) {
  double total = 0;
  for (const KernelTime& k : kernels) total += k.time_us;
  return total;
}

LayerTimes model_moe_layer_range(const model::MoeLayerSpec& spec, const Gpu& gpu, uint64_t tokens,
                                 model::Precision precision, model::Phase phase, std::span<const uint64_t> expert_rows) {
  LayerTimes out;
  out.kernels = model_moe_layer(spec, gpu, tokens, precision, phase, expert_rows);
  for (const KernelTime& k : out.kernels) out.ranges.push_back({k.time_us, k.time_us, k.time_us});
  const double total = total_time_us(out.kernels);
  out.total = {total, total, total};

  std::vector<const ModelConstant*> free;
  for (const ModelConstant& c : model_constants())
    if (c.basis == ConstantBasis::Unconstrained) free.push_back(&c);
  for (size_t corner = 0; corner < (size_t{1} << free.size()); ++corner) {
    KernelConstants c = kHopper;
    for (size_t i = 0; i < free.size(); ++i) free[i]->set(c, corner >> i & 1 ? free[i]->high : free[i]->low);
    const std::vector<KernelTime> t = model_moe_layer(spec, gpu, tokens, precision, phase, expert_rows, c);
    for (size_t k = 0; k < t.size(); ++k) {
      out.ranges[k].low_us = std::min(out.ranges[k].low_us, t[k].time_us);
      out.ranges[k].high_us = std::max(out.ranges[k].high_us, t[k].time_us);
    }
    const double corner_total = total_time_us(t);
    out.total.low_us = std::min(out.total.low_us, corner_total);
    out.total.high_us = std::max(out.total.high_us, corner_total);
  }
  return out;
}

std::vector<Sensitivity> layer_sensitivity(const model::MoeLayerSpec& spec, const Gpu& gpu, uint64_t tokens,
                                           model::Precision precision, model::Phase phase) {
  std::vector<Sensitivity> out;
  for (const ModelConstant& constant : model_constants()) {
    KernelConstants low = kHopper, high = kHopper;
    constant.set(low, constant.low);
    constant.set(high, constant.high);
    out.push_back({&constant, total_time_us(model_moe_layer(spec, gpu, tokens, precision, phase, {}, low)),
                   total_time_us(model_moe_layer(spec, gpu, tokens, precision, phase, {}, high))});
  }
  return out;
}

}  // namespace cadre::gpumodel
