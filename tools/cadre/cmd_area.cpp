// `cadre area --arch A`: the matrix engine's logic area from a yosys
// synthesis of its RTL, at the configuration's node, beside the energy and
// area model's estimate and its SRAMs (docs/rtl.md, "Area").
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/energy/area_model.h"
#include "cadre/energy/tech_node.h"
#include "cadre/rtl/area.h"
#include "cadre/rtl/array_shape.h"
#include "commands.h"
#include "exit_codes.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace area_command {
namespace {

struct Options {
  std::string arch;
  bool json = false;
};

int run(const Options& opts) {
  arch::ArchConfig cfg;
  energy::TechNode node;
  try {
    cfg = arch::load_arch(opts.arch);
    node = energy::tech_node(cfg.tech_node_nm);
  } catch (const arch::ConfigError& e) {
    print_stderr("cadre area: {}\n", e.what());
    return kExitBadInput;
  } catch (const energy::TechNodeError& e) {
    print_stderr("cadre area: {}: /tech_node_nm: {}\n", cfg.name, e.what());
    return kExitBadInput;
  }
  std::vector<rtl::SynthesisedPart> parts;
  try {
    parts = rtl::synthesise_engine(cfg);
  } catch (const rtl::SynthesisError& e) {
    print_stderr("cadre area: {}\n", e.what());
    return kExitIo;
  }
  const double scale = energy::area_scale(node), cells = static_cast<double>(cfg.matrix.rows) * cfg.matrix.cols;
  const double engine_mm2 = parts.back().um2_at_45nm() * scale * 1e-6;
  const energy::LogicArea estimate = energy::estimated_logic_area(cfg, node);
  const energy::LogicArea with_rtl = rtl::logic_area_with_engine(cfg, node, parts);
  const double scratchpad_mm2 = energy::sram_area_mm2(cfg.scratchpad.bytes, node);
  const double accumulator_mm2 = energy::sram_area_mm2(cfg.accumulator.bytes, node);

  if (opts.json) {
    nlohmann::ordered_json logic = nlohmann::ordered_json::array();
    for (const rtl::SynthesisedPart& p : parts)
      logic.push_back({{"part", p.part},
                       {"instances", p.instances},
                       {"gates", p.gates()},
                       {"cells", p.cells},
                       {"um2_at_45nm", p.um2_at_45nm()},
                       {"mm2", p.um2_at_45nm() * scale * 1e-6 * static_cast<double>(p.instances)}});
    nlohmann::ordered_json table = nlohmann::ordered_json::array();
    for (const rtl::CellArea& c : rtl::cell_areas())
      table.push_back({{"yosys", c.type}, {"cell", c.cell}, {"um2_at_45nm", c.um2_at_45nm}});
    const nlohmann::ordered_json out = {
        {"arch", cfg.name},
        {"array", {{"rows", cfg.matrix.rows}, {"cols", cfg.matrix.cols},
                   {"preload_rows_per_cycle", cfg.matrix.preload_rows_per_cycle},
                   {"weight_buffers", cfg.matrix.weight_buffers}}},
        {"rtl_fingerprint", rtl::rtl_fingerprint()},
        {"tech_node_nm", node.nm},
        {"area_scale", scale},
        {"logic", logic},
        {"mac_cell_um2", {{"rtl", with_rtl.mac_cell_um2}, {"energy_model_estimate", estimate.mac_cell_um2}}},
        {"engine_mm2", engine_mm2},
        {"sram_mm2", {{"scratchpad", scratchpad_mm2}, {"accumulator", accumulator_mm2}}},
        {"tile_mm2", engine_mm2 + scratchpad_mm2 + accumulator_mm2},
        {"cell_areas", table}};
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  fmt::print("{}: {} array; {} nm\n", cfg.name, rtl::describe(rtl::shape_of(cfg)), node.nm);
  fmt::print("logic: yosys gates x Nangate 45 nm X1 cell areas x {:.4f} (the energy model's 45 nm -> {} nm scale)\n\n",
             scale, node.nm);
  fmt::print("{:<20} {:>9} {:>11} {:>15} {:>12}\n", "part", "instances", "gates each", "um2 each @45nm",
             fmt::format("mm2 @{}nm", node.nm));
  for (const rtl::SynthesisedPart& p : parts)
    fmt::print("{:<20} {:>9} {:>11} {:>15.0f} {:>12.4f}\n", p.part, p.instances, p.gates(), p.um2_at_45nm(),
               p.um2_at_45nm() * scale * 1e-6 * static_cast<double>(p.instances));
  fmt::print("\nper MAC cell (engine / {} cells): {:.1f} um2; the energy model's estimate: {:.1f} um2\n", cells,
             with_rtl.mac_cell_um2, estimate.mac_cell_um2);
  fmt::print("SRAM (energy model): scratchpad {} bytes {:.4f} mm2, accumulator {} bytes {:.4f} mm2\n",
             cfg.scratchpad.bytes, scratchpad_mm2, cfg.accumulator.bytes, accumulator_mm2);
  fmt::print("tile: matrix engine + SRAMs {:.4f} mm2\n", engine_mm2 + scratchpad_mm2 + accumulator_mm2);
  return kExitOk;
}

}  // namespace
}  // namespace area_command

void add_area_command(CLI::App& app, int& exit_code) {
  using namespace area_command;
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("area", "Matrix engine area from a yosys synthesis of its RTL, and the SRAMs'");
  cmd->add_option("--arch", opts->arch, "architecture: a preset name or a JSON file")->required();
  cmd->add_flag("--json", opts->json, "the report as JSON");
  cmd->callback([opts, &exit_code] { exit_code = run(*opts); });
}

}  // namespace cadre::cli
