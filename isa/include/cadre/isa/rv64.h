// RV64IM + Zicsr instructions as plain data (from rv64.def): the decoder the
// simulator runs on every instruction, and the matching encoder.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace cadre::isa {

// Which fields an instruction has, and how objdump prints them.
enum class Rv64Format : uint8_t {
  Register,      // rd, rs1, rs2
  Immediate,     // rd, rs1, imm (I-type, signed 12 bits)
  Shift,         // rd, rs1, shamt in imm (6 bits; 5 for the W forms)
  Memory,        // rd, imm(rs1): loads and jalr
  Store,         // rs2, imm(rs1)
  Branch,        // rs1, rs2, pc-relative imm
  Upper,         // rd, imm = the 20-bit field << 12, sign-extended
  Jump,          // rd, pc-relative imm
  Csr,           // rd, csr, rs1
  CsrImmediate,  // rd, csr, imm = 5-bit unsigned value from the rs1 field
  Fence,         // imm = pred << 4 | succ (bits 27:20)
  NoOperands,
};

enum class Rv64Op : uint8_t {
#define RV64_INSN(E, ...) E,
#include "cadre/isa/rv64.def"
  Illegal,
};

// Why a word is not an RV64IM/Zicsr instruction.
enum class IllegalReason : uint8_t {
  None,               // the word decoded
  Compressed,         // bits 1:0 != 11: a 16-bit (C extension) encoding
  Long,               // bits 4:2 == 111: a 48-bit or longer encoding
  Custom,             // a custom-0..3 major opcode: Xcadre (decode_xcadre)
  UnsupportedOpcode,  // a major opcode of an extension the core does not have (A, F, D, V...)
  NoMatch,            // a known major opcode whose funct fields match no instruction
};

struct Rv64Info {
  Rv64Op op;
  std::string_view mnemonic;
  uint32_t match, mask;
  Rv64Format format;
};

// A decoded instruction. Fields the format does not have are zero.
struct Rv64Insn {
  Rv64Op op = Rv64Op::Illegal;
  IllegalReason illegal = IllegalReason::None;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;
  uint16_t csr = 0;
  int64_t imm = 0;
  bool operator==(const Rv64Insn&) const = default;
};

std::span<const Rv64Info> rv64_table();
const Rv64Info& info(Rv64Op op);  // op must not be Illegal
std::string_view describe(IllegalReason reason);

// Data only: no allocation, no strings. An illegal word gives op == Illegal
// with the reason set.
Rv64Insn decode_rv64(uint32_t word) noexcept;

// The word of a legal decoded instruction: encode_rv64(decode_rv64(w)) == w
// for every w that decodes. Values are truncated to their fields.
uint32_t encode_rv64(const Rv64Insn& insn) noexcept;

}  // namespace cadre::isa
