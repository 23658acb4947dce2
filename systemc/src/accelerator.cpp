#include "cadre/sim/accelerator.h"

#include <fmt/format.h>

#include "cadre/sim/accel_error.h"

namespace cadre::sim {
namespace {

using isa::Op;
using isa::Queue;

constexpr uint64_t kSemaphoreMax = 0xFFFF'FFFFu;
const char* const kQueueNames[] = {"load", "compute", "store"};

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
      matrix_(cfg, memory_),
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
  const uint64_t s = isa::field(isa::Layout::Semaphore, "sem", c.rs1_value);
  if (s >= semaphores_.size())
    throw AccelError(fmt::format("semaphore {} does not exist (the tile has {})", s, semaphores_.size()));
  return static_cast<uint32_t>(s);
}

uint64_t Accelerator::perform(const XcadreCommand& c) {
  switch (c.insn.op) {
    case Op::MatrixConfig: return matrix_.configure(c.rs1_value, c.rs2_value);
    case Op::MatrixPreload: return matrix_.preload(c.rs1_value, c.rs2_value);
    case Op::MatrixMul: return matrix_.matmul(c.rs1_value, c.rs2_value, false);
    case Op::MatrixMulAcc: return matrix_.matmul(c.rs1_value, c.rs2_value, true);
    case Op::DmaLoadConfig:
    case Op::DmaLoadIndex:
    case Op::DmaLoad:
    case Op::DmaGather:
    case Op::DmaStoreConfig:
    case Op::DmaStoreIndex:
    case Op::DmaStore:
    case Op::DmaScatterAdd: return dma_.execute(c.insn.op, c.rs1_value, c.rs2_value);
    default: return vector_.execute(c.insn.op, c.rs1_value, c.rs2_value);
  }
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
      } else if (is_signal(c.insn.op)) {
        // Earlier commands of this queue have completed: the queue is in order.
        const uint32_t s = semaphore(c);
        if (semaphores_[s] == kSemaphoreMax) throw AccelError(fmt::format("semaphore {} would pass 2^32 - 1", s));
        ++semaphores_[s];
      } else {
        sc_core::wait(clock_.to_time(perform(c)));
        queue.stats.busy_cycles += clock_.now_cycles() - start;
      }
    } catch (const AccelError& e) {
      error_ = fmt::format("{}: {}", describe(c), e.what());
    }
    queue.commands.pop_front();
    ++queue.stats.retired;
    changed_.notify(sc_core::SC_ZERO_TIME);
  }
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
                     queue.commands.size(), describe(head), isa::field(isa::Layout::Semaphore, "sem", head.rs1_value));
  }
  return r;
}

template <class Ready>
std::optional<std::string> Accelerator::core_wait(const XcadreCommand& c, const std::string& waits_for, Ready ready) {
  while (!ready()) {
    if (error_) return error_;
    // Nothing runs on a unit and every queue head waits on a semaphore: no
    // event can come, so neither the queues nor the core can move again.
    if (queues_stuck()) return report(c, waits_for);
    sc_core::wait(changed_);
  }
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
      error = core_wait(c, fmt::format("semaphore {} (value 0)", s), [&] { return semaphores_[s] > 0; });
      if (!error) {
        --semaphores_[s];
        changed_.notify(sc_core::SC_ZERO_TIME);
      }
      break;
    }
    case Op::Fence: {
      const uint64_t mask = isa::field(isa::Layout::QueueMask, "queues", c.rs1_value);
      error = core_wait(c, fmt::format("queues {:#x} to drain", mask), [&] {
        for (size_t q = 0; q < queues_.size(); ++q)
          if ((mask >> q & 1) && !queues_[q].commands.empty()) return false;
        return true;
      });
      break;
    }
    default: {  // cx.status
      const uint64_t sel = isa::field(isa::Layout::StatusSelect, "select", c.rs1_value);
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
                  [&] { return queue.commands.size() < queue.depth; });
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
