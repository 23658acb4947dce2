// `cadre sim PROGRAM.elf --arch A`: run a bare RISC-V program on the
// simulated chip (docs/simulator.md). The program's output is forwarded; the
// report goes to stderr (--stats) or stdout as JSON (--json, which then
// carries the program's output instead of forwarding it).
#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "cadre/arch/arch_json.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/program_loader.h"
#include "cadre/sim/simulate.h"
#include "commands.h"
#include "exit_codes.h"
#include "sim_exit.h"

namespace cadre::cli {
namespace {

struct Options {
  std::string program, arch, trace;
  uint64_t max_cycles = 0, quantum = 10000;
  bool stats = false, json = false;
};

int run(const Options& opts) {
  arch::ArchConfig cfg;
  elf::Program program;
  try {
    cfg = arch::load_arch(opts.arch);
    program = elf::load_elf_file(opts.program);
  } catch (const arch::ConfigError& e) {
    fmt::print(stderr, "cadre sim: {}\n", e.what());
    return kExitBadInput;
  } catch (const elf::ElfReadError& e) {
    fmt::print(stderr, "cadre sim: {}\n", e.what());
    return kExitIo;
  } catch (const elf::ElfError& e) {
    fmt::print(stderr, "cadre sim: {}\n", e.what());
    return kExitBadInput;
  }
  sim::SimOptions options;
  options.program_name = opts.program;
  options.max_cycles = opts.max_cycles;
  options.quantum_cycles = opts.quantum;
  options.echo_output = !opts.json;
  options.progress = !opts.json && isatty(STDERR_FILENO);
  options.trace_path = opts.trace;
  sim::SimResult result;
  try {
    result = sim::simulate(cfg, program, options);
  } catch (const sim::LoadError& e) {
    fmt::print(stderr, "cadre sim: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::runtime_error& e) {  // the trace could not be written
    fmt::print(stderr, "cadre sim: {}\n", e.what());
    return kExitIo;
  }

  if (opts.json) fmt::print("{}\n", sim::to_json(result).dump(2));
  if (opts.stats) fmt::print(stderr, "{}", sim::stats_table(result));
  if (result.error) {
    fmt::print(stderr, "cadre sim: error: {}\n", result.error->message);
    return exit_code_of(result.error->kind);
  }
  for (size_t t = 1; t < result.tiles.size(); ++t)
    if (result.tiles[t].exit_code != 0)
      fmt::print(stderr, "cadre sim: tile {} exited with code {} (the chip's exit code is tile 0's)\n", t,
                 result.tiles[t].exit_code);
  // The program's own exit code passes through (its low 8 bits, as POSIX keeps).
  return static_cast<int>(result.exit_code & 0xff);
}

}  // namespace

void add_sim_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("sim", "Run a bare RISC-V program on the simulated chip");
  cmd->add_option("PROGRAM", opts->program, "RV64 ELF executable")->required();
  cmd->add_option("--arch", opts->arch, "architecture: a preset name or a JSON file")->required();
  cmd->add_option("--max-cycles", opts->max_cycles, "stop with an error after this many cycles (0: no limit)");
  cmd->add_option("--quantum", opts->quantum, "global quantum in cycles: how threads interleave, never the cycle counts")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--stats", opts->stats, "per-tile and per-channel statistics on stderr");
  cmd->add_option("--trace", opts->trace, "write a Chrome/Perfetto trace (JSON) of unit activity");
  cmd->add_flag("--json", opts->json, "the report as JSON on stdout, with the program's output in it");
  cmd->callback([opts, &exit_code] { exit_code = run(*opts); });
}

}  // namespace cadre::cli
