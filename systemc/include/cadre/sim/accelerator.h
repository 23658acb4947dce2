// One tile's accelerator behind the Xcadre hook: the load, compute and store
// queues with the configured depths, the tile's semaphores, fences, cx.status,
// and the watchdog that stops a run no queue and not the core can advance
// (docs/accelerator.md, "Queues, semaphores and the watchdog"). Each command
// goes to the unit the ISA table's unit column names: the load and store
// queues drive the DMA engine, the compute queue the matrix engine and the
// vector unit; each queue is an SC_THREAD that waits until its unit has
// finished each command.
#pragma once

#include <systemc>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/sim/clock.h"
#include "cadre/sim/dma.h"
#include "cadre/sim/local_memory.h"
#include "cadre/sim/matrix_unit.h"
#include "cadre/sim/tag_stats.h"
#include "cadre/sim/tracing.h"
#include "cadre/sim/vector_unit.h"
#include "cadre/sim/xcadre_port.h"

namespace cadre::sim {

struct QueueStats {
  uint64_t issued = 0;
  uint64_t retired = 0;
  uint64_t busy_cycles = 0;       // running a command on its unit
  uint64_t semaphore_cycles = 0;  // its head waiting on a semaphore
};

// Cycles the core spent blocked in Xcadre instructions, by what it waited for
// (together the core's `xcadre` stall).
struct CoreWaitStats {
  uint64_t queue_full_cycles = 0;  // a command waiting for a slot in its queue
  uint64_t fence_cycles = 0;       // cx.fence
  uint64_t semaphore_cycles = 0;   // csync.wait
};

// One tile's accelerator statistics (docs/accelerator.md, "Statistics").
struct AcceleratorStats {
  std::array<QueueStats, isa::kQueueCount> queues;
  CoreWaitStats core_waits;
  DmaStats dma;
  MatrixStats matrix;
  VectorStats vector;
  LocalMemoryStats local_memory;
};

class Accelerator : public sc_core::sc_module, public XcadreHandler {
 public:
  Accelerator(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, uint32_t tile,
              SparseMemory& scratchpad);

  XcadreResponse execute(const XcadreCommand& command) override;

  // Why exiting now would lose work: "while ..." naming the queued commands or
  // the failed command; nullopt when every queue is empty and none failed.
  std::optional<std::string> unfinished() const;

  LocalMemory& memory() { return memory_; }
  // Bound by the chip to this tile's DMA port on the interconnect.
  tlm_utils::simple_initiator_socket_optional<DmaEngine>& dma_socket() { return dma_.socket; }
  const DmaEngine& dma() const { return dma_; }
  const MatrixUnit& matrix() const { return *matrix_; }
  MatrixUnit& matrix() { return *matrix_; }
  const VectorUnit& vector() const { return vector_; }
  const QueueStats& queue_stats(isa::Queue q) const { return queues_[static_cast<size_t>(q)].stats; }
  AcceleratorStats stats() const;
  // Per command tag (TagStats), once finish_tags has accounted the tile's end.
  const std::array<TagStats, isa::kTagCount>& tag_stats() const { return tags_; }
  uint64_t idle_cycles() const { return timeline_.idle_cycles(); }
  void finish_tags(uint64_t tile_cycles);
  // Each queue's commands and semaphore waits become spans of the trace (nullptr: none).
  void attach_trace(Trace* trace) { trace_ = trace; }
  // Each command's busy span goes into the chip's utilisation timeline (nullptr: none).
  void attach_utilisation(UtilisationTimeline* timeline) { utilisation_ = timeline; }

 private:
  struct CommandQueue {
    std::deque<XcadreCommand> commands;  // the head stays until it completes
    uint32_t depth = 0;
    int head_semaphore = -1;  // the semaphore a csync.wait.* head waits on, or -1
    QueueStats stats;
  };

  void run_load() { run_queue(isa::Queue::Load); }
  void run_compute() { run_queue(isa::Queue::Compute); }
  void run_store() { run_queue(isa::Queue::Store); }
  void run_queue(isa::Queue q);
  // Carries out one queued command; returns the cycles its unit stays busy
  // after it returns (the DMA waits for its bursts while it runs).
  uint64_t perform(const XcadreCommand& c);
  XcadreResponse core_command(const XcadreCommand& c);
  // Blocks the core until `ready()`; an error when the watchdog finds that
  // nothing can make it true.
  template <class Ready>
  std::optional<std::string> core_wait(const XcadreCommand& c, const std::string& waits_for, uint64_t& waited,
                                       Ready ready);
  // What a command did, for its trace span: ("bytes", n), ("macs", n), ("elements", n).
  std::pair<std::string_view, uint64_t> work_of(const XcadreCommand& c, const UnitWork& work) const;
  // The matrix engine's and vector unit's counters, which a compute command's work is the difference of.
  UnitWork compute_counters() const;
  // Adds command c, which ran in [start, end) and did `work`, to its tag's statistics.
  void account(const XcadreCommand& c, isa::Queue q, uint64_t start, uint64_t end, const UnitWork& work);
  bool queues_stuck() const;  // every queue empty or held by a semaphore at 0
  // With overlapped DMA commands: until queue q's bursts in flight are back.
  void wait_for_dma(isa::Queue q);
  std::string report(const XcadreCommand& c, const std::string& waits_for) const;
  std::string describe(const XcadreCommand& c) const;
  uint32_t semaphore(const XcadreCommand& c) const;

  const arch::ArchConfig& cfg_;
  const Clock& clock_;
  uint32_t tile_;
  LocalMemory memory_;
  std::unique_ptr<MatrixUnit> matrix_;  // the implementation /matrix/engine selects
  VectorUnit vector_;
  DmaEngine dma_;
  std::array<CommandQueue, isa::kQueueCount> queues_;
  std::vector<uint64_t> semaphores_;
  sc_core::sc_event changed_;  // a command completed, a semaphore moved, or one was queued
  std::optional<std::string> error_;  // a queued command failed: reported at the core's next command
  CoreWaitStats core_waits_;
  std::array<TagStats, isa::kTagCount> tags_;
  TagTimeline timeline_;
  Trace* trace_ = nullptr;
  UtilisationTimeline* utilisation_ = nullptr;
};

}  // namespace cadre::sim
