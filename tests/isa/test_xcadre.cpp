// The Xcadre table, encoder and decoder agree with each other.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "cadre/isa/xcadre.h"
#include "cadre/isa/xcadre_operands.h"

namespace cadre::isa {
namespace {

TEST(Xcadre, EveryEntryRoundTripsWithVariedRegisters) {
  for (const InsnInfo& i : xcadre_table()) {
    for (uint8_t r = 0; r < 32; r += 5) {
      XcadreInsn insn{i.op, i.rd == Layout::None ? uint8_t{0} : r,
                      i.rs1 == Layout::None ? uint8_t{0} : static_cast<uint8_t>(31 - r),
                      i.rs2 == Layout::None ? uint8_t{0} : static_cast<uint8_t>((r * 7) % 32)};
      const uint32_t word = encode(insn);
      const XcadreDecode d = decode_xcadre(word);
      ASSERT_TRUE(d.insn.has_value()) << i.mnemonic << ": " << d.error;
      EXPECT_EQ(*d.insn, insn) << i.mnemonic;
    }
  }
}

TEST(Xcadre, MnemonicsAreUniqueAndFindable) {
  std::set<std::string_view> seen;
  for (const InsnInfo& i : xcadre_table()) {
    EXPECT_TRUE(seen.insert(i.mnemonic).second) << i.mnemonic;
    EXPECT_EQ(op_from_mnemonic(i.mnemonic), i.op);
  }
  EXPECT_FALSE(op_from_mnemonic("cdma.nope").has_value());
}

TEST(Xcadre, EveryCustomWordDecodesOrIsRejected) {
  // All 2^25 words of each custom major opcode: a word decodes to an entry that
  // re-encodes to itself, or is rejected with a reason.
  const uint32_t majors[] = {0x0B, 0x2B, 0x5B, 0x7B};
  size_t accepted = 0;
  for (uint32_t major : majors) {
    for (uint32_t upper = 0; upper < (1u << 25); ++upper) {
      const uint32_t word = upper << 7 | major;
      const XcadreDecode d = decode_xcadre(word);
      if (d.insn) {
        ASSERT_EQ(encode(*d.insn), word);
        ++accepted;
      } else {
        ASSERT_FALSE(d.error.empty());
      }
    }
  }
  // Each entry is accepted once per combination of the registers it uses.
  size_t expected = 0;
  for (const InsnInfo& i : xcadre_table()) {
    size_t n = 1;
    for (Layout l : {i.rd, i.rs1, i.rs2}) n *= l == Layout::None ? 1 : 32;
    expected += n;
  }
  EXPECT_EQ(accepted, expected);
}

TEST(Xcadre, RejectsNonCustomAndUnusedRegisterFields) {
  EXPECT_FALSE(decode_xcadre(0x00000013).insn);  // addi x0, x0, 0
  const uint32_t fence = encode({Op::Fence, 0, 1, 0});
  EXPECT_TRUE(decode_xcadre(fence).insn);
  const XcadreDecode d = decode_xcadre(fence | 5u << 7);  // rd must be x0
  EXPECT_FALSE(d.insn);
  EXPECT_NE(d.error.find("cx.fence"), std::string::npos);
}

TEST(Xcadre, EncodeAndDecodeAgree) {
  const uint64_t reg = operands::Transfer{.local = 0x20001000, .rows = 64, .row_bytes = 7168}.encode();
  EXPECT_EQ(operands::Transfer::decode(reg).local, 0x20001000u);
  EXPECT_EQ(operands::Transfer::decode(reg).rows, 64u);
  EXPECT_EQ(operands::Transfer::decode(reg).row_bytes, 7168u);
  EXPECT_EQ(operands::HbmAddr{.hbm = ~uint64_t{0}}.encode(), ~uint64_t{0});
  EXPECT_THROW(operands::Transfer{.rows = 1u << 16}.encode(), std::logic_error);
}

// The unit column agrees with the mnemonic's family and the queue.
TEST(Xcadre, EveryInstructionNamesItsUnit) {
  for (const InsnInfo& i : xcadre_table()) {
    const std::string_view m = i.mnemonic;
    Unit expected = Unit::Sync;
    if (m.starts_with("cdma.")) expected = i.queue == Queue::Load ? Unit::DmaIn : Unit::DmaOut;
    if (m.starts_with("cmx.")) expected = Unit::Matrix;
    if (m.starts_with("cvec.")) expected = Unit::Vector;
    EXPECT_EQ(i.unit, expected) << m;
  }
  EXPECT_EQ(name(Unit::DmaIn), "dma-in");
  EXPECT_EQ(name(info(Op::Fence).unit), "sync");
}

TEST(Xcadre, DisassemblyNamesOnlyUsedRegisters) {
  EXPECT_EQ(disassemble({Op::DmaLoad, 0, 10, 11}), "cdma.ld a0, a1");
  EXPECT_EQ(disassemble({Op::Status, 5, 12, 0}), "cx.status t0, a2");
  EXPECT_EQ(disassemble({Op::WaitCompute, 0, 1, 0}), "csync.wait.ex ra");
}

}  // namespace
}  // namespace cadre::isa
