// The chip: `tiles` tiles (a control core, its scratchpad, and the
// accelerator attached to the core's Xcadre port), the RAM, and HBM shared
// through the interconnect, all joined by TLM-2.0 sockets:
//
//   core.local_socket -> tile's scratchpad (MemoryTarget, DMI)
//   core.chip_socket  -> interconnect tile port -> ram_socket -> RAM (MemoryTarget, DMI)
//                                               -> hbm_socket -> HBM (timed, no DMI)
//   accelerator.dma_socket() -> interconnect DMA port (the same routes)
#pragma once

#include <systemc>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/sim/accelerator.h"
#include "cadre/sim/clock.h"
#include "cadre/sim/core.h"
#include "cadre/sim/hbm.h"
#include "cadre/sim/host_worker.h"
#include "cadre/sim/memory_target.h"
#include "cadre/sim/progress.h"
#include "cadre/sim/tracing.h"

namespace cadre::sim {

struct ChipOptions {
  uint64_t quantum_cycles = 10000;
  uint64_t max_cycles = 0;   // 0: no limit
  bool echo_output = true;   // forward program output to the host's stdout/stderr as it comes
  bool progress = false;     // a progress line on stderr every second or so
  ProgressGoal progress_goal;
  Trace* trace = nullptr;    // nullptr: no trace
  UtilisationTimeline* utilisation = nullptr;  // nullptr: none kept
  // Matrix products' values computed on a second host thread while the
  // simulation goes on (HostWorker); the same bits and cycles either way.
  bool host_worker = true;
};

class Tile : public sc_core::sc_module {
 public:
  MemoryTarget scratchpad;
  Core core;
  Accelerator accelerator;  // on the scratchpad; the core's Xcadre handler
  Tile(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, const CoreParams& params,
       CoreHost& host);
};

class Chip : public sc_core::sc_module, public CoreHost {
 public:
  Chip(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const ChipOptions& options);

  uint32_t tiles() const { return static_cast<uint32_t>(tiles_.size()); }
  Core& core(uint32_t tile) { return tiles_[tile]->core; }
  const Core& core(uint32_t tile) const { return tiles_[tile]->core; }
  Accelerator& accelerator(uint32_t tile) { return tiles_[tile]->accelerator; }
  SparseMemory& ram() { return ram_.memory(); }
  SparseMemory& hbm() { return hbm_.memory(); }
  const Hbm& hbm_model() const { return hbm_; }
  const Clock& clock() const { return clock_; }

  // Every core to the program's entry state.
  void reset(uint64_t entry);
  // Waits for the work deferred to the host worker; rethrows what it threw.
  void finish_host_work();

  // What the program wrote to fd 1 and 2: the first kMaxCapturedOutputBytes of
  // each, so that a program cannot take the host's memory by writing.
  static constexpr size_t kMaxCapturedOutputBytes = size_t{4} << 20;
  const std::string& stdout_text() const { return stdout_; }
  const std::string& stderr_text() const { return stderr_; }
  // Whether either stream wrote more than was kept.
  bool output_truncated() const { return output_truncated_; }
  // The error that stopped the run, if one did (the earliest, then the lowest tile).
  const std::optional<SimError>& error() const { return error_; }

  // CoreHost: what the cores report.
  void output(uint32_t tile, int fd, std::string_view bytes) override;
  void core_stopped(uint32_t tile) override;
  void core_span(uint32_t tile, std::string_view what, uint64_t start, uint64_t end, uint64_t instructions) override;

 private:
  void report_progress();  // SC_THREAD when options.progress

  Clock clock_;
  ChipOptions options_;
  MemoryTarget ram_;
  Hbm hbm_;
  Interconnect interconnect_;
  std::vector<std::unique_ptr<Tile>> tiles_;
  // After the tiles, so that it is destroyed first: its last jobs write
  // into their accumulators.
  std::unique_ptr<HostWorker> worker_;
  uint32_t stopped_ = 0;
  bool stopping_ = false;
  std::optional<SimError> error_;
  std::string stdout_, stderr_;
  bool output_truncated_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace cadre::sim
