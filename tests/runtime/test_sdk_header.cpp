// runtime/sdk/cadre_xcadre.h against the ISA table: sdk_every_insn.c calls
// every instruction's function once, in table order; the words the cross
// compiler emitted must decode, in that order, to exactly the table's
// instructions with its operand registers (a None operand encodes x0, which
// decode_xcadre checks).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cadre/elf/elf_program.h"
#include "cadre/isa/xcadre.h"

namespace cadre::test {
namespace {

TEST(SdkHeader, EveryFunctionEmitsItsInstruction) {
  if (std::string(CADRE_SDK_EVERY_INSN_ELF).empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: not built";
  const elf::Program program = elf::load_elf_file(CADRE_SDK_EVERY_INSN_ELF);
  std::vector<isa::XcadreInsn> found;
  for (const elf::CodeSection& section : program.code_sections)
    for (size_t at = 0; at + 4 <= section.bytes.size(); at += 4) {
      uint32_t word = 0;
      std::memcpy(&word, &section.bytes[at], 4);
      if (!isa::is_custom_major(word)) continue;
      const isa::XcadreDecode d = isa::decode_xcadre(word);
      ASSERT_TRUE(d.insn) << "word " << std::hex << word << " at +" << at << ": " << d.error;
      found.push_back(*d.insn);
    }
  const auto table = isa::xcadre_table();
  ASSERT_EQ(found.size(), table.size()) << "sdk_every_insn.c must call each instruction of the table once";
  for (size_t k = 0; k < table.size(); ++k) {
    EXPECT_EQ(found[k].op, table[k].op) << k << ": expected " << table[k].mnemonic;
    EXPECT_EQ(found[k].rd != 0, table[k].rd != isa::Layout::None) << table[k].mnemonic;
    EXPECT_NE(found[k].rs1, 0) << table[k].mnemonic;
    EXPECT_EQ(found[k].rs2 != 0, table[k].rs2 != isa::Layout::None) << table[k].mnemonic;
  }
}

}  // namespace
}  // namespace cadre::test
