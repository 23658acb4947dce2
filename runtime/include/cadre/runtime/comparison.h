// One MoE layer three ways, kernel by kernel (docs/compare.md): the GPU
// reference (the GPU performance model, or times measured on a GPU), the
// Cadre chip (the simulator's run, with the energy and area model) and the
// golden model (the check of the chip's outputs). `cadre compare` prints it
// and writes it as a report.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cadre/arch/arch_config.h"
#include "cadre/energy/energy_model.h"
#include "cadre/gpumodel/gpu.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"
#include "cadre/runtime/layer_run.h"

namespace cadre::runtime {

// One kernel's figures on one machine.
struct KernelFigures {
  double time_us = 0;
  double flops = 0;        // matrix or tensor-core FLOPs, 2 per MAC
  double hbm_bytes = 0;    // bytes to and from HBM
  double energy_j = 0;
  double roofline_us = 0;  // the same work at the machine's peaks: the longer of compute and HBM time
  std::string bound;       // compute or memory (the roofline's; the GPU model may say latency)
  double tflops() const { return time_us > 0 ? flops / time_us * 1e-6 : 0; }
  double gbs() const { return time_us > 0 ? hbm_bytes / time_us * 1e-3 : 0; }
  double roofline_fraction() const { return time_us > 0 ? roofline_us / time_us : 0; }
};

struct GpuKernel : KernelFigures {
  double model_us = 0;                 // the performance model's time
  double model_low_us = 0, model_high_us = 0;  // the range its unconstrained constants allow
  std::optional<double> measured_us;   // on a GPU, when one is present (then time_us)
};

struct CadreKernel : KernelFigures {
  double span_us = 0;        // first command's start to last command's end, on its longest tile
  uint64_t commands = 0;
  uint64_t instructions = 0;
  // Busy time of each unit over the kernel's time (tiles x time_us): its utilisation while it runs.
  double matrix_utilisation = 0, vector_utilisation = 0, load_utilisation = 0, store_utilisation = 0;
  energy::Energy energy;     // energy_j's parts
};

struct KernelComparison {
  model::Kernel kernel = model::Kernel::RouterGemm;
  std::optional<GpuKernel> gpu;      // when the kernel runs on the GPU (model::kernel_runs)
  std::optional<CadreKernel> cadre;  // when the chip ran commands of it
  std::string check;                 // the golden model's verdict on the chip's output (check_of)
};

// A machine on the whole layer.
struct MachineSummary {
  std::string name;
  double time_us = 0;
  double energy_j = 0;
  double area_mm2 = 0;
  double roofline_fraction = 0;  // the layer's unavoidable work at the machine's peaks / time
  uint32_t tokens = 0;
  double tokens_per_s() const { return time_us > 0 ? tokens / (time_us * 1e-6) : 0; }
  double tokens_per_j() const { return energy_j > 0 ? tokens / energy_j : 0; }
  double tokens_per_s_per_mm2() const { return area_mm2 > 0 ? tokens_per_s() / area_mm2 : 0; }
};

// A stated assumption behind a figure, printed beside the comparison.
struct Assumption {
  std::string topic;  // gpu_time, gpu_energy, gpu_area, cadre_time, cadre_energy, cadre_area, routing, weights
  std::string text;
};

struct Comparison {
  std::string model, arch, gpu, phase, precision;
  uint32_t tokens = 0;
  uint32_t tiles = 0;
  double clock_ghz = 0;
  uint64_t cycles = 0;
  bool gpu_measured = false;  // GPU times measured on a GPU, not modelled
  bool timing_only = false;
  bool checked = false;
  bool bit_exact = false;     // when checked: every output bit-identical
  std::vector<KernelComparison> kernels;  // kernels.def order
  double control_us = 0;      // Cadre's time with no command running (LayerProfile::control_cycles)
  double control_energy_j = 0;
  MachineSummary gpu_layer, cadre_layer;
  // The roofs: dense peak in the layer's precision and HBM bandwidth.
  double gpu_peak_tflops = 0, gpu_bandwidth_gbs = 0, cadre_peak_tflops = 0, cadre_bandwidth_gbs = 0;
  energy::Energy cadre_energy;        // the layer's, by part
  energy::AreaBreakdown cadre_area;
  std::vector<Assumption> assumptions;
  // The chip's units over time: bins of bin_us, each unit's busy share of the tiles.
  double bin_us = 0;
  std::vector<std::array<double, sim::kActivityUnitCount>> utilisation;
};

// What a comparison is made of.
struct CompareInputs {
  const model::MoeLayerSpec& spec;
  uint32_t tokens;
  model::Phase phase;
  model::Precision precision;
  const arch::ArchConfig& arch;
  const gpumodel::Gpu& gpu;
  const LayerRun& run;      // the chip's run (checked or not)
  bool timing_only = false;
  bool checked = false;
  // Per-kernel seconds measured on a GPU (by model::Kernel), when one is present.
  std::optional<std::array<double, model::kKernelCount>> measured_gpu_seconds;
  std::string weights = "synthetic";
  // The logic areas in place of the energy model's estimates (the RTL's
  // synthesised matrix engine), when there are any.
  std::optional<energy::LogicArea> logic_area;
};

// TechNodeError (energy) when the architecture's node is outside the model's table.
Comparison compare_layer(const CompareInputs& in);

// The golden model's verdict on the chip's outputs of a kernel: "bit-exact",
// "N of M differ", "fused (checked through combine)" for the kernels whose
// output never reaches HBM on the chip, "not checked".
std::string check_of(model::Kernel kernel, const LayerRun& run, bool checked);

nlohmann::ordered_json to_json(const Comparison& c);

}  // namespace cadre::runtime
