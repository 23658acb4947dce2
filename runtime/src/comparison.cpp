#include "cadre/runtime/comparison.h"

#include <fmt/format.h>

#include <algorithm>

#include "cadre/energy/constants.h"
#include "cadre/gpumodel/model_range.h"
#include "cadre/runtime/kernel_profile.h"
#include "cadre/runtime/roofline.h"

namespace cadre::runtime {
namespace {

using model::Kernel;

// The kernel whose output an argument-block role holds.
std::optional<Kernel> kernel_of_role(std::string_view role) {
  const std::string_view base = role.substr(0, role.find('.'));
  if (base == "router_gemm") return Kernel::RouterGemm;
  if (base == "topk") return Kernel::TopK;
  if (base == "align") return Kernel::Align;
  if (base == "input_quant") return Kernel::InputQuant;
  if (base == "shared_expert") return Kernel::SharedExpert;
  if (base == "combine") return Kernel::Combine;
  return std::nullopt;
}

// Whether the kernel's output stays inside the chip's fused expert MLP.
bool fused_on_chip(Kernel k) {
  return k == Kernel::Permute || k == Kernel::GateUpGemm || k == Kernel::SiluMulQuant || k == Kernel::DownGemm;
}

// The GPU's dense peak for a kernel's FLOPs: the router is BF16, the expert GEMMs in the layer's precision.
double gpu_peak_tflops(Kernel k, model::Precision p, const gpumodel::Gpu& gpu) {
  if (k == Kernel::RouterGemm || p == model::Precision::Bf16) return gpu.bf16_dense_tflops;
  return gpu.fp8_dense_tflops;
}

double longer(double a, double b) { return a > b ? a : b; }

std::string joined_tflops(const gpumodel::Gpu& g) {
  return fmt::format("{:.0f} TFLOP/s FP8, {:.0f} TFLOP/s BF16 dense, {:.2f} TB/s", g.fp8_dense_tflops,
                     g.bf16_dense_tflops, g.hbm_bandwidth_gbs / 1000);
}

}  // namespace

std::string check_of(Kernel kernel, const LayerRun& run, bool checked) {
  if (!checked) return "not checked";
  if (fused_on_chip(kernel)) return "fused (checked through combine)";
  uint64_t elements = 0, mismatches = 0;
  for (const TensorCheck& c : run.checks)
    if (kernel_of_role(c.role) == kernel) elements += c.elements, mismatches += c.mismatches;
  if (elements == 0) return "no output";
  return mismatches == 0 ? "bit-exact" : fmt::format("{} of {} differ", mismatches, elements);
}

Comparison compare_layer(const CompareInputs& in) {
  const sim::SimResult& r = in.run.sim;
  const arch::ArchConfig& arch = in.arch;
  const gpumodel::Gpu& gpu = in.gpu;
  const energy::ChipModel chip = energy::chip_model(arch, in.logic_area);
  const LayerProfile profile = profile_layer(r);
  const double us_per_cycle = 1e-3 / arch.clock_ghz;

  Comparison c;
  c.model = in.spec.name;
  c.arch = arch.name;
  c.gpu = gpu.key;
  c.phase = model::name(in.phase);
  c.precision = model::name(in.precision);
  c.tokens = in.tokens;
  c.tiles = arch.tiles;
  c.clock_ghz = arch.clock_ghz;
  c.cycles = r.cycles;
  c.gpu_measured = in.measured_gpu_seconds.has_value();
  c.timing_only = in.timing_only;
  c.checked = in.checked;
  c.bit_exact = in.checked && in.run.bit_exact();
  c.cadre_area = chip.area;

  // The GPU: the performance model on the chip's own routing, and measured times where there are any.
  const gpumodel::LayerTimes modelled =
      gpumodel::model_moe_layer_range(in.spec, gpu, in.tokens, in.precision, in.phase, in.run.expert_rows);
  const double peak_macs_per_us = static_cast<double>(arch::peak_macs_per_cycle(arch)) / us_per_cycle;
  const double hbm_bytes_per_us = arch::hbm_bytes_per_cycle(arch) / us_per_cycle;
  for (const model::Named<Kernel>& named : model::kKernels) {
    KernelComparison k;
    k.kernel = named.value;
    for (size_t m = 0; m < modelled.kernels.size(); ++m) {
      const gpumodel::KernelTime& t = modelled.kernels[m];
      if (t.kernel != named.value) continue;
      GpuKernel g;
      g.model_us = t.time_us;
      g.model_low_us = modelled.ranges[m].low_us;
      g.model_high_us = modelled.ranges[m].high_us;
      if (in.measured_gpu_seconds) g.measured_us = (*in.measured_gpu_seconds)[static_cast<size_t>(named.value)] * 1e6;
      g.time_us = g.measured_us ? *g.measured_us : g.model_us;
      g.flops = t.flops;
      g.hbm_bytes = t.bytes;
      g.energy_j = gpu.tdp_w * g.time_us * 1e-6;
      const double compute_us = t.flops / (gpu_peak_tflops(named.value, in.precision, gpu) * 1e6);
      const double memory_us = t.bytes / (gpu.hbm_bandwidth_gbs * 1e3);
      g.roofline_us = longer(compute_us, memory_us);
      g.bound = gpumodel::to_string(t.bound);
      k.gpu = g;
    }
    const auto a = std::find_if(profile.kernels.begin(), profile.kernels.end(),
                                [&](const KernelActivity& x) { return x.kernel == named.value; });
    if (a != profile.kernels.end()) {
      CadreKernel ck;
      ck.time_us = a->cycles * us_per_cycle;
      ck.span_us = static_cast<double>(a->span_cycles) * us_per_cycle;
      ck.commands = a->commands;
      ck.instructions = a->instructions;
      ck.flops = 2.0 * static_cast<double>(a->work.macs);
      ck.hbm_bytes = static_cast<double>(a->work.dma_bytes_read + a->work.dma_bytes_written);
      ck.energy = energy::energy_of(chip, activity_of(*a), ck.time_us * 1e-6);
      ck.energy_j = ck.energy.total_j();
      const double compute_us = static_cast<double>(a->work.macs) / peak_macs_per_us;
      const double memory_us = ck.hbm_bytes / hbm_bytes_per_us;
      ck.roofline_us = longer(compute_us, memory_us);
      ck.bound = compute_us > memory_us ? "compute" : "memory";
      const double tile_cycles = a->cycles * arch.tiles;
      const auto share = [&](uint64_t busy) { return tile_cycles > 0 ? static_cast<double>(busy) / tile_cycles : 0.0; };
      ck.matrix_utilisation = share(a->matrix_busy_cycles);
      ck.vector_utilisation = share(a->vector_busy_cycles);
      ck.load_utilisation = share(a->load_busy_cycles);
      ck.store_utilisation = share(a->store_busy_cycles);
      k.cadre = ck;
    }
    k.check = check_of(named.value, in.run, in.checked);
    if (k.gpu || k.cadre) c.kernels.push_back(std::move(k));
  }

  // Cadre's control: no command running, the untagged instructions, the cores' own HBM accesses.
  c.control_us = profile.control_cycles * us_per_cycle;
  energy::Activity control;
  control.instructions = profile.control_instructions;
  control.hbm_bytes = profile.control_hbm_bytes;
  const energy::Energy control_energy = energy::energy_of(chip, control, c.control_us * 1e-6);
  c.control_energy_j = control_energy.total_j();
  c.cadre_energy = control_energy;
  for (const KernelComparison& k : c.kernels) {
    if (!k.cadre) continue;
    const energy::Energy& e = k.cadre->energy;
    c.cadre_energy.macs_j += e.macs_j;
    c.cadre_energy.vector_j += e.vector_j;
    c.cadre_energy.sram_j += e.sram_j;
    c.cadre_energy.hbm_j += e.hbm_j;
    c.cadre_energy.interconnect_j += e.interconnect_j;
    c.cadre_energy.core_j += e.core_j;
    c.cadre_energy.leakage_j += e.leakage_j;
  }

  // The layers: the same unavoidable work against each machine's peaks.
  const LayerWork work = layer_work(in.spec, in.tokens, in.precision, in.run.expert_rows);
  c.cadre_layer = {fmt::format("Cadre {}", arch.name), static_cast<double>(r.cycles) * us_per_cycle,
                   c.cadre_energy.total_j(), chip.area.total_mm2(), 0, in.tokens};
  if (r.cycles) c.cadre_layer.roofline_fraction = roofline(arch, work).bound_cycles() / static_cast<double>(r.cycles);
  double gpu_us = 0;
  for (const KernelComparison& k : c.kernels)
    if (k.gpu) gpu_us += k.gpu->time_us;
  const double gpu_peak = in.precision == model::Precision::Fp8 ? gpu.fp8_dense_tflops : gpu.bf16_dense_tflops;
  c.gpu_layer = {fmt::format("{}{}", gpu.name, c.gpu_measured ? " (measured)" : " (model)"), gpu_us,
                 gpu.tdp_w * gpu_us * 1e-6, gpu.die_mm2, 0, in.tokens};
  c.gpu_peak_tflops = gpu_peak;
  c.gpu_bandwidth_gbs = gpu.hbm_bandwidth_gbs;
  c.cadre_peak_tflops = arch::peak_tflops(arch, in.precision == model::Precision::Fp8 ? num::Format::E4M3 : num::Format::BF16);
  c.cadre_bandwidth_gbs = arch::hbm_bandwidth_gb_s(arch);
  if (gpu_us > 0)
    c.gpu_layer.roofline_fraction = longer(work.flops / (gpu_peak * 1e6), work.hbm_bytes / (gpu.hbm_bandwidth_gbs * 1e3)) / gpu_us;

  // The chip's utilisation over time, each unit's busy share of the tiles.
  const sim::UtilisationTimeline& u = r.utilisation;
  c.bin_us = static_cast<double>(u.bin_cycles()) * us_per_cycle;
  for (const auto& bin : u.bins()) {
    std::array<double, sim::kActivityUnitCount> f{};
    for (size_t i = 0; i < f.size(); ++i)
      f[i] = static_cast<double>(bin[i]) / (static_cast<double>(u.bin_cycles()) * arch.tiles);
    c.utilisation.push_back(f);
  }

  // What the figures rest on.
  const energy::Constants& k = energy::kConstants;
  c.assumptions = {
      {"gpu_time", c.gpu_measured
                       ? fmt::format("GPU times measured on the GPU present (CUDA events around each kernel, "
                                     "DeepGEMM-style tensor-core GEMMs); the model's beside them")
                       : fmt::format("no GPU was used: GPU times are the GPU performance model's for the {} "
                                     "({}; docs/gpu-model.md), each with the range its unconstrained constants allow",
                                     gpu.name, joined_tflops(gpu))},
      {"gpu_energy", fmt::format("GPU energy = board power at TDP ({:.0f} W) x time: a board-level upper bound "
                                 "(HBM, regulators and board included), not a measurement",
                                 gpu.tdp_w)},
      {"gpu_area", fmt::format("GPU area: the whole {} die, {:.0f} mm2 ({}), HBM interfaces, L2 and units MoE does "
                               "not use included",
                               gpu.name, gpu.die_mm2, gpu.process)},
      {"cadre_time", fmt::format("Cadre times: simulated cycles at {} GHz on '{}' ({} tiles of {}x{}); a kernel's "
                                 "time is its share of the cycles, overlapping kernels splitting them equally "
                                 "(docs/compare.md)",
                                 arch.clock_ghz, arch.name, arch.tiles, arch.matrix.rows, arch.matrix.cols)},
      {"cadre_energy",
       fmt::format("Cadre energy: per-action energies at {} nm scaled from Horowitz's 45 nm table by "
                   "sqrt(logic density) (x{:.3f}), HBM {} pJ/bit, leakage {:.0f} % of peak dynamic power "
                   "({:.3g} W); die and HBM only, no board (docs/energy.md)",
                   arch.tech_node_nm, energy::energy_scale(chip.node), k.hbm_pj_per_bit, 100 * k.leakage_fraction,
                   chip.leakage_w)},
      {"cadre_area", fmt::format("Cadre area: {:.3g} mm2 at {} nm: logic {:.3g} mm2 ({}), SRAM {:.3g} mm2 from "
                                 "the bitcell area, HBM interface {:.3g} mm2; the simulator's RAM not counted",
                                 chip.area.total_mm2(), arch.tech_node_nm, chip.area.logic_mm2(), chip.logic.basis,
                                 chip.area.sram_mm2(), chip.area.hbm_interface_mm2)},
      {"routing", "both machines route the tokens the chip routed (its router GEMM and top-k ran on the real input)"},
      {"weights", in.timing_only ? fmt::format("{} weights; --timing-only: FP8 GEMMs took their cycles without "
                                               "values, so nothing was checked",
                                               in.weights)
                                 : fmt::format("{} weights", in.weights)},
  };
  return c;
}

}  // namespace cadre::runtime
