// The core's timing model (docs/simulator.md) on hand-assembled code: the
// cycle counts equal the documented model exactly. Costs come from the
// `small` preset's core and HBM figures, read from the config.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemc>

#include "cadre/sim/chip.h"
#include "sim_test_util.h"

namespace cadre::test {
namespace {

const arch::CoreConfig kCore = config().core;

uint64_t stall(const sim::SimResult& r, sim::StallCause cause) {
  return r.tiles[0].stats.stall_cycles[static_cast<size_t>(cause)];
}

TEST(SimTiming, StraightLineAluIsOneCyclePerInstruction) {
  Code code;
  for (int k = 0; k < 100; ++k) code << i(Rv64Op::Addi, t0, t0, 1);
  code << r(Rv64Op::Add, a0, t0, zero);
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.exit_code, 100u);
  EXPECT_EQ(result.instructions, 103u);
  EXPECT_EQ(result.cycles, 103u);
}

TEST(SimTiming, LoopPaysTheTakenBranchPenalty) {
  // li t0, 10; loop: addi t0, t0, -1; bne t0, zero, loop; exit
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 10) << i(Rv64Op::Addi, t0, t0, -1) << b(Rv64Op::Bne, t0, zero, -4);
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.instructions, 1u + 2 * 10 + 2);
  // Taken 9 times; the last, not taken, costs nothing extra.
  EXPECT_EQ(result.cycles, result.instructions + 9 * kCore.taken_branch_penalty_cycles);
  EXPECT_EQ(stall(result, sim::StallCause::Branch), 9 * kCore.taken_branch_penalty_cycles);
}

TEST(SimTiming, JumpsPayTheTakenBranchPenalty) {
  // jal ra, +8 (skips one instruction); exit
  Code code;
  code << Rv64Insn{Rv64Op::Jal, {}, ra, 0, 0, 0, 8} << i(Rv64Op::Addi, a0, zero, 5);
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.exit_code, 0u);
  EXPECT_EQ(result.instructions, 3u);
  EXPECT_EQ(result.cycles, 3u + kCore.taken_branch_penalty_cycles);
}

TEST(SimTiming, DependentLoadsPayTheLoadUsePenalty) {
  // A pointer chain in RAM: each ld's address is the previous ld's result.
  constexpr int kLoads = 8;
  std::vector<uint8_t> data(8 * kLoads);
  for (int k = 0; k < kLoads; ++k) {
    const uint64_t next = k + 1 < kLoads ? kDataBase + 8 * (k + 1) : 42;
    for (int j = 0; j < 8; ++j) data[8 * k + j] = static_cast<uint8_t>(next >> (8 * j));
  }
  Code code;
  code.li(t0, static_cast<uint32_t>(kDataBase));  // 4 instructions
  for (int k = 0; k < kLoads; ++k) code << i(Rv64Op::Ld, t0, t0, 0);
  code << r(Rv64Op::Add, a0, t0, zero);  // uses the last load at once
  const sim::SimResult result = run(program(code.exit(), data));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.exit_code, 42u);
  EXPECT_EQ(result.instructions, 4u + kLoads + 1 + 2);
  // Every load but the first uses its predecessor's result, and so does the add.
  EXPECT_EQ(stall(result, sim::StallCause::LoadUse), kLoads * kCore.load_use_penalty_cycles);
  EXPECT_EQ(result.cycles, result.instructions + kLoads * kCore.load_use_penalty_cycles);
}

TEST(SimTiming, IndependentLoadsDoNotStall) {
  Code code;
  code.li(t0, static_cast<uint32_t>(kDataBase));
  code << i(Rv64Op::Ld, t1, t0, 0) << i(Rv64Op::Ld, t2, t0, 8) << i(Rv64Op::Addi, a0, zero, 1)
       << r(Rv64Op::Add, a0, t1, t2);  // t1 and t2 ready by now (penalty 1)
  const sim::SimResult result = run(program(code.exit(), std::vector<uint8_t>(16, 1)));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.cycles, result.instructions);
}

TEST(SimTiming, MultiplyAndDivideLatencies) {
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 6) << i(Rv64Op::Addi, t1, zero, 7)
       << r(Rv64Op::Mul, t2, t0, t1)        // ready mul_latency after issue
       << r(Rv64Op::Add, a0, t2, zero)      // waits mul_latency - 1
       << r(Rv64Op::Div, t2, t2, t0)        // 42 / 6
       << r(Rv64Op::Div, a1, t1, t1)        // independent, but the divider is busy
       << r(Rv64Op::Add, a0, t2, a1);       // waits for the second divide
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.exit_code, 8u);
  const uint64_t mul_wait = kCore.mul_latency_cycles - 1, div_wait = 2 * (kCore.div_latency_cycles - 1);
  EXPECT_EQ(stall(result, sim::StallCause::Mul), mul_wait);
  EXPECT_EQ(stall(result, sim::StallCause::Div), div_wait);
  EXPECT_EQ(result.cycles, result.instructions + mul_wait + div_wait);
}

TEST(SimTiming, CountersReadTheCyclesAndInstructionsBefore) {
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 1) << i(Rv64Op::Addi, t0, zero, 1) << csrr(a0, 0xC00)  // cycle: 2
       << Rv64Insn{Rv64Op::Jal, {}, zero, 0, 0, 0, 4}                                       // penalty
       << csrr(a1, 0xC02)                                                                   // instret: 4
       << csrr(a2, 0xB00)                                                                   // mcycle
       << r(Rv64Op::Sub, a0, a2, a0)  // cycles between the two reads
       << i(Rv64Op::Slli, a0, a0, 8) << r(Rv64Op::Or, a0, a0, a1);
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  const uint64_t between = 3 + kCore.taken_branch_penalty_cycles;  // csrr cycle, jal + penalty, csrr instret
  EXPECT_EQ(result.exit_code, between << 8 | 4);
}

TEST(SimTiming, HbmAccessesCostTheLinkTheChannelAndTheLatency) {
  const arch::ArchConfig cfg = config();
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 1) << i(Rv64Op::Slli, t0, t0, 32)  // t0 = HBM base
       << i(Rv64Op::Addi, t1, zero, 9) << s(Rv64Op::Sd, t1, t0, 0) << i(Rv64Op::Ld, a0, t0, 0);
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.exit_code, 9u);
  // Each 8-byte access: link latency + ceil(8 / link width), then the channel
  // (free: one access at a time) for ceil(8 / channel bytes per cycle) and the latency.
  const uint64_t link = cfg.interconnect.latency_cycles + (8 + cfg.interconnect.bytes_per_cycle - 1) / cfg.interconnect.bytes_per_cycle;
  const auto transfer = static_cast<uint64_t>(std::ceil(8 / arch::hbm_bytes_per_cycle_per_channel(cfg)));
  const uint64_t each = link + transfer + arch::hbm_latency_cycles(cfg);
  EXPECT_EQ(stall(result, sim::StallCause::Hbm), 2 * each);
  // The final add-free exit does not use a0, so no load-use stall.
  EXPECT_EQ(result.cycles, result.instructions + 2 * each);
  ASSERT_EQ(result.hbm_channels.size(), cfg.hbm.channels);
  EXPECT_EQ(result.hbm_channels[0].bytes, 16u);
  EXPECT_EQ(result.hbm_channels[0].busy_cycles, 2 * transfer);
}

// Two tiles hammer the same HBM channel; the cycle counts (which include the
// channel contention) must not depend on the quantum. Each quantum runs in a
// child process, since SystemC elaborates once per process.
TEST(SimTiming, CycleCountsDoNotDependOnTheQuantum) {
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 1) << i(Rv64Op::Slli, t0, t0, 32) << i(Rv64Op::Addi, t2, zero, 50);
  // loop: sd t2, 0(t0); ld t1, 0(t0); addi t2, t2, -1; mul t1, t1, t1; bne t2, zero, loop
  code << s(Rv64Op::Sd, t2, t0, 0) << i(Rv64Op::Ld, t1, t0, 0) << i(Rv64Op::Addi, t2, t2, -1)
       << r(Rv64Op::Mul, t1, t1, t1) << b(Rv64Op::Bne, t2, zero, -16);
  const elf::Program p = program(code.exit());
  std::vector<std::pair<uint64_t, uint64_t>> cycles;  // tile 0, tile 1
  for (const uint64_t quantum : {1, 7, 100, 100000}) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    if (child == 0) {
      sim::SimOptions options;
      options.quantum_cycles = quantum;
      const sim::SimResult result = run(p, 2, options);
      const uint64_t out[2] = {result.tiles[0].cycles, result.error ? 0 : result.tiles[1].cycles};
      (void)!write(fds[1], out, sizeof(out));
      _exit(0);
    }
    close(fds[1]);
    uint64_t in[2] = {0, 0};
    ASSERT_EQ(read(fds[0], in, sizeof(in)), static_cast<ssize_t>(sizeof(in)));
    close(fds[0]);
    waitpid(child, nullptr, 0);
    cycles.emplace_back(in[0], in[1]);
  }
  for (const auto& c : cycles) {
    EXPECT_EQ(c, cycles.front());
    EXPECT_GT(c.first, 0u);
  }
}

// The Xcadre hook: the handler gets the decoded instruction with its operand
// values, PC and cycle; its rd value and stall (waited or returned) count.
class TestHandler : public sim::XcadreHandler {
 public:
  sim::XcadreResponse execute(const sim::XcadreCommand& command) override {
    seen = command;
    sc_core::wait(sc_core::sc_time(5, sc_core::SC_NS));  // 5 cycles at the small preset's 1 GHz
    return {0x55 + command.rs1_value, 10, ""};
  }
  sim::XcadreCommand seen;
};

TEST(SimTiming, XcadreHandlerReturnsRdAndStalls) {
  TestHandler handler;
  Code code;
  code << i(Rv64Op::Addi, a1, zero, 3);
  code.raw(isa::encode(isa::XcadreInsn{isa::Op::Status, a0, a1, 0}));  // cx.status a0, a1
  sim::SimOptions options;
  options.configure = [&](sim::Chip& chip) { chip.core(0).attach_xcadre(&handler); };
  ASSERT_DOUBLE_EQ(config().clock_ghz, 1.0);
  const sim::SimResult result = run(program(code.exit()), 1, options);
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.exit_code, 0x58u);
  EXPECT_EQ(handler.seen.insn.op, isa::Op::Status);
  EXPECT_EQ(handler.seen.rs1_value, 3u);
  EXPECT_EQ(handler.seen.pc, arch::kRamBase + 4);
  EXPECT_EQ(handler.seen.cycle, 1u);
  EXPECT_EQ(stall(result, sim::StallCause::Xcadre), 15u);
  EXPECT_EQ(result.cycles, 4u + 15);
  EXPECT_EQ(result.tiles[0].stats.by_class[static_cast<size_t>(sim::InsnClass::Xcadre)], 1u);
}

}  // namespace
}  // namespace cadre::test
