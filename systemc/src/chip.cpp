#include "cadre/sim/chip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "cadre/arch/memory_map.h"

namespace cadre::sim {

Tile::Tile(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, const CoreParams& params,
           CoreHost& host)
    : sc_module(name),
      scratchpad("scratchpad", arch::scratchpad_region(cfg)),
      core("core", cfg, clock, params, host),
      accelerator("accelerator", cfg, clock, params.tile, scratchpad.memory()) {
  core.local_socket.bind(scratchpad.socket);
  core.attach_xcadre(&accelerator);
}

Chip::Chip(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const ChipOptions& options)
    : sc_module(name),
      clock_(cfg.clock_ghz),
      options_(options),
      ram_("ram", arch::ram_region(cfg)),
      hbm_("hbm", cfg, clock_),
      interconnect_("interconnect", cfg, clock_) {
  interconnect_.ram_socket.bind(ram_.socket);
  interconnect_.hbm_socket.bind(hbm_.socket);
  for (uint32_t t = 0; t < cfg.tiles; ++t) {
    const CoreParams params{t, cfg.tiles, options.quantum_cycles, options.max_cycles};
    tiles_.push_back(std::make_unique<Tile>(fmt::format("tile{}", t).c_str(), cfg, clock_, params, *this));
    tiles_.back()->core.chip_socket.bind(*interconnect_.tile_sockets[t]);
    tiles_.back()->accelerator.dma_socket().bind(*interconnect_.dma_sockets[t]);
    tiles_.back()->accelerator.attach_trace(options.trace);
    tiles_.back()->accelerator.attach_utilisation(options.utilisation);
  }
  if (options.host_worker) {
    worker_ = std::make_unique<HostWorker>(cfg.tiles);
    for (uint32_t t = 0; t < cfg.tiles; ++t) tiles_[t]->accelerator.memory().defer_to(worker_.get(), t);
    hbm_.set_worker(worker_.get());
    interconnect_.make_ahead_in(&hbm_);
  }
  if (options.progress) {
    SC_HAS_PROCESS(Chip);
    SC_THREAD(report_progress);
  }
}

void Chip::reset(uint64_t entry) {
  for (auto& tile : tiles_) tile->core.reset(entry);
}

void Chip::finish_host_work() {
  if (worker_) worker_->wait_all();
}

void Chip::output(uint32_t, int fd, std::string_view bytes) {
  std::string& kept = fd == 1 ? stdout_ : stderr_;
  const size_t room = kMaxCapturedOutputBytes - kept.size();
  if (bytes.size() > room) output_truncated_ = true;
  kept.append(bytes.substr(0, room));
  if (options_.echo_output) {
    std::FILE* stream = fd == 1 ? stdout : stderr;
    std::fwrite(bytes.data(), 1, bytes.size(), stream);
    std::fflush(stream);
  }
}

void Chip::core_stopped(uint32_t tile) {
  const Core& c = core(tile);
  // Of the errors seen before the run stops, the earliest cycle (then the
  // lowest tile) is the one reported.
  std::optional<SimError> e = c.error();
  // Work left in the queues, or a queued command's error not yet reported,
  // would be lost silently at exit: that is the program's error.
  if (!e) {
    if (const std::optional<std::string> left = tiles_[tile]->accelerator.unfinished())
      e = SimError{SimErrorKind::IllegalInstruction, tile, c.pc(), c.cycles(),
                   fmt::format("tile {}, pc {:#x}, cycle {}: the program exited {}", tile, c.pc(), c.cycles(), *left)};
  }
  if (e && (!error_ || e->cycle < error_->cycle || (e->cycle == error_->cycle && e->tile < error_->tile))) error_ = e;
  // The run ends when every tile has exited, or at the first error.
  if ((++stopped_ == tiles_.size() || e) && !stopping_) {
    stopping_ = true;
    sc_core::sc_stop();
  }
}

void Chip::core_span(uint32_t tile, std::string_view what, uint64_t start, uint64_t end, uint64_t instructions) {
  if (options_.trace)
    options_.trace->span(tile, TraceUnit::Core, what, start, end, instructions != 0 ? "instructions" : "",
                         instructions);
}

void Chip::report_progress() {
  // Checked every 2^20 simulated cycles; printed at most about once a second.
  // With a goal, the fraction done is the HBM traffic moved so far against
  // the traffic expected (an MoE layer's time follows its weight stream).
  auto last = std::chrono::steady_clock::now();
  const ProgressGoal& goal = options_.progress_goal;
  for (;;) {
    sc_core::wait(clock_.to_time(uint64_t{1} << 20));
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(1)) continue;
    last = now;
    uint64_t instructions = 0, bytes = 0;
    for (const auto& tile : tiles_) instructions += tile->core.stats().instructions;
    for (const HbmChannelStats& c : hbm_.channel_stats()) bytes += c.bytes;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    std::string line = fmt::format("simulating: {:.1f} M cycles, {:.1f} M instructions/s", static_cast<double>(clock_.now_cycles()) / 1e6,
                                   static_cast<double>(instructions) / seconds / 1e6);
    if (goal.hbm_bytes) {
      const double done = std::min(0.99, static_cast<double>(bytes) / static_cast<double>(goal.hbm_bytes));
      constexpr int kBar = 24;
      const int filled = static_cast<int>(done * kBar);
      line = fmt::format("simulating: [{}{}] {:3.0f} %, {:.1f} M cycles", std::string(filled, '#'),
                         std::string(kBar - filled, '.'), 100 * done, static_cast<double>(clock_.now_cycles()) / 1e6);
      if (goal.tokens) line += fmt::format(", ~{}/{} tokens", static_cast<uint32_t>(done * goal.tokens), goal.tokens);
      if (done > 0.02) line += fmt::format(", ~{:.0f} s left", seconds * (1 - done) / done);
    }
    const std::string text = fmt::format("\r\033[K{}", line);
    std::fwrite(text.data(), 1, text.size(), stderr);  // a failed progress line is not an error
    std::fflush(stderr);
  }
}

}  // namespace cadre::sim
