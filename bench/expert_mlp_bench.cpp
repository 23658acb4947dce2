// bench_expert_mlp: how fast the SystemC chip model simulates the accelerator
// running the hand-written expert-MLP program (runtime/programs/expert_mlp.c),
// in simulated cycles per wall second, on the small and default presets with
// one tile and with every tile busy (each tile its own expert). Each run is a
// child process (SystemC elaborates once per process) that reports through a
// pipe; --check also compares every tile's output with the golden model.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/elf/elf_program.h"
#include "cadre/runtime/expert_mlp.h"
#include "cadre/sim/chip.h"
#include "cadre/sim/simulate.h"

namespace {

using cadre::runtime::ExpertMlpShape;

struct Run {
  uint64_t cycles = 0, instructions = 0, macs = 0, dma_bytes = 0;
  double wall_seconds = 0;
  bool ok = false, checked = false, exact = false;
};

// The shape each preset runs: as large as the preset's SRAMs allow at a
// 128-aligned shape, so that a run is long enough to time.
ExpertMlpShape shape_for(const std::string& arch) {
  if (arch == "small") return {8, 256, 1024, 64, 128};
  return {32, 1024, 1024, 128, 512};
}

Run run_once(const cadre::arch::ArchConfig& cfg, const cadre::elf::Program& program, const ExpertMlpShape& shape,
             uint32_t busy_tiles, bool check) {
  std::vector<cadre::runtime::ExpertMlpCase> cases;
  for (uint32_t t = 0; t < busy_tiles; ++t) cases.push_back(cadre::runtime::make_expert_mlp_case(shape, 7 + t));
  std::vector<expert_mlp_args> args(busy_tiles);
  std::vector<cadre::golden::MatrixF> outs(busy_tiles);
  cadre::sim::SimOptions options;
  options.echo_output = false;
  options.configure = [&](cadre::sim::Chip& chip) {
    const expert_mlp_args plan = cadre::runtime::plan_expert_mlp(shape, cfg);
    for (uint32_t t = 0; t < cfg.tiles; ++t)
      if (t < busy_tiles) args[t] = cadre::runtime::write_expert_mlp(chip.hbm(), cfg, t, cases[t], plan);
      else cadre::runtime::write_idle_tile(chip.hbm(), t);
  };
  options.inspect = [&](cadre::sim::Chip& chip) {
    for (uint32_t t = 0; t < busy_tiles; ++t) outs[t] = cadre::runtime::read_expert_mlp_output(chip.hbm(), args[t]);
  };
  const cadre::sim::SimResult r = cadre::sim::simulate(cfg, program, options);
  Run out{r.cycles, r.instructions, 0, 0, r.wall_seconds, !r.error && r.exit_code == 0, check, true};
  for (const auto& tile : r.tiles) {
    out.macs += tile.accelerator.matrix.macs;
    out.dma_bytes += tile.accelerator.dma.bytes_read + tile.accelerator.dma.bytes_written;
  }
  if (check)
    for (uint32_t t = 0; t < busy_tiles; ++t) {
      const cadre::golden::MatrixF expect = cadre::runtime::expert_mlp_golden(cases[t]);
      out.exact = out.exact && std::memcmp(expect.data(), outs[t].data(), static_cast<size_t>(expect.size()) * 4) == 0;
    }
  return out;
}

Run run_in_child(const cadre::arch::ArchConfig& cfg, const cadre::elf::Program& program, const ExpertMlpShape& shape,
                 uint32_t busy_tiles, bool check) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    Run out;
    try {
      out = run_once(cfg, program, shape, busy_tiles, check);
    } catch (const std::exception& e) {
      fmt::print(stderr, "bench_expert_mlp: {}\n", e.what());
    }
    const bool written = write(fds[1], &out, sizeof(out)) == static_cast<ssize_t>(sizeof(out));
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  Run in;
  const bool read_all = read(fds[0], &in, sizeof(in)) == static_cast<ssize_t>(sizeof(in));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!read_all || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Simulated cycles per wall second of the accelerator running the expert-MLP program",
               "bench_expert_mlp"};
  std::vector<std::string> arches = {"small", "default"};
  int repeat = 3;
  bool json = false, check = false;
  app.add_option("--arch", arches, "presets (or JSON files) to measure")->capture_default_str();
  app.add_option("--repeat", repeat, "runs per configuration")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--check", check, "also compare every output with the golden model (outside the timed part)");
  app.add_flag("--json", json, "JSON instead of a table");
  CLI11_PARSE(app, argc, argv);

  const cadre::elf::Program program = cadre::elf::load_elf_file(CADRE_EXPERT_MLP_ELF);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json)
    fmt::print("{:<8} {:>5} {:>22} {:>4} {:>10} {:>8} {:>11} {:>16} {:>6} {:>6}\n", "arch", "tiles", "shape M,H,I,KC",
               "run", "cycles", "wall s", "M cycles/s", "M tile-cycles/s", "MAC%", "exact");
  for (const std::string& arch : arches) {
    const cadre::arch::ArchConfig cfg = cadre::arch::load_arch(arch);
    const ExpertMlpShape shape = shape_for(cfg.name);
    for (const uint32_t busy : {1u, cfg.tiles}) {
      std::vector<double> rates;
      for (int k = 0; k < repeat; ++k) {
        const Run r = run_in_child(cfg, program, shape, busy, check);
        if (!r.ok || (r.checked && !r.exact)) {
          fmt::print(stderr, "bench_expert_mlp: the run on {} with {} busy tiles {}\n", arch, busy,
                     r.ok ? "differs from the golden model" : "failed");
          return 1;
        }
        const double cps = static_cast<double>(r.cycles) / r.wall_seconds;
        const double tile_cps = cps * busy;
        const double mac_util = static_cast<double>(r.macs) /
                                (static_cast<double>(r.cycles) * busy * cfg.matrix.rows * cfg.matrix.cols);
        rates.push_back(tile_cps / 1e6);
        const std::string shape_text = fmt::format("{},{},{},{}", shape.rows, shape.hidden, shape.inter, shape.k_chunk);
        if (json)
          out.push_back({{"arch", cfg.name}, {"busy_tiles", busy}, {"shape", shape_text}, {"run", k},
                         {"cycles", r.cycles}, {"instructions", r.instructions}, {"macs", r.macs},
                         {"dma_bytes", r.dma_bytes}, {"wall_seconds", r.wall_seconds}, {"cycles_per_second", cps},
                         {"tile_cycles_per_second", tile_cps}, {"mac_utilisation", mac_util},
                         {"checked", r.checked}, {"exact", r.checked && r.exact}});
        else
          fmt::print("{:<8} {:>5} {:>22} {:>4} {:>10} {:>8.3f} {:>11.2f} {:>16.2f} {:>6.1f} {:>6}\n", cfg.name, busy,
                     shape_text, k, r.cycles, r.wall_seconds, cps / 1e6, tile_cps / 1e6, 100 * mac_util,
                     r.checked ? "yes" : "-");
      }
      std::sort(rates.begin(), rates.end());
      if (!json)
        fmt::print("{:<8} {:>5} median {:.2f} M simulated cycles per wall second per tile\n", cfg.name, busy,
                   rates[rates.size() / 2]);
    }
  }
  if (json) fmt::print("{}\n", out.dump(2));
  return 0;
}
