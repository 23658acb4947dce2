#include "cadre/sim/simulate.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <tlm>

#include "cadre/arch/arch_json.h"
#include "cadre/sim/chip.h"
#include "cadre/sim/matrix_unit.h"
#include "cadre/sim/program_loader.h"
#include "cadre/sim/start.h"

namespace cadre::sim {

SimResult simulate(const arch::ArchConfig& cfg, const elf::Program& program, const SimOptions& options) {
  check_program(program, cfg, options.program_name);
  check_matrix_unit(cfg);
  if (options.waveform && cfg.matrix.engine != arch::MatrixEngineKind::Rtl)
    throw arch::ConfigError(cfg.name, "/matrix/engine",
                            "FST waveforms come from the RTL matrix engine: select rtl (cadre sim --matrix rtl)");
  static bool ran = false;
  if (ran) throw std::logic_error("cadre::sim::simulate runs once per process: SystemC elaborates only once");
  ran = true;

  // Keep the program's stdout clean: no SystemC banner or info messages.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

  const Clock clock(cfg.clock_ghz);
  tlm::tlm_global_quantum::instance().set(clock.to_time(options.quantum_cycles));
  std::optional<Trace> trace;
  if (!options.trace_path.empty()) trace.emplace(cfg.clock_ghz, cfg.tiles, options.trace_max_events);

  SimResult result;
  Chip chip("chip", cfg,
            ChipOptions{options.quantum_cycles, options.max_cycles, options.echo_output, options.progress,
                        options.progress_goal, trace ? &*trace : nullptr, &result.utilisation,
                        options.host_worker});
  load_program(program, cfg, options.program_name, chip.ram(), chip.hbm());
  chip.reset(program.entry);
  if (options.configure) options.configure(chip);
  if (options.waveform)
    for (uint32_t t = 0; t < chip.tiles(); ++t) {
      WaveformRequest request = *options.waveform;
      if (t > 0)
        request.path.replace_filename(fmt::format("{}.tile{}{}", request.path.stem().string(), t,
                                                  request.path.extension().string()));
      chip.accelerator(t).matrix().open_waveform(request);
    }

  const auto started = std::chrono::steady_clock::now();
  start();
  chip.finish_host_work();
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options.progress) std::fputs("\r\033[K", stderr);
  if (options.inspect) options.inspect(chip);

  result.error = chip.error();
  for (uint32_t t = 0; t < chip.tiles(); ++t) {
    const Core& core = chip.core(t);
    Accelerator& accelerator = chip.accelerator(t);
    accelerator.finish_tags(core.cycles());
    result.tiles.push_back({core.exited(), core.exit_code(), core.cycles(), core.stats(), accelerator.stats(),
                            {accelerator.tag_stats().begin(), accelerator.tag_stats().end()},
                            accelerator.idle_cycles()});
    result.cycles = std::max(result.cycles, core.cycles());
    result.instructions += core.stats().instructions;
  }
  result.exit_code = result.tiles[0].exit_code;
  result.hbm_channels = chip.hbm_model().channel_stats();
  result.stdout_text = chip.stdout_text();
  result.stderr_text = chip.stderr_text();
  result.output_truncated = chip.output_truncated();
  result.clock_ghz = cfg.clock_ghz;
  result.matrix_cells = uint64_t{cfg.matrix.rows} * cfg.matrix.cols;
  result.simulated_seconds = static_cast<double>(result.cycles) / (cfg.clock_ghz * 1e9);
  if (trace) {
    trace->write(options.trace_path);
    result.trace_events = trace->events();
    result.trace_truncated = trace->truncated();
  }
  return result;
}

}  // namespace cadre::sim
