// `cadre sim PROGRAM.elf --arch A`: run a bare RISC-V program on the
// simulated chip (docs/simulator.md). The program's output is forwarded; the
// report goes to stderr (--stats) or stdout as JSON (--json, which then
// carries the program's output instead of forwarding it).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "cadre/arch/arch_json.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/program_loader.h"
#include "cadre/sim/simulate.h"
#include "commands.h"
#include "exit_codes.h"
#include "number_options.h"
#include "output_file.h"
#include "sim_exit.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace sim_command {
namespace {

struct Options {
  std::string program, arch, trace, matrix, fst, fst_window;
  uint64_t max_cycles = 0, quantum = 10000;
  bool stats = false, json = false;
};

// --fst-window FIRST:LAST, chip cycles, both included.
std::optional<sim::WaveformRequest> waveform_request(const Options& opts) {
  sim::WaveformRequest request{opts.fst, 0, UINT64_MAX};
  if (opts.fst_window.empty()) return request;
  const size_t colon = opts.fst_window.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no colon");
    size_t used = 0;
    const std::string first = opts.fst_window.substr(0, colon), last = opts.fst_window.substr(colon + 1);
    request.first_cycle = std::stoull(first, &used);
    if (used != first.size()) throw std::invalid_argument("trailing text");
    request.last_cycle = std::stoull(last, &used);
    if (used != last.size()) throw std::invalid_argument("trailing text");
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (request.last_cycle < request.first_cycle) return std::nullopt;
  return request;
}

int run(const Options& opts) {
  arch::ArchConfig cfg;
  elf::Program program;
  try {
    cfg = arch::load_arch(opts.arch);
    program = elf::load_elf_file(opts.program);
  } catch (const arch::ConfigError& e) {
    print_stderr("cadre sim: {}\n", e.what());
    return kExitBadInput;
  } catch (const elf::ElfReadError& e) {
    print_stderr("cadre sim: {}\n", e.what());
    return kExitIo;
  } catch (const elf::ElfError& e) {
    print_stderr("cadre sim: {}\n", e.what());
    return kExitBadInput;
  }
  if (!opts.matrix.empty()) {
    const auto names = arch::ChoiceNames<arch::MatrixEngineKind>::names;
    cfg.matrix.engine = static_cast<arch::MatrixEngineKind>(std::ranges::find(names, opts.matrix) - names.begin());
  }
  sim::SimOptions options;
  if (!opts.fst.empty()) {
    options.waveform = waveform_request(opts);
    if (!options.waveform) {
      print_stderr("cadre sim: --fst-window \"{}\" is not FIRST:LAST (cycles, FIRST <= LAST)\n",
                 opts.fst_window);
      return kExitUsage;
    }
  } else if (!opts.fst_window.empty()) {
    print_stderr("cadre sim: --fst-window needs --fst\n");
    return kExitUsage;
  }
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
    print_stderr("cadre sim: {}\n", e.what());
    return kExitBadInput;
  } catch (const arch::ConfigError& e) {  // a matrix engine this build cannot make, or a waveform without RTL
    print_stderr("cadre sim: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::runtime_error& e) {  // the trace or the waveform could not be written
    print_stderr("cadre sim: {}\n", e.what());
    return kExitIo;
  }

  // The simulator's error code, else the program's own (its low 8 bits, as POSIX keeps).
  const int exit_code = result.error ? exit_code_of(result.error->kind) : static_cast<int>(result.exit_code & 0xff);
  if (opts.json) {
    nlohmann::ordered_json report{{"exit_code", exit_code}};  // the process's, first
    const nlohmann::ordered_json simulated = sim::to_json(result);
    for (const auto& [key, value] : simulated.items()) report[key] = value;
    fmt::print("{}\n", report.dump(2));
  }
  if (opts.stats) print_stderr("{}", sim::stats_table(result));
  if (result.error) {
    print_stderr("cadre sim: error: {}\n", result.error->message);
    return exit_code;
  }
  for (size_t t = 1; t < result.tiles.size(); ++t)
    if (result.tiles[t].exit_code != 0)
      print_stderr("cadre sim: tile {} exited with code {} (the chip's exit code is tile 0's)\n", t,
                 result.tiles[t].exit_code);
  return exit_code;
}

}  // namespace
}  // namespace sim_command

void add_sim_command(CLI::App& app, int& exit_code) {
  using namespace sim_command;
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("sim", "Run a bare RISC-V program on the simulated chip");
  cmd->add_option("PROGRAM", opts->program, "RV64 ELF executable")->required();
  cmd->add_option("--arch", opts->arch, "architecture: a preset name or a JSON file")->required();
  cmd->add_option("--max-cycles", opts->max_cycles, "stop with an error after this many cycles (0: no limit)")
      ->check(whole_number(0, UINT64_MAX));
  cmd->add_option("--quantum", opts->quantum, "global quantum in cycles: how threads interleave, never the cycle counts")
      ->capture_default_str()
      ->check(whole_number(1, UINT32_MAX));
  cmd->add_flag("--stats", opts->stats, "per-tile and per-channel statistics on stderr");
  cmd->add_option("--trace", opts->trace, "write a Chrome/Perfetto trace (JSON) of unit activity");
  cmd->add_flag("--json", opts->json, "the report as JSON on stdout, with the program's output in it");
  std::vector<std::string> engines(arch::kMatrixEngineNames, std::end(arch::kMatrixEngineNames));
  cmd->add_option("--matrix", opts->matrix, "matrix engine implementation, in place of the configuration's /matrix/engine")
      ->check(CLI::IsMember(engines));
  cmd->add_option("--fst", opts->fst,
                  "write an FST waveform of the RTL matrix engine (needs --matrix rtl); tile T > 0 to NAME.tileT.fst");
  cmd->add_option("--fst-window", opts->fst_window, "only the chip cycles FIRST:LAST in the waveform");
  cmd->callback([opts, cmd, &exit_code] {
    try {
      check_outputs(*cmd, {{"--trace", opts->trace}, {"--fst", opts->fst}}, {opts->program, opts->arch});
    } catch (const InputError& e) {
      print_stderr("cadre sim: {}\n", e.message);
      exit_code = e.code;
      return;
    }
    exit_code = run(*opts);
  });
}

}  // namespace cadre::cli
