// Text of one instruction word: RV64IM, Zicsr and Xcadre.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cadre::isa {

// The text of the 32-bit `word` at address `pc`. RV64IM and Zicsr print as
// `riscv64-unknown-elf-objdump -d -M no-aliases` does, with one space after the
// mnemonic instead of a tab: ABI register names, `ld a0,8(sp)`, branch and
// jump targets as absolute hex addresses, CSRs by objdump's name or in hex.
// Xcadre words print with their mnemonics (xcadre.h). Any other word prints
// as objdump's `.4byte 0x...` followed by `# illegal: ` and the reason.
std::string disassemble_word(uint32_t word, uint64_t pc);

// What marks an illegal word's text (after the `.4byte`).
inline constexpr std::string_view kIllegalMarker = "# illegal: ";

// The name objdump gives a CSR number, if it gives one.
std::optional<std::string_view> csr_name(uint16_t csr);

}  // namespace cadre::isa
