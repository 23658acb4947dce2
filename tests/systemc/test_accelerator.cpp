// The accelerator behind the Xcadre hook, driven by a stand-in core thread:
// queue ordering through semaphores, fences, full queues, cx.status, errors
// and the deadlock watchdog's report.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "accel_test_util.h"
#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre.h"
#include "cadre/sim/accelerator.h"
#include "cadre/sim/start.h"
#include "cadre/sim/vector_unit.h"

namespace cadre::test {
namespace {

namespace ops = isa::operands;
using isa::Op;

// Runs `script` in an SC_THREAD next to one tile's accelerator.
struct Rig : sc_core::sc_module {
  arch::ArchConfig cfg = unit_config(8, 8, 8);
  sim::Clock clock{cfg.clock_ghz};
  sim::SparseMemory scratchpad{arch::scratchpad_region(cfg)};
  sim::Accelerator accel{"accel", cfg, clock, 0, scratchpad};
  std::function<void(Rig&)> script;
  uint64_t pc = 0x8000'0000;

  explicit Rig(std::function<void(Rig&)> s) : sc_module("rig"), script(std::move(s)) {
    SC_HAS_PROCESS(Rig);
    SC_THREAD(main);
  }
  void main() { script(*this); }

  sim::XcadreResponse issue(Op op, uint64_t rs1 = 0, uint64_t rs2 = 0) {
    pc += 4;
    return accel.execute({{op, 0, 10, 11}, rs1, rs2, pc, clock.now_cycles(), 0});
  }
  uint64_t now() const { return clock.now_cycles(); }
};

uint64_t sem(uint64_t s) { return ops::Semaphore{.sem = s}.encode(); }
uint64_t mask(uint64_t q) { return ops::QueueMask{.queues = q}.encode(); }
// cvec.muls of n elements from bank 0 to bank 2: vector_sweep_cycles(8, 1, n, 1) cycles.
sim::XcadreResponse muls(Rig& r, uint64_t n) {
  return r.issue(Op::VecMulScalar, ops::SrcDst{.src = kSp, .dst = kSp + (2u << 18)}.encode(),
                 ops::CountScalar{.n = n, .scalar = bits(2.0f)}.encode());
}

TEST(Accelerator, ComputeWaitsForTheCoreSignalThenFenceSeesItDone) {
  uint64_t done = 0;
  Rig rig([&](Rig& r) {
    EXPECT_EQ(r.issue(Op::WaitCompute, sem(3)).error, "");
    EXPECT_EQ(muls(r, 80).error, "");
    sc_core::wait(r.clock.to_time(100));
    EXPECT_EQ(r.issue(Op::SignalCore, sem(3)).error, "");
    EXPECT_EQ(r.issue(Op::Fence, mask(2)).error, "");
    done = r.now();
    EXPECT_EQ(r.issue(Op::Status, ops::StatusSelect{.select = 0x09}.encode()).rd_value, 2u);
    EXPECT_EQ(r.issue(Op::Status, ops::StatusSelect{.select = 0x13}.encode()).rd_value, 0u);
  });
  sim::start();
  // The multiply starts when the signal arrives (cycle 100) and takes its documented cost.
  EXPECT_EQ(done, 100 + cost::vector_sweep_cycles(8, 1, 80, 1));
  EXPECT_EQ(rig.accel.queue_stats(isa::Queue::Compute).semaphore_cycles, 100u);
}

TEST(Accelerator, FullQueueStallsTheCore) {
  std::vector<uint64_t> issued;
  Rig rig([&](Rig& r) {
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(muls(r, 800).error, "");
      issued.push_back(r.now());
    }
    r.issue(Op::Fence, mask(7));
  });
  sim::start();
  const uint64_t cost = cost::vector_sweep_cycles(8, 1, 800, 1);
  // Depth 4 (small preset): the 5th waits until the 1st completes, the 6th until the 2nd.
  EXPECT_EQ(issued, (std::vector<uint64_t>{0, 0, 0, 0, cost, 2 * cost}));
}

TEST(Accelerator, DeadlockIsReportedNotHung) {
  std::string error;
  Rig rig([&](Rig& r) {
    EXPECT_EQ(muls(r, 8).error, "");
    EXPECT_EQ(r.issue(Op::WaitCompute, sem(5)).error, "");
    EXPECT_EQ(r.issue(Op::WaitLoad, sem(6)).error, "");
    error = r.issue(Op::Fence, mask(3)).error;
  });
  sim::start();
  // The cvec.muls of 8 elements ran for its 5 cycles; the fence found the deadlock then.
  EXPECT_NE(error.find("queue deadlock on tile 0 at pc 0x80000010, cycle 5:"), std::string::npos) << error;
  EXPECT_NE(error.find("the core waits in cx.fence a0 for queues 0x3 to drain"), std::string::npos) << error;
  EXPECT_NE(error.find("compute queue (1 commands): head csync.wait.ex a0 (pc 0x80000008, issued at cycle 0) waits "
                       "for semaphore 5"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("load queue (1 commands): head csync.wait.ld a0"), std::string::npos) << error;
  EXPECT_NE(error.find("store queue: empty"), std::string::npos) << error;
}

TEST(Accelerator, CoreWaitWithNobodyToSignalIsReported) {
  std::string error;
  Rig rig([&](Rig& r) { error = r.issue(Op::WaitCore, sem(2)).error; });
  sim::start();
  EXPECT_NE(error.find("the core waits in csync.wait a0 for semaphore 2 (value 0)"), std::string::npos) << error;
}

TEST(Accelerator, QueueSignalReleasesTheCore) {
  uint64_t released = 0;
  Rig rig([&](Rig& r) {
    muls(r, 160);
    r.issue(Op::SignalCompute, sem(0));
    EXPECT_EQ(r.issue(Op::WaitCore, sem(0)).error, "");
    released = r.now();
  });
  sim::start();
  EXPECT_EQ(released, cost::vector_sweep_cycles(8, 1, 160, 1));
}

// A token passed core -> load -> compute -> store -> core with every
// csync.sig.* and csync.wait.*: each signal and wait takes no cycles of its
// own, so the core is released when the multiply between them completes.
TEST(Accelerator, SemaphoreRelayThroughEveryQueue) {
  uint64_t released = 0;
  std::vector<uint64_t> retired, values;
  Rig rig([&](Rig& r) {
    r.issue(Op::WaitLoad, sem(1));
    r.issue(Op::SignalLoad, sem(2));
    r.issue(Op::WaitCompute, sem(2));
    muls(r, 64);
    r.issue(Op::SignalCompute, sem(3));
    r.issue(Op::WaitStore, sem(3));
    r.issue(Op::SignalStore, sem(4));
    sc_core::wait(r.clock.to_time(40));
    r.issue(Op::SignalCore, sem(1));
    EXPECT_EQ(r.issue(Op::WaitCore, sem(4)).error, "");
    released = r.now();
    for (uint64_t q = 0; q < 3; ++q)
      retired.push_back(r.issue(Op::Status, ops::StatusSelect{.select = 0x08 + q}.encode()).rd_value.value_or(~0ull));
    for (uint64_t s = 1; s <= 4; ++s)
      values.push_back(r.issue(Op::Status, ops::StatusSelect{.select = 0x10 + s}.encode()).rd_value.value_or(~0ull));
  });
  sim::start();
  EXPECT_EQ(released, 40 + cost::vector_sweep_cycles(8, 1, 64, 1));
  EXPECT_EQ(retired, (std::vector<uint64_t>{2, 3, 2}));
  EXPECT_EQ(values, (std::vector<uint64_t>{0, 0, 0, 0}));  // every token taken
  EXPECT_EQ(rig.accel.queue_stats(isa::Queue::Load).semaphore_cycles, 40u);
  EXPECT_EQ(rig.accel.queue_stats(isa::Queue::Store).semaphore_cycles, 40 + cost::vector_sweep_cycles(8, 1, 64, 1));
}

TEST(Accelerator, FailedCommandIsReportedAtTheNextCommand) {
  std::string error;
  Rig rig([&](Rig& r) {
    // Destination past the end of the scratchpad.
    r.issue(Op::VecMulScalar, ops::SrcDst{.src = kSp, .dst = kSp + (1u << 20) - 4}.encode(),
            ops::CountScalar{.n = 8, .scalar = 0}.encode());
    error = r.issue(Op::Fence, mask(2)).error;
  });
  sim::start();
  EXPECT_NE(error.find("cvec.muls a0, a1 (pc 0x80000004, issued at cycle 0): vector destination"), std::string::npos)
      << error;
  EXPECT_NE(error.find("outside local memory"), std::string::npos) << error;
}

}  // namespace
}  // namespace cadre::test
