// The disassembler's text for RV64IM, Zicsr, Xcadre and illegal words, as
// objdump -d -M no-aliases prints them (one space after the mnemonic).
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "cadre/isa/disasm.h"
#include "cadre/isa/xcadre.h"

namespace cadre::isa {
namespace {

TEST(Disasm, MatchesObjdumpText) {
  const struct {
    uint32_t word;
    uint64_t pc;
    const char* text;
  } cases[] = {
      {0xffb50513, 0, "addi a0,a0,-5"},
      {0x02159513, 0, "slli a0,a1,0x21"},
      {0x0003529b, 0, "srliw t0,t1,0x0"},
      {0x123457b7, 0, "lui a5,0x12345"},
      {0xfffff537, 0, "lui a0,0xfffff"},
      {0x00000517, 0, "auipc a0,0x0"},
      {0x00813503, 0, "ld a0,8(sp)"},
      {0xfea13c23, 0, "sd a0,-8(sp)"},
      {0xfeb502e3, 0x1c, "beq a0,a1,0"},
      {0x80b51063, 0x4, "bne a0,a1,fffffffffffff004"},
      {0xfe1ff0ef, 0x80000020, "jal ra,80000000"},
      {0x00008067, 0, "jalr zero,0(ra)"},
      {0x0ff0000f, 0, "fence iorw,iorw"},
      {0x0210000f, 0, "fence r,w"},
      {0x0000000f, 0, "fence unknown,unknown"},
      {0x8330000f, 0, "fence.tso"},
      {0x00000073, 0, "ecall"},
      {0x00100073, 0, "ebreak"},
      {0x30059573, 0, "csrrw a0,mstatus,a1"},
      {0x7ff2d573, 0, "csrrwi a0,0x7ff,5"},
      {0xc0002573, 0, "csrrs a0,cycle,zero"},
      {0xf1402573, 0, "csrrs a0,mhartid,zero"},
      {0x02c5f53b, 0, "remuw a0,a1,a2"},
  };
  for (const auto& c : cases) EXPECT_EQ(disassemble_word(c.word, c.pc), c.text) << std::hex << c.word;
}

TEST(Disasm, XcadreWordsUseTheirMnemonics) {
  for (const InsnInfo& i : xcadre_table()) {
    const XcadreInsn insn{i.op, i.rd == Layout::None ? uint8_t{0} : uint8_t{10},
                          i.rs1 == Layout::None ? uint8_t{0} : uint8_t{11},
                          i.rs2 == Layout::None ? uint8_t{0} : uint8_t{12}};
    EXPECT_EQ(disassemble_word(encode(insn), 0), disassemble(insn));
  }
}

TEST(Disasm, IllegalWordsPrintAsDataWithAReason) {
  const std::pair<uint32_t, std::string> cases[] = {
      {0x00000000, ".4byte 0x0 # illegal: 16-bit compressed"},
      {0xffffffff, ".4byte 0xffffffff # illegal: 48-bit or longer"},
      {0x00b57553, ".4byte 0xb57553 # illegal: major opcode of an extension"},
      {0x0200101b, ".4byte 0x200101b # illegal: no RV64IM/Zicsr instruction"},
      {0x7fff007b, ".4byte 0x7fff007b # illegal: 0x7fff007b: no Xcadre instruction"},
  };
  for (const auto& [word, prefix] : cases) {
    const std::string text = disassemble_word(word, 0);
    EXPECT_EQ(text.substr(0, prefix.size()), prefix) << text;
  }
}

}  // namespace
}  // namespace cadre::isa
