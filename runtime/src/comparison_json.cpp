// The comparison as JSON: `cadre compare --json` and the report's
// compare.json; every field is described in docs/compare.md.
#include <fmt/format.h>

#include "cadre/runtime/comparison.h"

namespace cadre::runtime {
namespace {

using json = nlohmann::ordered_json;

json figures(const KernelFigures& f) {
  return {{"time_us", f.time_us},           {"tflops", f.tflops()},      {"gbs", f.gbs()},
          {"roofline_fraction", f.roofline_fraction()}, {"bound", f.bound}, {"energy_j", f.energy_j},
          {"flops", f.flops},               {"hbm_bytes", f.hbm_bytes}, {"roofline_us", f.roofline_us}};
}

json energy_json(const energy::Energy& e) {
  return {{"macs_j", e.macs_j}, {"vector_j", e.vector_j}, {"sram_j", e.sram_j}, {"hbm_j", e.hbm_j},
          {"interconnect_j", e.interconnect_j}, {"core_j", e.core_j}, {"leakage_j", e.leakage_j},
          {"total_j", e.total_j()}};
}

json summary(const MachineSummary& m) {
  return {{"name", m.name},
          {"time_us", m.time_us},
          {"tokens_per_s", m.tokens_per_s()},
          {"energy_j", m.energy_j},
          {"tokens_per_j", m.tokens_per_j()},
          {"area_mm2", m.area_mm2},
          {"tokens_per_s_per_mm2", m.tokens_per_s_per_mm2()},
          {"roofline_fraction", m.roofline_fraction}};
}

}  // namespace

nlohmann::ordered_json to_json(const Comparison& c) {
  json kernels = json::array();
  for (const KernelComparison& k : c.kernels) {
    json row{{"kernel", model::name(k.kernel)}, {"check", k.check}};
    if (k.gpu) {
      json g = figures(*k.gpu);
      g["model_us"] = k.gpu->model_us;
      g["model_low_us"] = k.gpu->model_low_us;
      g["model_high_us"] = k.gpu->model_high_us;
      g["measured_us"] = k.gpu->measured_us ? json(*k.gpu->measured_us) : json();
      row["gpu"] = g;
    } else {
      row["gpu"] = nullptr;
    }
    if (k.cadre) {
      json ch = figures(*k.cadre);
      ch["span_us"] = k.cadre->span_us;
      ch["commands"] = k.cadre->commands;
      ch["instructions"] = k.cadre->instructions;
      ch["matrix_utilisation"] = k.cadre->matrix_utilisation;
      ch["vector_utilisation"] = k.cadre->vector_utilisation;
      ch["load_utilisation"] = k.cadre->load_utilisation;
      ch["store_utilisation"] = k.cadre->store_utilisation;
      ch["energy"] = energy_json(k.cadre->energy);
      row["cadre"] = ch;
    } else {
      row["cadre"] = nullptr;
    }
    kernels.push_back(row);
  }
  json assumptions = json::array();
  for (const Assumption& a : c.assumptions) assumptions.push_back({{"topic", a.topic}, {"text", a.text}});
  json units = json::array();
  for (size_t u = 0; u < sim::kActivityUnitCount; ++u) units.push_back(sim::name(static_cast<sim::ActivityUnit>(u)));
  json bins = json::array();
  for (const auto& b : c.utilisation) bins.push_back(json(std::vector<double>(b.begin(), b.end())));
  const energy::AreaBreakdown& a = c.cadre_area;
  return {{"model", c.model},
          {"arch", c.arch},
          {"gpu", c.gpu},
          {"phase", c.phase},
          {"precision", c.precision},
          {"tokens", c.tokens},
          {"tiles", c.tiles},
          {"clock_ghz", c.clock_ghz},
          {"cycles", c.cycles},
          {"gpu_measured", c.gpu_measured},
          {"timing_only", c.timing_only},
          {"checked", c.checked},
          {"bit_exact", c.checked ? json(c.bit_exact) : json()},
          {"kernels", kernels},
          {"control", {{"time_us", c.control_us}, {"energy_j", c.control_energy_j}}},
          {"layer", {{"gpu", summary(c.gpu_layer)}, {"cadre", summary(c.cadre_layer)}}},
          {"peaks",
           {{"gpu_tflops", c.gpu_peak_tflops},
            {"gpu_gbs", c.gpu_bandwidth_gbs},
            {"cadre_tflops", c.cadre_peak_tflops},
            {"cadre_gbs", c.cadre_bandwidth_gbs}}},
          {"cadre_energy", energy_json(c.cadre_energy)},
          {"cadre_area",
           {{"mac_arrays_mm2", a.mac_arrays_mm2},
            {"vector_units_mm2", a.vector_units_mm2},
            {"cores_mm2", a.cores_mm2},
            {"tile_control_mm2", a.tile_control_mm2},
            {"scratchpads_mm2", a.scratchpads_mm2},
            {"accumulators_mm2", a.accumulators_mm2},
            {"l2_mm2", a.l2_mm2},
            {"hbm_interface_mm2", a.hbm_interface_mm2},
            {"total_mm2", a.total_mm2()}}},
          {"assumptions", assumptions},
          {"utilisation", {{"bin_us", c.bin_us}, {"units", units}, {"bins", bins}}}};
}

}  // namespace cadre::runtime
