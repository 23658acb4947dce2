// Running a program on the simulated chip: the one entry point `cadre sim`,
// the tests and the benchmark use.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/accelerator.h"
#include "cadre/sim/core.h"
#include "cadre/sim/hbm.h"
#include "cadre/sim/progress.h"
#include "cadre/sim/sim_error.h"
#include "cadre/sim/tag_stats.h"

namespace cadre::sim {

class Chip;

struct SimOptions {
  std::string program_name = "program";  // what load errors call the program
  uint64_t max_cycles = 0;                // 0: no limit
  // The global quantum: how far a core runs ahead of SystemC time. It changes
  // only how threads interleave, never a cycle count.
  uint64_t quantum_cycles = 10000;
  bool echo_output = true;               // forward program output to the host as it comes
  bool progress = false;                 // a progress line on stderr
  ProgressGoal progress_goal;            // what it measures progress against
  std::filesystem::path trace_path;      // empty: no trace
  size_t trace_max_events = 200'000;
  // FST waveforms of the RTL matrix engines (/matrix/engine rtl): tile 0's
  // at this path, tile t's beside it as NAME.tileT.fst. Unset: none.
  std::optional<WaveformRequest> waveform;
  // Matrix products' values on a second host thread (ChipOptions::host_worker).
  bool host_worker = true;
  // Called after the chip is built and the program loaded, before it runs:
  // where a caller attaches units, e.g. an Xcadre handler to each core.
  std::function<void(Chip&)> configure;
  // Called after the run, before the chip is destroyed: where a caller reads
  // results out of the chip's memories.
  std::function<void(Chip&)> inspect;
};

struct TileResult {
  bool exited = false;      // false when another tile's error stopped the run first
  uint64_t exit_code = 0;   // a0 of the exit ecall
  uint64_t cycles = 0;
  CoreStats stats;
  AcceleratorStats accelerator;
  std::vector<TagStats> tags;  // by command tag, isa::kTagCount of them
  uint64_t idle_cycles = 0;    // cycles in which no accelerator command ran (TagTimeline)
};

struct SimResult {
  uint64_t exit_code = 0;           // tile 0's: the chip's exit code
  std::optional<SimError> error;    // set when the run stopped early
  std::vector<TileResult> tiles;
  std::vector<HbmChannelStats> hbm_channels;
  std::string stdout_text, stderr_text;  // what the program wrote to fd 1 and 2 (the first 4 MiB of each)
  bool output_truncated = false;         // a stream wrote more than the 4 MiB kept
  uint64_t cycles = 0;              // the last tile's last cycle
  uint64_t instructions = 0;        // over all tiles
  double clock_ghz = 0;
  uint64_t matrix_cells = 0;        // R x C of each tile's array (for MAC utilisation)
  double simulated_seconds = 0;     // cycles / clock
  double wall_seconds = 0;
  size_t trace_events = 0;
  bool trace_truncated = false;
  UtilisationTimeline utilisation;  // the units' busy cycles over time, all tiles
};

// Checks and loads the program (LoadError), checks that the configured
// matrix engine can be built and, for a waveform, is RTL (arch::ConfigError),
// builds the chip, runs it until
// every tile has exited, an error or the cycle limit, and writes the trace.
// SystemC elaborates once per process, so this runs once per process; a
// second call throws std::logic_error.
SimResult simulate(const arch::ArchConfig& cfg, const elf::Program& program, const SimOptions& options);

// The `cadre sim --json` report (program_exit_code is tile 0's a0; wall-clock
// figures, the only ones that differ between runs, are in "wall_clock"), and
// the `--stats` table.
nlohmann::ordered_json to_json(const SimResult& result);
std::string stats_table(const SimResult& result);

}  // namespace cadre::sim
