// The accelerator's work per command tag (isa::kTagCsr) and its units'
// activity over time: what `cadre compare` attributes to each kernel of a
// compiled layer and plots (docs/accelerator.md, "Per-tag statistics").
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "cadre/isa/xcadre.h"

namespace cadre::sim {

// What commands did to the units' counters: the activity the energy model prices.
struct UnitWork {
  uint64_t macs = 0;
  uint64_t bf16_macs = 0;          // of macs, those with BF16 inputs
  uint64_t vector_elements = 0;
  uint64_t dma_bytes_read = 0;     // from RAM or HBM
  uint64_t dma_bytes_written = 0;  // to RAM or HBM
  uint64_t scratchpad_bytes = 0;   // read + written by the units
  uint64_t accumulator_bytes = 0;  // read + written by the units
  UnitWork& operator+=(const UnitWork& o);
  UnitWork operator-(const UnitWork& o) const;
};

// What one tag's commands did on one tile.
struct TagStats {
  uint64_t commands = 0;                                       // data commands run (not semaphores)
  std::array<uint64_t, isa::kQueueCount> queue_busy_cycles{};  // running its commands, per queue
  uint64_t matrix_busy_cycles = 0;  // of the compute queue's: on the matrix engine
  uint64_t vector_busy_cycles = 0;  // of the compute queue's: on the vector unit
  UnitWork work;
  uint64_t first_cycle = 0;         // when its first command started (commands > 0)
  uint64_t last_cycle = 0;          // when its last command ended
  // The tile's cycles in which a command of this tag ran, each cycle shared
  // equally by the tags whose commands ran in it.
  double attributed_cycles = 0;
};

// Shares a tile's cycles among the tags of the commands running in them:
// the queues call begin and end as their commands start and finish (in
// SystemC time order), and every interval between two calls goes in equal
// shares to the distinct tags running in it, or to idle when none is.
class TagTimeline {
 public:
  void begin(uint32_t tag, uint64_t cycle);
  void end(uint32_t tag, uint64_t cycle);
  // Accounts the time up to `cycle` (the tile's last).
  void finish(uint64_t cycle) { advance(cycle); }
  double attributed(uint32_t tag) const { return attributed_[tag]; }
  uint64_t idle_cycles() const { return idle_; }

 private:
  void advance(uint64_t cycle);
  std::array<uint32_t, isa::kTagCount> running_{};  // commands of each tag running
  uint32_t distinct_ = 0;                            // tags with commands running
  std::array<double, isa::kTagCount> attributed_{};
  uint64_t last_ = 0;
  uint64_t idle_ = 0;
};

// The accelerator units whose busy time the utilisation timeline keeps.
enum class ActivityUnit : uint8_t { Matrix, Vector, DmaLoad, DmaStore };
inline constexpr size_t kActivityUnitCount = 4;
const char* name(ActivityUnit unit);

// Busy cycles of each unit, summed over the tiles, in bins of equal width: a
// bounded picture of utilisation over a run of any length. The width starts
// at kFirstBinCycles and doubles (neighbouring bins merged) whenever a span
// would pass the last of kMaxBins bins.
class UtilisationTimeline {
 public:
  static constexpr uint64_t kFirstBinCycles = 64;
  static constexpr size_t kMaxBins = 512;

  // `unit` was busy in [start, end).
  void add(ActivityUnit unit, uint64_t start, uint64_t end);

  uint64_t bin_cycles() const { return bin_cycles_; }
  // bins()[i][u]: busy cycles of unit u over all tiles in [i * bin, (i + 1) * bin).
  const std::vector<std::array<uint64_t, kActivityUnitCount>>& bins() const { return bins_; }

 private:
  uint64_t bin_cycles_ = kFirstBinCycles;
  std::vector<std::array<uint64_t, kActivityUnitCount>> bins_;
};

}  // namespace cadre::sim
