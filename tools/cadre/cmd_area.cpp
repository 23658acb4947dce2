// `cadre area --arch A`: the matrix engine's logic area from a yosys
// synthesis of its RTL, with the SRAM model's area beside it (docs/rtl.md,
// "Area").
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cadre/arch/arch_json.h"
#include "cadre/rtl/area.h"
#include "cadre/rtl/array_shape.h"
#include "commands.h"
#include "exit_codes.h"

namespace cadre::cli {
namespace {

struct Options {
  std::string arch;
  bool json = false;
};

int run(const Options& opts) {
  arch::ArchConfig cfg;
  try {
    cfg = arch::load_arch(opts.arch);
  } catch (const arch::ConfigError& e) {
    fmt::print(stderr, "cadre area: {}\n", e.what());
    return kExitBadInput;
  }
  std::vector<rtl::LogicArea> logic;
  try {
    logic = rtl::synthesise_engine(cfg);
  } catch (const rtl::SynthesisError& e) {
    fmt::print(stderr, "cadre area: {}\n", e.what());
    return kExitIo;
  }
  const double node = cfg.tech_node_nm, scale = rtl::logic_scale(node);
  const double engine_mm2 = logic.back().um2_at_45nm() * scale * 1e-6;
  const double scratchpad_mm2 = rtl::sram_mm2(cfg.scratchpad.bytes, node);
  const double accumulator_mm2 = rtl::sram_mm2(cfg.accumulator.bytes, node);
  const double tile_mm2 = engine_mm2 + scratchpad_mm2 + accumulator_mm2;

  if (opts.json) {
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const rtl::LogicArea& a : logic)
      parts.push_back({{"part", a.part},
                       {"instances", a.instances},
                       {"gates", a.gates()},
                       {"cells", a.cells},
                       {"um2_at_45nm", a.um2_at_45nm()},
                       {"mm2", a.um2_at_45nm() * scale * 1e-6 * static_cast<double>(a.instances)}});
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (const rtl::CellArea& c : rtl::cell_areas())
      cells.push_back({{"yosys", c.type}, {"cell", c.cell}, {"um2_at_45nm", c.um2_at_45nm}});
    const nlohmann::ordered_json out = {
        {"arch", cfg.name},
        {"array", {{"rows", cfg.matrix.rows}, {"cols", cfg.matrix.cols},
                   {"preload_rows_per_cycle", cfg.matrix.preload_rows_per_cycle},
                   {"weight_buffers", cfg.matrix.weight_buffers}}},
        {"tech_node_nm", node},
        {"logic_scale", scale},
        {"logic", parts},
        {"sram", {{"scratchpad_bytes", cfg.scratchpad.bytes}, {"scratchpad_mm2", scratchpad_mm2},
                  {"accumulator_bytes", cfg.accumulator.bytes}, {"accumulator_mm2", accumulator_mm2},
                  {"bitcell_um2", rtl::sram_bitcell_um2(node)}, {"array_efficiency", rtl::kSramArrayEfficiency}}},
        {"tile_mm2", tile_mm2},
        {"tiles", cfg.tiles},
        {"chip_mm2", tile_mm2 * cfg.tiles},
        {"cell_areas", cells},
        {"sources", {{"cells", "Nangate 45 nm Open Cell Library (typical), X1 cells"},
                     {"logic_scaling", "(tech_node_nm / 45)^2"},
                     {"sram", "published 6T bit cells by node, docs/rtl.md"}}}};
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  fmt::print("{}: {} array; {} nm\n", cfg.name, rtl::describe(rtl::shape_of(cfg)), node);
  fmt::print("logic: yosys gates x Nangate 45 nm X1 cell areas x (node / 45)^2 = x {:.4f}\n\n", scale);
  fmt::print("{:<20} {:>9} {:>11} {:>15} {:>12}\n", "part", "instances", "gates each", "um2 each @45nm",
             fmt::format("mm2 @{}nm", node));
  for (const rtl::LogicArea& a : logic)
    fmt::print("{:<20} {:>9} {:>11} {:>15.0f} {:>12.4f}\n", a.part, a.instances, a.gates(), a.um2_at_45nm(),
               a.um2_at_45nm() * scale * 1e-6 * static_cast<double>(a.instances));
  fmt::print("\nSRAM: bits x {:.4f} um2 bit cell / {} array efficiency\n", rtl::sram_bitcell_um2(node),
             rtl::kSramArrayEfficiency);
  fmt::print("{:<20} {:>12} bytes {:>12.4f} mm2\n", "scratchpad", cfg.scratchpad.bytes, scratchpad_mm2);
  fmt::print("{:<20} {:>12} bytes {:>12.4f} mm2\n", "accumulator", cfg.accumulator.bytes, accumulator_mm2);
  fmt::print("\n{:<20} {:>12.4f} mm2 (matrix engine + SRAMs)\n", "tile", tile_mm2);
  fmt::print("{:<20} {:>12.4f} mm2 ({} tiles)\n", "chip", tile_mm2 * cfg.tiles, cfg.tiles);
  return kExitOk;
}

}  // namespace

void add_area_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("area", "Matrix engine area from a yosys synthesis of its RTL, and the SRAMs'");
  cmd->add_option("--arch", opts->arch, "architecture: a preset name or a JSON file")->required();
  cmd->add_flag("--json", opts->json, "the report as JSON");
  cmd->callback([opts, &exit_code] { exit_code = run(*opts); });
}

}  // namespace cadre::cli
