// Every way a run stops early names the tile, PC, cycle and instruction, and
// has its own error kind (the `cadre sim` exit codes come from the kind).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cadre/isa/xcadre.h"
#include "cadre/sim/program_loader.h"
#include "sim_test_util.h"

namespace cadre::test {
namespace {

using ::testing::HasSubstr;

sim::SimError run_error(const Code& code, sim::SimOptions options = {}) {
  const sim::SimResult result = run(program(code), 1, options);
  EXPECT_TRUE(result.error.has_value());
  return result.error.value_or(sim::SimError{});
}

TEST(SimErrors, IllegalInstruction) {
  Code code;
  code << i(Rv64Op::Addi, a0, zero, 1);
  code.raw(0x00b50553);  // fadd.s: the F extension
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::IllegalInstruction);
  EXPECT_EQ(e.pc, arch::kRamBase + 4);
  EXPECT_EQ(e.cycle, 1u);
  EXPECT_THAT(e.message, HasSubstr("tile 0, pc 0x80000004, cycle 1: illegal instruction: .4byte 0xb50553"));
}

TEST(SimErrors, XcadreWithARegisterInAnUnusedField) {
  // cx.status has no rs2: a register there makes the word illegal.
  Code code;
  code.raw(isa::encode(isa::XcadreInsn{isa::Op::Status, a0, a1, a2}));
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::IllegalInstruction);
  EXPECT_THAT(e.message, HasSubstr("is cx.status with a register in an unused field (must be x0)"));
}

TEST(SimErrors, XcadreReachesTheTilesAccelerator) {
  // cx.status 0x20 reads the tile number; exit with it.
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 0x20);
  code.raw(isa::encode(isa::XcadreInsn{isa::Op::Status, a0, t0, 0}));
  const sim::SimResult result = run(program(code.exit()), 2);
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.tiles[1].exit_code, 1u);
}

// cvec.muls of 4096 elements from the scratchpad base to `dst` (t1), scalar 0.
Code& vector_command(Code& code, uint32_t dst) {
  code.li(t0, static_cast<uint32_t>(arch::kScratchpadBase)).li(t1, dst);
  code << i(Rv64Op::Slli, t1, t1, 32) << r(Rv64Op::Or, t0, t0, t1);
  code.li(t1, 4096);
  return code.raw(isa::encode(isa::XcadreInsn{isa::Op::VecMulScalar, 0, t0, t1}));
}

TEST(SimErrors, ExitWithCommandsStillQueued) {
  Code code;
  vector_command(code, static_cast<uint32_t>(arch::kScratchpadBase + 0x8000));
  const sim::SimError e = run_error(code.exit());
  EXPECT_EQ(e.tile, 0u);
  EXPECT_THAT(e.message, HasSubstr("tile 0, pc "));
  EXPECT_THAT(e.message, HasSubstr("the program exited with Xcadre commands still queued (cx.fence before exit): "
                                   "compute queue (1 commands, head cvec.muls t0, t1"));
}

TEST(SimErrors, ExitAfterAQueuedCommandFailed) {
  // The destination runs past the end of the scratchpad; the core exits long after.
  Code code;
  vector_command(code, static_cast<uint32_t>(arch::kScratchpadBase + config().scratchpad.bytes - 8));
  code.li(t2, 100000);
  code << i(Rv64Op::Addi, t2, t2, -1) << b(Rv64Op::Bne, t2, zero, -4);
  const sim::SimError e = run_error(code.exit());
  EXPECT_THAT(e.message, HasSubstr("the program exited after a queued command failed: cvec.muls t0, t1"));
  EXPECT_THAT(e.message, HasSubstr("outside local memory"));
}

TEST(SimErrors, WriteToReadOnlyCounter) {
  Code code;
  code << Rv64Insn{Rv64Op::Csrrw, {}, zero, t0, 0, 0xC00, 0};  // csrw cycle, t0
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::IllegalInstruction);
  EXPECT_THAT(e.message, HasSubstr("write to read-only CSR 0xc00"));
}

TEST(SimErrors, UnknownCsr) {
  Code code;
  code << csrr(a0, 0x7C0);
  EXPECT_THAT(run_error(code).message, HasSubstr("CSR 0x7c0 does not exist on this core"));
}

TEST(SimErrors, MisalignedLoad) {
  Code code;
  code.li(t0, 0x8000'1001u) << i(Rv64Op::Lw, a0, t0, 0);
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::MisalignedAccess);
  EXPECT_THAT(e.message, HasSubstr("tile 0, pc 0x80000010, cycle 4: misaligned 4-byte load from 0x80001001: lw a0,0(t0)"));
}

TEST(SimErrors, MisalignedStore) {
  Code code;
  code.li(t0, 0x8000'1002u) << s(Rv64Op::Sd, a0, t0, 0);
  EXPECT_EQ(run_error(code).kind, sim::SimErrorKind::MisalignedAccess);
}

TEST(SimErrors, LoadOutsideEveryRegion) {
  Code code;
  code << i(Rv64Op::Ld, a0, zero, 16);
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::AccessFault);
  EXPECT_THAT(e.message, HasSubstr("8-byte load from 0x10 is outside every memory the core reaches"));
  EXPECT_THAT(e.message, HasSubstr("ld a0,16(zero)"));
}

TEST(SimErrors, StorePastTheEndOfRam) {
  const arch::Region ram = arch::ram_region(config());
  Code code;
  code.li(t0, static_cast<uint32_t>(ram.end())) << s(Rv64Op::Sb, a0, t0, 0);
  EXPECT_EQ(run_error(code).kind, sim::SimErrorKind::AccessFault);
}

TEST(SimErrors, StackOverflowIntoTheNextTileIsCaught) {
  // Every tile stores 8 bytes just below its own stack: for tile 0 that is in
  // tile 1's stack, an overflow; below the last tile's lies no other stack.
  const arch::ArchConfig cfg = config(2);
  Code code;
  code.li(t1, static_cast<uint32_t>(cfg.ram.stack_bytes_per_tile)) << r(Rv64Op::Sub, t0, sp, t1)
                                                                     << s(Rv64Op::Sd, a0, t0, -8);
  code << i(Rv64Op::Addi, a0, zero, 0);
  const sim::SimResult result = run(program(code.exit()), 2);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->kind, sim::SimErrorKind::AccessFault);
  EXPECT_EQ(result.error->tile, 0u);
  const arch::Region stack0 = arch::stack_region(cfg, 0);
  EXPECT_THAT(result.error->message,
              HasSubstr(fmt::format("stack overflow: 8-byte store to {:#x} is below tile 0's stack [{:#x}, {:#x}), in "
                                    "tile 1's",
                                    stack0.base - 8, stack0.base, stack0.end())));
  EXPECT_TRUE(result.tiles[1].exited);
}

TEST(SimErrors, WriteOfALengthBeyondMemoryFaultsBeforeCopying) {
  // write(1, RAM base, 2^64 - 1)
  Code code;
  code.li(a1, static_cast<uint32_t>(arch::kRamBase));
  code << i(Rv64Op::Addi, a0, zero, 1) << i(Rv64Op::Addi, a2, zero, -1) << i(Rv64Op::Addi, a7, zero, 64) << ecall();
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->kind, sim::SimErrorKind::AccessFault);
  EXPECT_THAT(result.error->message, HasSubstr("write buffer [0x80000000, +0xffffffffffffffff) is not inside one memory"));
  EXPECT_EQ(result.stdout_text, "");
}

TEST(SimErrors, LongOutputIsKeptToItsFirst4MiB) {
  // write(1, HBM base, 5 MiB) of zeros: forwarded in chunks, the first 4 MiB kept.
  Code code;
  code << i(Rv64Op::Addi, a1, zero, 1) << i(Rv64Op::Slli, a1, a1, 32);
  code.li(a2, 5u << 20);
  code << i(Rv64Op::Addi, a0, zero, 1) << i(Rv64Op::Addi, a7, zero, 64) << ecall() << i(Rv64Op::Addi, a0, zero, 0);
  const sim::SimResult result = run(program(code.exit()));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.stdout_text, std::string(size_t{4} << 20, '\0'));
  EXPECT_TRUE(result.output_truncated);
}

TEST(SimErrors, JumpOutsideMemory) {
  Code code;
  code.li(t0, 0x4000'0000u) << i(Rv64Op::Jalr, zero, t0, 0);
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::FetchFault);
  EXPECT_THAT(e.message, HasSubstr("jump to 0x40000000, outside the memory code runs from"));
  EXPECT_THAT(e.message, HasSubstr("jalr zero,0(t0)"));
}

TEST(SimErrors, JumpToMisalignedAddress) {
  Code code;
  code << b(Rv64Op::Beq, zero, zero, 6);
  EXPECT_THAT(run_error(code).message, HasSubstr("jump to misaligned address 0x80000006"));
}

TEST(SimErrors, UnknownEcall) {
  Code code;
  code << i(Rv64Op::Addi, a7, zero, 1000) << ecall();
  const sim::SimError e = run_error(code);
  EXPECT_EQ(e.kind, sim::SimErrorKind::BadEcall);
  EXPECT_THAT(e.message, HasSubstr("ecall with unknown a7 = 1000 (93 exit, 64 write): ecall"));
}

TEST(SimErrors, WriteToUnknownFileDescriptor) {
  Code code;
  code << i(Rv64Op::Addi, a0, zero, 3) << i(Rv64Op::Addi, a7, zero, 64) << ecall();
  EXPECT_THAT(run_error(code).message, HasSubstr("write to file descriptor 3"));
}

TEST(SimErrors, Ebreak) {
  Code code;
  code << Rv64Insn{Rv64Op::Ebreak, {}, 0, 0, 0, 0, 0};
  EXPECT_THAT(run_error(code).message, HasSubstr("ebreak: no debugger is attached"));
}

TEST(SimErrors, MaxCyclesStopsAnEndlessLoopExactly) {
  Code code;
  code << Rv64Insn{Rv64Op::Jal, {}, zero, 0, 0, 0, 0};  // j .
  sim::SimOptions options;
  options.max_cycles = 1000;
  const sim::SimError e = run_error(code, options);
  EXPECT_EQ(e.kind, sim::SimErrorKind::MaxCycles);
  // Each jump costs 1 + the taken-branch penalty; the limit is checked before an issue.
  const uint64_t per_jump = 1 + config().core.taken_branch_penalty_cycles;
  EXPECT_EQ(e.cycle, (1000 + per_jump - 1) / per_jump * per_jump);
  EXPECT_THAT(e.message, HasSubstr("the run reached its limit of 1000 cycles: jal zero,80000000"));
}

TEST(SimErrors, OtherTilesExitCodesAreReported) {
  // exit(tile id * 3): tile 0 exits 0, tile 1 exits 3.
  Code code;
  code << i(Rv64Op::Addi, t0, zero, 3) << r(Rv64Op::Mul, a0, a0, t0);
  const sim::SimResult result = run(program(code.exit()), 2);
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.exit_code, 0u);
  ASSERT_EQ(result.tiles.size(), 2u);
  EXPECT_TRUE(result.tiles[1].exited);
  EXPECT_EQ(result.tiles[1].exit_code, 3u);
}

TEST(SimErrors, ProgramOutputIsCaptured) {
  // write(1, data, 5) of "hello" in the data segment, then write(2, ...).
  Code code;
  code.li(a1, static_cast<uint32_t>(kDataBase));
  code << i(Rv64Op::Addi, a0, zero, 1) << i(Rv64Op::Addi, a2, zero, 5) << i(Rv64Op::Addi, a7, zero, 64) << ecall();
  code << i(Rv64Op::Addi, a0, zero, 2) << i(Rv64Op::Addi, a2, zero, 2) << ecall() << i(Rv64Op::Addi, a0, zero, 0);
  const std::vector<uint8_t> hello = {'h', 'e', 'l', 'l', 'o'};
  const sim::SimResult result = run(program(code.exit(), hello));
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.stdout_text, "hello");
  EXPECT_EQ(result.stderr_text, "he");
}

TEST(SimErrors, SegmentOutsideMemoryIsRejectedBeforeRunning) {
  Code code;
  elf::Program p = program(code.exit());
  p.segments.push_back({0x1000, 16, {}, elf::kSegmentRead});
  try {
    run(p);
    FAIL() << "no LoadError";
  } catch (const sim::LoadError& e) {
    EXPECT_THAT(e.what(), HasSubstr("segment 1 [0x1000, +0x10) is outside simulated memory"));
  }
}

TEST(SimErrors, SegmentInTheStacksIsRejectedBeforeRunning) {
  const arch::ArchConfig cfg = config();
  const arch::Region stack = arch::stack_region(cfg, 0);
  Code code;
  elf::Program p = program(code.exit());
  p.segments.push_back({stack.end() - 16, 16, {}, elf::kSegmentRead | elf::kSegmentWrite});
  try {
    run(p);
    FAIL() << "no LoadError";
  } catch (const sim::LoadError& e) {
    EXPECT_THAT(e.what(), HasSubstr(fmt::format("segment 1 [{:#x}, +0x10) overlaps the tiles' stacks [{:#x}, {:#x}) "
                                                "(tile 0's among them",
                                                stack.end() - 16, stack.base, stack.end())));
  }
}

}  // namespace
}  // namespace cadre::test
