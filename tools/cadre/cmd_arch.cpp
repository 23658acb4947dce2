// `cadre arch [A]`: the architecture presets, or one configuration with the
// figures derived from it.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cadre/arch/arch_config.h"
#include "cadre/arch/arch_json.h"
#include "commands.h"
#include "exit_codes.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace arch_command {
namespace {

struct Derived {
  double fp8_tflops, bf16_tflops, hbm_gb_s, ridge_fp8;
  uint64_t sram_bytes, macs_per_cycle;
};

Derived derive(const arch::ArchConfig& c) {
  return {arch::peak_tflops(c, num::Format::E4M3), arch::peak_tflops(c, num::Format::BF16),
          arch::hbm_bandwidth_gb_s(c),             arch::ridge_flops_per_byte(c, num::Format::E4M3),
          arch::total_sram_bytes(c),               arch::peak_macs_per_cycle(c)};
}

nlohmann::ordered_json derived_json(const Derived& d) {
  return {{"peak_fp8_tflops", d.fp8_tflops},     {"peak_bf16_tflops", d.bf16_tflops},
          {"hbm_bandwidth_gb_s", d.hbm_gb_s},    {"ridge_fp8_flops_per_byte", d.ridge_fp8},
          {"total_sram_bytes", d.sram_bytes},    {"peak_macs_per_cycle", d.macs_per_cycle}};
}

void print_summary_table(bool json) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json)
    fmt::print("{:<12} {:>5} {:>9} {:>6} {:>10} {:>10} {:>10} {:>10}\n", "preset", "tiles", "array", "GHz",
               "FP8 TFLOPS", "SRAM MiB", "HBM GB/s", "HBM GiB");
  for (std::string_view name : arch::preset_names()) {
    const arch::ArchConfig c = arch::load_arch(name);
    const Derived d = derive(c);
    if (json) {
      out.push_back({{"name", name}, {"config", arch::to_json(c)}, {"derived", derived_json(d)}});
      continue;
    }
    fmt::print("{:<12} {:>5} {:>9} {:>6.2f} {:>10.1f} {:>10.1f} {:>10.0f} {:>10}\n", name, c.tiles,
               fmt::format("{}x{}", c.matrix.rows, c.matrix.cols), c.clock_ghz, d.fp8_tflops,
               static_cast<double>(d.sram_bytes) / (1 << 20), d.hbm_gb_s, c.hbm.capacity_gib);
  }
  if (json) fmt::print("{}\n", out.dump(2));
}

void print_one(const arch::ArchConfig& c, bool json) {
  const Derived d = derive(c);
  if (json) {
    fmt::print("{}\n", nlohmann::ordered_json{{"config", arch::to_json(c)}, {"derived", derived_json(d)}}.dump(2));
    return;
  }
  fmt::print("{}\n{}\n\n", arch::to_json(c).dump(2), "derived:");
  fmt::print("  peak FP8 / BF16        {:.2f} / {:.2f} TFLOPS ({} MACs/cycle)\n", d.fp8_tflops, d.bf16_tflops,
             d.macs_per_cycle);
  fmt::print("  HBM bandwidth          {:.0f} GB/s\n", d.hbm_gb_s);
  fmt::print("  FP8 ridge point        {:.1f} FLOP/byte\n", d.ridge_fp8);
  fmt::print("  SRAM on chip           {:.2f} MiB\n", static_cast<double>(d.sram_bytes) / (1 << 20));
}

}  // namespace
}  // namespace arch_command

void add_arch_command(CLI::App& app, int& exit_code) {
  using namespace arch_command;
  struct Options {
    std::string arch;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("arch", "List the architecture presets, or show one configuration");
  cmd->add_option("ARCH", opts->arch, "a preset name or a path to an architecture JSON");
  cmd->add_flag("--json", opts->json, "machine-readable output");
  cmd->callback([opts, &exit_code] {
    try {
      if (opts->arch.empty())
        print_summary_table(opts->json);
      else
        print_one(arch::load_arch(opts->arch), opts->json);
      exit_code = kExitOk;
    } catch (const arch::ConfigError& e) {
      print_stderr("cadre arch: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  });
}

}  // namespace cadre::cli
