// RV64IM + Zicsr decoding: corner cases with words from GNU as, and the
// table-wide invariants (every legal word re-encodes to itself).
#include <gtest/gtest.h>

#include <random>

#include "cadre/isa/rv64.h"

namespace cadre::isa {
namespace {

Rv64Insn decoded(uint32_t word) {
  const Rv64Insn d = decode_rv64(word);
  EXPECT_NE(d.op, Rv64Op::Illegal) << std::hex << word << ": " << describe(d.illegal);
  return d;
}

Rv64Insn make(Rv64Op op, uint8_t rd, uint8_t rs1, uint8_t rs2, int64_t imm, uint16_t csr = 0) {
  return Rv64Insn{op, IllegalReason::None, rd, rs1, rs2, csr, imm};
}

TEST(Rv64Decode, ImmediatesAreSignExtended) {
  EXPECT_EQ(decoded(0xffb50513), make(Rv64Op::Addi, 10, 10, 0, -5));   // addi a0,a0,-5
  EXPECT_EQ(decoded(0x7ff57513), make(Rv64Op::Andi, 10, 10, 0, 2047));  // andi a0,a0,2047
  EXPECT_EQ(decoded(0xfff5b513), make(Rv64Op::Sltiu, 10, 11, 0, -1));   // sltiu a0,a1,-1
  EXPECT_EQ(decoded(0x8005051b), make(Rv64Op::Addiw, 10, 10, 0, -2048));
  EXPECT_EQ(decoded(0x80056503), make(Rv64Op::Lwu, 10, 10, 0, -2048));  // lwu a0,-2048(a0)
  EXPECT_EQ(decoded(0xfff58503), make(Rv64Op::Lb, 10, 11, 0, -1));
  EXPECT_EQ(decoded(0x00813503), make(Rv64Op::Ld, 10, 2, 0, 8));        // ld a0,8(sp)
  EXPECT_EQ(decoded(0xfea13c23), make(Rv64Op::Sd, 0, 2, 10, -8));       // sd a0,-8(sp)
  EXPECT_EQ(decoded(0x7ffd8fa3), make(Rv64Op::Sb, 0, 27, 31, 2047));    // sb t6,2047(s11)
}

TEST(Rv64Decode, BranchAndJumpOffsetsAtTheirLimits) {
  EXPECT_EQ(decoded(0x7e000fe3), make(Rv64Op::Beq, 0, 0, 0, 4094));
  EXPECT_EQ(decoded(0x80b51063), make(Rv64Op::Bne, 0, 10, 11, -4096));
  EXPECT_EQ(decoded(0xfeb502e3), make(Rv64Op::Beq, 0, 10, 11, -28));
  EXPECT_EQ(decoded(0x7ffff06f), make(Rv64Op::Jal, 0, 0, 0, 1048574));
  EXPECT_EQ(decoded(0x800000ef), make(Rv64Op::Jal, 1, 0, 0, -1048576));
  EXPECT_EQ(decoded(0xfe1ff0ef), make(Rv64Op::Jal, 1, 0, 0, -32));
  EXPECT_EQ(decoded(0x000780e7), make(Rv64Op::Jalr, 1, 15, 0, 0));   // jalr ra,0(a5)
  EXPECT_EQ(decoded(0xfff28067), make(Rv64Op::Jalr, 0, 5, 0, -1));   // jalr zero,-1(t0)
}

TEST(Rv64Decode, UpperImmediates) {
  EXPECT_EQ(decoded(0x123457b7), make(Rv64Op::Lui, 15, 0, 0, 0x12345000));
  EXPECT_EQ(decoded(0xfffff537), make(Rv64Op::Lui, 10, 0, 0, -4096));  // sign-extended to 64 bits
  EXPECT_EQ(decoded(0x80000317), make(Rv64Op::Auipc, 6, 0, 0, -(int64_t{1} << 31)));
  EXPECT_EQ(decoded(0x00000517), make(Rv64Op::Auipc, 10, 0, 0, 0));
}

TEST(Rv64Decode, ShiftsTakeSixBitsAndWFormsFive) {
  EXPECT_EQ(decoded(0x02159513), make(Rv64Op::Slli, 10, 11, 0, 33));
  EXPECT_EQ(decoded(0x43f55513), make(Rv64Op::Srai, 10, 10, 0, 63));
  EXPECT_EQ(decoded(0x0035951b), make(Rv64Op::Slliw, 10, 11, 0, 3));
  EXPECT_EQ(decoded(0x41f5551b), make(Rv64Op::Sraiw, 10, 10, 0, 31));
  EXPECT_EQ(decoded(0x0003529b), make(Rv64Op::Srliw, 5, 6, 0, 0));
  // shamt[5] = 1 in a W shift is reserved.
  for (uint32_t word : {0x0235951bu, 0x0235d51bu, 0x4235d51bu}) {
    const Rv64Insn d = decode_rv64(word);
    EXPECT_EQ(d.op, Rv64Op::Illegal) << std::hex << word;
    EXPECT_EQ(d.illegal, IllegalReason::NoMatch);
  }
  // funct6 other than 000000/010000 in a 64-bit shift.
  EXPECT_EQ(decode_rv64(0x8215d513).illegal, IllegalReason::NoMatch);
}

TEST(Rv64Decode, EveryMExtensionInstruction) {
  // rd = a0, rs1 = a1, rs2 = a2, opcode OP or OP-32 with funct7 = 1.
  const std::pair<uint32_t, Rv64Op> cases[] = {
      {0x02c58533, Rv64Op::Mul},   {0x02c59533, Rv64Op::Mulh},  {0x02c5a533, Rv64Op::Mulhsu},
      {0x02c5b533, Rv64Op::Mulhu}, {0x02c5c533, Rv64Op::Div},   {0x02c5d533, Rv64Op::Divu},
      {0x02c5e533, Rv64Op::Rem},   {0x02c5f533, Rv64Op::Remu},  {0x02c5853b, Rv64Op::Mulw},
      {0x02c5c53b, Rv64Op::Divw},  {0x02c5d53b, Rv64Op::Divuw}, {0x02c5e53b, Rv64Op::Remw},
      {0x02c5f53b, Rv64Op::Remuw}};
  for (const auto& [word, op] : cases) EXPECT_EQ(decoded(word), make(op, 10, 11, 12, 0)) << info(op).mnemonic;
  // OP-32 funct7 = 1 with funct3 1, 2, 3 (no mulhw) is not an instruction.
  for (uint32_t word : {0x02c5953bu, 0x02c5a53bu, 0x02c5b53bu})
    EXPECT_EQ(decode_rv64(word).illegal, IllegalReason::NoMatch) << std::hex << word;
}

TEST(Rv64Decode, WFormsAndSubtract) {
  EXPECT_EQ(decoded(0x40c5853b), make(Rv64Op::Subw, 10, 11, 12, 0));
  EXPECT_EQ(decoded(0x40c5d53b), make(Rv64Op::Sraw, 10, 11, 12, 0));
  EXPECT_EQ(decoded(0x40c58533), make(Rv64Op::Sub, 10, 11, 12, 0));
}

TEST(Rv64Decode, CsrForms) {
  EXPECT_EQ(decoded(0x30059573), make(Rv64Op::Csrrw, 10, 11, 0, 0, 0x300));
  EXPECT_EQ(decoded(0xc0002573), make(Rv64Op::Csrrs, 10, 0, 0, 0, 0xc00));
  EXPECT_EQ(decoded(0xfff332f3), make(Rv64Op::Csrrc, 5, 6, 0, 0, 0xfff));
  // The immediate forms carry their 5-bit value in imm, not rs1.
  EXPECT_EQ(decoded(0x7ff2d573), make(Rv64Op::Csrrwi, 10, 0, 0, 5, 0x7ff));
  EXPECT_EQ(decoded(0x10006073), make(Rv64Op::Csrrsi, 0, 0, 0, 0, 0x100));
  EXPECT_EQ(decoded(0x300ff073), make(Rv64Op::Csrrci, 0, 0, 0, 31, 0x300));
  EXPECT_EQ(decode_rv64(0x30004573).illegal, IllegalReason::NoMatch);  // SYSTEM funct3 = 4
}

TEST(Rv64Decode, FenceAndEnvironment) {
  EXPECT_EQ(decoded(0x0ff0000f), make(Rv64Op::Fence, 0, 0, 0, 0xff));
  EXPECT_EQ(decoded(0x8330000f).op, Rv64Op::FenceTso);
  EXPECT_EQ(decoded(0x00000073).op, Rv64Op::Ecall);
  EXPECT_EQ(decoded(0x00100073).op, Rv64Op::Ebreak);
  // Reserved fence fields (fm, rd, rs1) set: not a fence, as binutils decides.
  EXPECT_EQ(decode_rv64(0x833d800f).illegal, IllegalReason::NoMatch);
  EXPECT_EQ(decode_rv64(0x0ff0008f).illegal, IllegalReason::NoMatch);
  EXPECT_EQ(decode_rv64(0x1ff0000f).illegal, IllegalReason::NoMatch);
  EXPECT_EQ(decode_rv64(0x000000f3).illegal, IllegalReason::NoMatch);  // ecall with rd != 0
  EXPECT_EQ(decode_rv64(0x00200073).illegal, IllegalReason::NoMatch);  // uret: not here
  EXPECT_EQ(decode_rv64(0x0000100f).illegal, IllegalReason::NoMatch);  // fence.i: no Zifencei
}

TEST(Rv64Decode, IllegalWordsSayWhy) {
  EXPECT_EQ(decode_rv64(0x00000000).illegal, IllegalReason::Compressed);
  EXPECT_EQ(decode_rv64(0x00004501).illegal, IllegalReason::Compressed);  // c.li a0,0
  EXPECT_EQ(decode_rv64(0xffffffff).illegal, IllegalReason::Long);
  EXPECT_EQ(decode_rv64(0x0005000b).illegal, IllegalReason::Custom);
  EXPECT_EQ(decode_rv64(0x0000007b).illegal, IllegalReason::Custom);
  EXPECT_EQ(decode_rv64(0x00b57553).illegal, IllegalReason::UnsupportedOpcode);  // fadd.s
  EXPECT_EQ(decode_rv64(0x00b5352f).illegal, IllegalReason::UnsupportedOpcode);  // amoadd.d
  EXPECT_EQ(decode_rv64(0x08000033).illegal, IllegalReason::NoMatch);  // OP funct7 = 4
  EXPECT_EQ(decode_rv64(0x00007003).illegal, IllegalReason::NoMatch);  // load funct3 = 7
  EXPECT_EQ(decode_rv64(0x00002063).illegal, IllegalReason::NoMatch);  // branch funct3 = 2
  for (IllegalReason r : {IllegalReason::Compressed, IllegalReason::Long, IllegalReason::Custom,
                          IllegalReason::UnsupportedOpcode, IllegalReason::NoMatch})
    EXPECT_GT(describe(r).size(), 10u);
}

TEST(Rv64Decode, EveryRowDecodesToItselfWithRandomFields) {
  std::mt19937 rng(7);
  for (const Rv64Info& row : rv64_table()) {
    for (int k = 0; k < 2000; ++k) {
      const uint32_t word = row.match | (static_cast<uint32_t>(rng()) & ~row.mask);
      const Rv64Insn d = decode_rv64(word);
      ASSERT_EQ(d.op, row.op) << row.mnemonic << " " << std::hex << word;
      ASSERT_EQ(encode_rv64(d), word) << row.mnemonic << " " << std::hex << word;
    }
  }
}

TEST(Rv64Decode, RandomWordsDecodeAndReEncodeOrSayWhy) {
  std::mt19937 rng(11);
  size_t legal = 0;
  for (int k = 0; k < 4'000'000; ++k) {
    const auto word = static_cast<uint32_t>(rng());
    const Rv64Insn d = decode_rv64(word);
    if (d.op == Rv64Op::Illegal) {
      ASSERT_NE(d.illegal, IllegalReason::None);
      continue;
    }
    ASSERT_EQ(d.illegal, IllegalReason::None);
    ASSERT_EQ(encode_rv64(d), word) << std::hex << word;
    ++legal;
  }
  EXPECT_GT(legal, 100'000u);
}

}  // namespace
}  // namespace cadre::isa
