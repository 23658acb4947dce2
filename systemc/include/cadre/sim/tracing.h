// A Chrome/Perfetto trace of unit activity: the "traceEvents" JSON array with
// ph "X" complete events, pid = tile, tid = unit, ts and dur in simulated
// microseconds (ui.perfetto.dev and chrome://tracing open it). The number of
// events is capped so a long run cannot make an unbounded file; a trace that
// hit the cap ends with an instant event saying so.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace cadre::sim {

// The tracks of a tile, as trace thread ids: the core, then the accelerator's
// three queues (each in order; the compute queue drives the matrix engine and
// the vector unit, so its spans are theirs).
enum class TraceUnit : uint32_t { Core = 1, LoadQueue = 2, ComputeQueue = 3, StoreQueue = 4 };

class Trace {
 public:
  static constexpr size_t kDefaultMaxEvents = 200'000;

  Trace(double clock_ghz, uint32_t tiles, size_t max_events = kDefaultMaxEvents);

  // `name` and `arg_name` must outlive the trace (string literals or the ISA
  // table's mnemonics). The span's args carry its start cycle, its cycles and
  // arg_name = arg_value (e.g. instructions, bytes, MACs) when arg_name is set.
  void span(uint32_t tile, TraceUnit unit, std::string_view name, uint64_t start_cycle, uint64_t end_cycle,
            std::string_view arg_name = {}, uint64_t arg_value = 0);

  size_t events() const { return events_.size(); }
  bool truncated() const { return truncated_; }
  // Throws std::runtime_error when the file cannot be written.
  void write(const std::filesystem::path& path) const;

 private:
  struct Event {
    uint32_t tile;
    TraceUnit unit;
    std::string_view name;
    uint64_t start, end;
    std::string_view arg_name;
    uint64_t arg_value;
  };
  double cycles_per_us_;
  uint32_t tiles_;
  size_t max_events_;
  bool truncated_ = false;
  uint64_t truncated_at_ = 0;
  std::vector<Event> events_;
};

}  // namespace cadre::sim
