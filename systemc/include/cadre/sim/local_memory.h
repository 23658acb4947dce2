// A tile's local memories as the accelerator's units see them: the
// scratchpad (shared with the core's loads and stores) and the FP32
// accumulator, each split into `banks` equal address ranges (bank b holds
// [base + b * bank_bytes, base + (b + 1) * bank_bytes)). Plain C++: the units
// call it directly and it counts bank conflicts (docs/accelerator.md,
// "Local memory and bank conflicts").
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/sim/host_worker.h"
#include "cadre/sim/sparse_memory.h"

namespace cadre::sim {

// One operand stream of a command: the local bytes it reads or writes.
struct LocalStream {
  uint64_t addr = 0;
  uint64_t bytes = 0;
};

// Bytes the units read and wrote, by memory (the energy model charges each
// at its bank size), and bank conflicts.
struct LocalMemoryStats {
  uint64_t scratchpad_bytes_read = 0;
  uint64_t scratchpad_bytes_written = 0;
  uint64_t accumulator_bytes_read = 0;
  uint64_t accumulator_bytes_written = 0;
  uint64_t conflicts = 0;         // commands whose streams shared a bank
  uint64_t conflict_cycles = 0;   // extra cycles those commands took
  uint64_t bytes_read() const { return scratchpad_bytes_read + accumulator_bytes_read; }
  uint64_t bytes_written() const { return scratchpad_bytes_written + accumulator_bytes_written; }
};

class LocalMemory {
 public:
  // `scratchpad` is the tile's (the core reads it too); the accumulator is owned here.
  LocalMemory(const arch::ArchConfig& cfg, SparseMemory& scratchpad);

  // Whether [addr, addr + bytes) lies inside one of the two memories.
  bool contains(uint64_t addr, uint64_t bytes) const;
  bool in_accumulator(uint64_t addr) const { return accumulator_.region().contains(addr); }
  // Throws AccelError naming the range and `what` when it is not.
  void check(uint64_t addr, uint64_t bytes, const char* what) const;

  void read(uint64_t addr, std::span<uint8_t> out);
  void write(uint64_t addr, std::span<const uint8_t> bytes);
  // Reads and writes left out of the statistics, for a unit that counts its
  // traffic as its hardware makes it (the matrix engine: count()).
  void read_uncounted(uint64_t addr, std::span<uint8_t> out);
  void write_uncounted(uint64_t addr, std::span<const uint8_t> bytes);
  // Counts `bytes` read (or written) at `addr`, in the memory that holds addr.
  void count(uint64_t addr, uint64_t bytes, bool write);

  // Convenience for element arrays (checked like read/write).
  std::vector<uint8_t> read_bytes(uint64_t addr, uint64_t bytes);
  std::vector<float> read_f32(uint64_t addr, uint64_t count);
  void write_f32(uint64_t addr, std::span<const float> values);

  // The most streams of one command that share a bank (1: none do; 0: no
  // streams). A bank has one port, so its streams take turns.
  uint32_t max_bank_sharing(std::span<const LocalStream> streams) const;
  // Extra cycles of a command whose streams run for `stream_cycles`: each
  // stream sharing the busiest bank beyond the first adds stream_cycles.
  // Counted in the statistics.
  uint64_t conflict_cycles(std::span<const LocalStream> streams, uint64_t stream_cycles);

  // Work on the accumulator that may run on `worker` (as tile `tile`) while
  // the simulation goes on: every read or write of the accumulator through
  // this class first waits for it. nullptr: deferred work runs at once.
  void defer_to(HostWorker* worker, uint32_t tile) {
    worker_ = worker;
    tile_ = tile;
  }
  bool defers() const { return worker_ != nullptr; }
  // Runs `job` on the accumulator, after the work deferred before it.
  void defer(std::function<void(SparseMemory& accumulator)> job);

  SparseMemory& accumulator() { return accumulator_; }
  SparseMemory& scratchpad() { return scratchpad_; }
  const LocalMemoryStats& stats() const { return stats_; }

 private:
  // The memory holding addr, once the accumulator's deferred work is done.
  SparseMemory& memory_for(uint64_t addr);
  // The banks [first, last] a stream touches, numbered across both memories
  // (scratchpad banks first).
  void bank_span(const LocalStream& s, uint32_t& first, uint32_t& last) const;

  SparseMemory& scratchpad_;
  SparseMemory accumulator_;
  uint64_t scratchpad_bank_bytes_, accumulator_bank_bytes_;
  uint32_t scratchpad_banks_, accumulator_banks_;
  LocalMemoryStats stats_;
  HostWorker* worker_ = nullptr;
  uint32_t tile_ = 0;
};

}  // namespace cadre::sim
