#include "cadre/sim/accelerator.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/isa/xcadre_operands.h"
#include "cadre/sim/accel_error.h"

namespace cadre::sim {
namespace {

using isa::Op;
using isa::Queue;
using isa::Unit;
namespace ops = isa::operands;

constexpr uint64_t kSemaphoreMax = 0xFFFF'FFFFu;
const char* const kQueueNames[] = {"load", "compute", "store"};
const TraceUnit kQueueTracks[] = {TraceUnit::LoadQueue, TraceUnit::ComputeQueue, TraceUnit::StoreQueue};

bool is_wait(Op op) { return op == Op::WaitLoad || op == Op::WaitCompute || op == Op::WaitStore; }
bool is_signal(Op op) { return op == Op::SignalLoad || op == Op::SignalCompute || op == Op::SignalStore; }

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, uint32_t tile,
                         SparseMemory& scratchpad)
    : sc_module(name),
      cfg_(cfg),
      clock_(clock),
      tile_(tile),
      memory_(cfg, scratchpad),
      matrix_(make_matrix_unit(cfg, memory_)),
      vector_(cfg, memory_),
      dma_("dma", cfg, clock, memory_),
      semaphores_(cfg.semaphores, 0) {
  queues_[0].depth = cfg.queues.load;
  queues_[1].depth = cfg.queues.compute;
  queues_[2].depth = cfg.queues.store;
  SC_HAS_PROCESS(Accelerator);
  SC_THREAD(run_load);
  SC_THREAD(run_compute);
  SC_THREAD(run_store);
}

std::string Accelerator::describe(const XcadreCommand& c) const {
  return fmt::format("{} (pc {:#x}, issued at cycle {})", isa::disassemble(c.insn), c.pc, c.cycle);
}

uint32_t Accelerator::semaphore(const XcadreCommand& c) const {
  const uint64_t s = ops::Semaphore::decode(c.rs1_value).sem;
  if (s >= semaphores_.size())
    throw AccelError(fmt::format("semaphore {} does not exist (the tile has {})", s, semaphores_.size()));
  return static_cast<uint32_t>(s);
}

uint64_t Accelerator::perform(const XcadreCommand& c) {
  switch (isa::info(c.insn.op).unit) {
    case Unit::DmaIn:
    case Unit::DmaOut: return dma_.execute(c.insn.op, c.rs1_value, c.rs2_value);
    case Unit::Matrix: return matrix_command(*matrix_, c.insn.op, c.rs1_value, c.rs2_value);
    case Unit::Vector: return vector_.execute(c.insn.op, c.rs1_value, c.rs2_value);
    case Unit::Sync: break;
  }
  throw std::logic_error(fmt::format("{} has no unit to perform it: its queue carries it out",
                                     isa::info(c.insn.op).mnemonic));
}

AcceleratorStats Accelerator::stats() const {
  AcceleratorStats s;
  for (size_t q = 0; q < queues_.size(); ++q) s.queues[q] = queues_[q].stats;
  s.core_waits = core_waits_;
  s.dma = dma_.stats();
  s.matrix = matrix_->stats();
  s.vector = vector_.stats();
  s.local_memory = memory_.stats();
  return s;
}

std::pair<std::string_view, uint64_t> Accelerator::work_of(const XcadreCommand& c, const UnitWork& work) const {
  switch (isa::info(c.insn.op).unit) {
    case Unit::DmaIn:
    case Unit::DmaOut: return {"bytes", work.dma_bytes_read + work.dma_bytes_written};
    case Unit::Matrix: return {"macs", work.macs};
    case Unit::Vector: return {"elements", work.vector_elements};
    case Unit::Sync: break;
  }
  return {"", 0};
}

UnitWork Accelerator::compute_counters() const {
  const MatrixStats& m = matrix_->stats();
  const LocalMemoryStats& l = memory_.stats();
  UnitWork w;
  w.macs = m.macs;
  w.bf16_macs = m.bf16_macs;
  w.vector_elements = vector_.stats().elements;
  w.scratchpad_bytes = l.scratchpad_bytes_read + l.scratchpad_bytes_written;
  w.accumulator_bytes = l.accumulator_bytes_read + l.accumulator_bytes_written;
  return w;
}

void Accelerator::account(const XcadreCommand& c, Queue q, uint64_t start, uint64_t end, const UnitWork& work) {
  TagStats& t = tags_[c.tag];
  if (t.commands++ == 0) t.first_cycle = start;
  t.last_cycle = std::max(t.last_cycle, end);
  const uint64_t busy = end - start;
  t.queue_busy_cycles[static_cast<size_t>(q)] += busy;
  const Unit unit = isa::info(c.insn.op).unit;
  if (unit == Unit::Matrix) t.matrix_busy_cycles += busy;
  if (unit == Unit::Vector) t.vector_busy_cycles += busy;
  t.work += work;
  timeline_.end(c.tag, end);
  if (utilisation_) {
    const ActivityUnit u = q == Queue::Load    ? ActivityUnit::DmaLoad
                           : q == Queue::Store ? ActivityUnit::DmaStore
                           : unit == Unit::Matrix ? ActivityUnit::Matrix
                                                  : ActivityUnit::Vector;
    utilisation_->add(u, start, end);
  }
  if (trace_) {
    const auto [arg, value] = work_of(c, work);
    trace_->span(tile_, kQueueTracks[static_cast<size_t>(q)], isa::info(c.insn.op).mnemonic, start, end, arg, value);
  }
}

void Accelerator::finish_tags(uint64_t tile_cycles) {
  timeline_.finish(tile_cycles);
  for (uint32_t t = 0; t < isa::kTagCount; ++t) tags_[t].attributed_cycles = timeline_.attributed(t);
}

void Accelerator::run_queue(Queue q) {
  CommandQueue& queue = queues_[static_cast<size_t>(q)];
  for (;;) {
    while (queue.commands.empty() || error_) sc_core::wait(changed_);
    const XcadreCommand c = queue.commands.front();
    const uint64_t start = clock_.now_cycles();
    try {
      if (is_wait(c.insn.op)) {
        const uint32_t s = semaphore(c);
        queue.head_semaphore = static_cast<int>(s);
        // A core blocked in a fence or wait re-checks the watchdog.
        changed_.notify(sc_core::SC_ZERO_TIME);
        while (semaphores_[s] == 0) sc_core::wait(changed_);
        queue.head_semaphore = -1;
        --semaphores_[s];
        queue.stats.semaphore_cycles += clock_.now_cycles() - start;
        if (trace_)
          trace_->span(tile_, kQueueTracks[static_cast<size_t>(q)], isa::info(c.insn.op).mnemonic, start,
                       clock_.now_cycles(), "semaphore", s);
      } else if (is_signal(c.insn.op)) {
        // Earlier commands of this queue have completed: the queue is in order
        // (with overlapped DMA commands, once their last bursts are back).
        wait_for_dma(q);
        const uint32_t s = semaphore(c);
        if (semaphores_[s] == kSemaphoreMax) throw AccelError(fmt::format("semaphore {} would pass 2^32 - 1", s));
        ++semaphores_[s];
      } else {
        // A gather reads its index list and a scatter-add its rows where
        // earlier overlapped commands may still be writing.
        timeline_.begin(c.tag, start);
        if (c.insn.op == Op::DmaGather || c.insn.op == Op::DmaScatterAdd) wait_for_dma(q);
        // What the command did: the DMA counts each queue's bytes apart; the
        // matrix engine and the vector unit do their work inside perform,
        // which no other queue interrupts.
        const UnitWork before = q == Queue::Compute ? compute_counters() : dma_.work(q);
        const uint64_t cycles = perform(c);
        UnitWork work;
        if (q == Queue::Compute) work = compute_counters() - before;
        sc_core::wait(clock_.to_time(cycles));
        // The queue's last command stays until its bursts are back, so a
        // fence sees the queue busy; a new command ends the wait.
        if (dma_.overlaps_commands() && (q == Queue::Load || q == Queue::Store))
          while (queue.commands.size() == 1 && dma_.completion(q) > clock_.now_cycles())
            sc_core::wait(clock_.to_time(dma_.completion(q) - clock_.now_cycles()), changed_);
        queue.stats.busy_cycles += clock_.now_cycles() - start;
        if (q != Queue::Compute) work = dma_.work(q) - before;
        account(c, q, start, clock_.now_cycles(), work);
      }
    } catch (const AccelError& e) {
      error_ = fmt::format("{}: {}", describe(c), e.what());
    }
    queue.commands.pop_front();
    ++queue.stats.retired;
    changed_.notify(sc_core::SC_ZERO_TIME);
  }
}

void Accelerator::wait_for_dma(Queue q) {
  if (!dma_.overlaps_commands() || (q != Queue::Load && q != Queue::Store)) return;
  const uint64_t done = dma_.completion(q), now = clock_.now_cycles();
  if (done > now) sc_core::wait(clock_.to_time(done - now));
}

bool Accelerator::queues_stuck() const {
  for (const CommandQueue& q : queues_)
    if (!q.commands.empty() && (q.head_semaphore < 0 || semaphores_[static_cast<size_t>(q.head_semaphore)] > 0))
      return false;
  return true;
}

std::string Accelerator::report(const XcadreCommand& c, const std::string& waits_for) const {
  std::string r = fmt::format("queue deadlock on tile {} at pc {:#x}, cycle {}: the core waits in {} for {}", tile_,
                              c.pc, clock_.now_cycles(), isa::disassemble(c.insn), waits_for);
  for (size_t q = 0; q < queues_.size(); ++q) {
    const CommandQueue& queue = queues_[q];
    if (queue.commands.empty()) {
      r += fmt::format("; {} queue: empty", kQueueNames[q]);
      continue;
    }
    const XcadreCommand& head = queue.commands.front();
    r += fmt::format("; {} queue ({} commands): head {} waits for semaphore {} (value 0)", kQueueNames[q],
                     queue.commands.size(), describe(head), ops::Semaphore::decode(head.rs1_value).sem);
  }
  return r;
}

template <class Ready>
std::optional<std::string> Accelerator::core_wait(const XcadreCommand& c, const std::string& waits_for,
                                                  uint64_t& waited, Ready ready) {
  const uint64_t start = clock_.now_cycles();
  while (!ready()) {
    if (error_) return error_;
    // Nothing runs on a unit and every queue head waits on a semaphore: no
    // event can come, so neither the queues nor the core can move again.
    if (queues_stuck()) return report(c, waits_for);
    sc_core::wait(changed_);
  }
  waited += clock_.now_cycles() - start;
  return error_;  // a queued command that failed while the core waited
}

XcadreResponse Accelerator::core_command(const XcadreCommand& c) {
  XcadreResponse response;
  std::optional<std::string> error;
  switch (c.insn.op) {
    case Op::SignalCore: {
      const uint32_t s = semaphore(c);
      if (semaphores_[s] == kSemaphoreMax) throw AccelError(fmt::format("semaphore {} would pass 2^32 - 1", s));
      ++semaphores_[s];
      changed_.notify(sc_core::SC_ZERO_TIME);
      break;
    }
    case Op::WaitCore: {
      const uint32_t s = semaphore(c);
      error = core_wait(c, fmt::format("semaphore {} (value 0)", s), core_waits_.semaphore_cycles,
                        [&] { return semaphores_[s] > 0; });
      if (!error) {
        --semaphores_[s];
        changed_.notify(sc_core::SC_ZERO_TIME);
      }
      break;
    }
    case Op::Fence: {
      const uint64_t mask = ops::QueueMask::decode(c.rs1_value).queues;
      error = core_wait(c, fmt::format("queues {:#x} to drain", mask), core_waits_.fence_cycles, [&] {
        for (size_t q = 0; q < queues_.size(); ++q)
          if ((mask >> q & 1) && !queues_[q].commands.empty()) return false;
        return true;
      });
      break;
    }
    default: {  // cx.status
      const uint64_t sel = ops::StatusSelect::decode(c.rs1_value).select;
      uint64_t value = 0;
      if (sel < isa::kQueueCount) value = queues_[sel].commands.size();
      else if (sel >= 0x08 && sel < 0x08 + isa::kQueueCount) value = queues_[sel - 0x08].stats.retired;
      else if (sel >= 0x10 && sel < 0x10 + semaphores_.size()) value = semaphores_[sel - 0x10];
      else if (sel == 0x20) value = tile_;
      else if (sel == 0x21) value = cfg_.tiles;
      else throw AccelError(fmt::format("cx.status: no status word {:#x}", sel));
      response.rd_value = value;
      break;
    }
  }
  if (error) response.error = *error;
  return response;
}

std::optional<std::string> Accelerator::unfinished() const {
  if (error_) return fmt::format("after a queued command failed: {}", *error_);
  std::string left;
  for (size_t q = 0; q < queues_.size(); ++q)
    if (!queues_[q].commands.empty())
      left += fmt::format("{}{} queue ({} commands, head {})", left.empty() ? "" : "; ", kQueueNames[q],
                          queues_[q].commands.size(), describe(queues_[q].commands.front()));
  if (left.empty()) return std::nullopt;
  return fmt::format("with Xcadre commands still queued (cx.fence before exit): {}", left);
}

XcadreResponse Accelerator::execute(const XcadreCommand& c) {
  XcadreResponse response;
  if (error_) {
    response.error = *error_;
    return response;
  }
  try {
    const Queue q = isa::info(c.insn.op).queue;
    if (q == Queue::Core) return core_command(c);
    CommandQueue& queue = queues_[static_cast<size_t>(q)];
    const std::optional<std::string> error =
        core_wait(c, fmt::format("a slot in the {} queue", kQueueNames[static_cast<size_t>(q)]),
                  core_waits_.queue_full_cycles, [&] { return queue.commands.size() < queue.depth; });
    if (error) {
      response.error = *error;
      return response;
    }
    queue.commands.push_back(c);
    ++queue.stats.issued;
    changed_.notify(sc_core::SC_ZERO_TIME);
  } catch (const AccelError& e) {
    response.error = fmt::format("{}: {}", describe(c), e.what());
  }
  return response;
}

}  // namespace cadre::sim
