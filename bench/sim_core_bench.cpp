// bench_sim_core: how fast the SystemC chip model simulates a compute-bound
// program, in simulated instructions and cycles per wall second, for 1, 2, 4
// and 8 tiles, each run repeated. SystemC elaborates once per process, so
// every run is a child process that reports its figures through a pipe.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/simulate.h"

namespace {

struct Run {
  uint64_t instructions = 0, cycles = 0;
  double wall_seconds = 0;
  bool ok = false;
};

Run run_in_child(const cadre::arch::ArchConfig& cfg, const cadre::elf::Program& program) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    cadre::sim::SimOptions options;
    options.echo_output = false;
    const cadre::sim::SimResult r = cadre::sim::simulate(cfg, program, options);
    const Run out{r.instructions, r.cycles, r.wall_seconds, !r.error};
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
  CLI::App app{"Simulated instructions and cycles per wall second of the cadre_sim chip model", "bench_sim_core"};
  std::string program_path = CADRE_BENCH_PROGRAM, arch_name = "small";
  std::vector<uint32_t> tile_counts = {1, 2, 4, 8};
  int repeat = 3;
  bool json = false;
  app.add_option("--program", program_path, "RV64 ELF to run (every tile runs it)")->capture_default_str();
  app.add_option("--arch", arch_name, "architecture preset or JSON; its tile count is replaced")->capture_default_str();
  app.add_option("--tiles", tile_counts, "tile counts to measure")->capture_default_str();
  app.add_option("--repeat", repeat, "runs per tile count")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--json", json, "JSON instead of a table");
  CLI11_PARSE(app, argc, argv);

  const cadre::elf::Program program = cadre::elf::load_elf_file(program_path);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json)
    fmt::print("{:>5} {:>4} {:>14} {:>14} {:>9} {:>12} {:>12}\n", "tiles", "run", "instructions", "cycles", "wall s",
               "M instr/s", "M cycles/s");
  for (const uint32_t tiles : tile_counts) {
    cadre::arch::ArchConfig cfg = cadre::arch::load_arch(arch_name);
    cfg.tiles = tiles;
    std::vector<double> mips;
    for (int k = 0; k < repeat; ++k) {
      const Run r = run_in_child(cfg, program);
      if (!r.ok) {
        fmt::print(stderr, "bench_sim_core: the run with {} tiles failed\n", tiles);
        return 1;
      }
      const double ips = static_cast<double>(r.instructions) / r.wall_seconds;
      const double cps = static_cast<double>(r.cycles) / r.wall_seconds;
      mips.push_back(ips / 1e6);
      if (json)
        out.push_back({{"tiles", tiles}, {"run", k}, {"instructions", r.instructions}, {"cycles", r.cycles},
                       {"wall_seconds", r.wall_seconds}, {"instructions_per_second", ips},
                       {"cycles_per_second", cps}});
      else
        fmt::print("{:>5} {:>4} {:>14} {:>14} {:>9.3f} {:>12.1f} {:>12.1f}\n", tiles, k, r.instructions, r.cycles,
                   r.wall_seconds, ips / 1e6, cps / 1e6);
    }
    std::sort(mips.begin(), mips.end());
    if (!json) fmt::print("{:>5} median {:.1f} M simulated instructions/s\n", tiles, mips[mips.size() / 2]);
  }
  if (json) fmt::print("{}\n", out.dump(2));
  return 0;
}
