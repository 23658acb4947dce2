#include "cadre/isa/disasm.h"

#include <fmt/format.h>

#include <array>

#include "cadre/isa/registers.h"
#include "cadre/isa/rv64.h"
#include "cadre/isa/xcadre.h"

namespace cadre::isa {
namespace {

// CSR number -> name, empty where objdump has none.
constexpr auto kCsrNames = [] {
  std::array<std::string_view, 4096> names{};
#define CADRE_CSR(number, name) names[number] = #name;
#include "cadre/isa/csr_names.def"
  return names;
}();

std::string csr_text(uint16_t csr) {
  if (const auto n = csr_name(csr)) return std::string(*n);
  return fmt::format("0x{:x}", csr);
}

// objdump's names of fence predecessor/successor sets, indexed by the 4 bits
// (it has no name for the empty set).
constexpr std::array<std::string_view, 16> kFenceSets = {"unknown",  "w",  "r",  "rw",  "o",  "ow",  "or",  "orw",
                                                         "i",  "iw", "ir", "irw", "io", "iow", "ior", "iorw"};

std::string illegal_text(uint32_t word, std::string_view reason) {
  return fmt::format(".4byte 0x{:x} {}{}", word, kIllegalMarker, reason);
}

std::string rv64_text(const Rv64Insn& d, uint64_t pc) {
  const Rv64Info& row = info(d.op);
  const auto reg = [](uint8_t r) { return register_name(r); };
  const uint64_t target = pc + static_cast<uint64_t>(d.imm);
  switch (row.format) {
    case Rv64Format::Register:
      return fmt::format("{} {},{},{}", row.mnemonic, reg(d.rd), reg(d.rs1), reg(d.rs2));
    case Rv64Format::Immediate:
      return fmt::format("{} {},{},{}", row.mnemonic, reg(d.rd), reg(d.rs1), d.imm);
    case Rv64Format::Shift:
      return fmt::format("{} {},{},0x{:x}", row.mnemonic, reg(d.rd), reg(d.rs1), d.imm);
    case Rv64Format::Memory:
      return fmt::format("{} {},{}({})", row.mnemonic, reg(d.rd), d.imm, reg(d.rs1));
    case Rv64Format::Store:
      return fmt::format("{} {},{}({})", row.mnemonic, reg(d.rs2), d.imm, reg(d.rs1));
    case Rv64Format::Branch:
      return fmt::format("{} {},{},{:x}", row.mnemonic, reg(d.rs1), reg(d.rs2), target);
    case Rv64Format::Upper:
      return fmt::format("{} {},0x{:x}", row.mnemonic, reg(d.rd), (static_cast<uint64_t>(d.imm) >> 12) & 0xFFFFF);
    case Rv64Format::Jump:
      return fmt::format("{} {},{:x}", row.mnemonic, reg(d.rd), target);
    case Rv64Format::Csr:
      return fmt::format("{} {},{},{}", row.mnemonic, reg(d.rd), csr_text(d.csr), reg(d.rs1));
    case Rv64Format::CsrImmediate:
      return fmt::format("{} {},{},{}", row.mnemonic, reg(d.rd), csr_text(d.csr), d.imm);
    case Rv64Format::Fence:
      return fmt::format("{} {},{}", row.mnemonic, kFenceSets[(d.imm >> 4) & 15], kFenceSets[d.imm & 15]);
    case Rv64Format::NoOperands:
      return std::string(row.mnemonic);
  }
  return illegal_text(encode_rv64(d), "unknown format");
}

}  // namespace

std::optional<std::string_view> csr_name(uint16_t csr) {
  if (csr >= kCsrNames.size() || kCsrNames[csr].empty()) return std::nullopt;
  return kCsrNames[csr];
}

std::string disassemble_word(uint32_t word, uint64_t pc) {
  const Rv64Insn d = decode_rv64(word);
  if (d.op != Rv64Op::Illegal) return rv64_text(d, pc);
  if (d.illegal == IllegalReason::Custom) {
    const XcadreDecode x = decode_xcadre(word);
    return x.insn ? disassemble(*x.insn) : illegal_text(word, x.error);
  }
  return illegal_text(word, describe(d.illegal));
}

}  // namespace cadre::isa
