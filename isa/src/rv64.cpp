#include "cadre/isa/rv64.h"

#include <array>
#include <cstddef>

namespace cadre::isa {
namespace {

constexpr Rv64Info kRv64Insns[] = {
#define RV64_INSN(E, mn, match, mask, format) {Rv64Op::E, mn, match, mask, Rv64Format::format},
#include "cadre/isa/rv64.def"
};
constexpr size_t kCount = std::size(kRv64Insns);

constexpr uint32_t major_of(uint32_t word) { return word & 0x7F; }

// Table invariants, checked when the table is compiled.
constexpr bool table_is_consistent() {
  for (size_t i = 0; i < kCount; ++i) {
    const Rv64Info& a = kRv64Insns[i];
    if (static_cast<size_t>(a.op) != i) return false;
    if ((a.match & ~a.mask) != 0 || (a.mask & 0x7F) != 0x7F || (a.match & 3) != 3) return false;
    // Two rows that can match the same word: the earlier one must be the
    // special case (its mask a strict superset), or the later row is dead.
    for (size_t j = i + 1; j < kCount; ++j) {
      const Rv64Info& b = kRv64Insns[j];
      const bool overlap = ((a.match ^ b.match) & a.mask & b.mask) == 0;
      if (overlap && !((a.mask & b.mask) == b.mask && a.mask != b.mask)) return false;
    }
  }
  return true;
}
static_assert(table_is_consistent(), "rv64.def: bad match/mask, or a row hidden by an earlier one");

// The rows of each major opcode (bits 6:2), in table order, so decode only
// tries the handful that can match.
struct MajorRows {
  std::array<uint8_t, kCount> rows{};
  std::array<uint8_t, 33> begin{};  // rows of major m: [begin[m], begin[m + 1])
};

constexpr MajorRows make_major_rows() {
  MajorRows r;
  size_t n = 0;
  for (uint32_t m = 0; m < 32; ++m) {
    r.begin[m] = static_cast<uint8_t>(n);
    for (size_t i = 0; i < kCount; ++i)
      if (major_of(kRv64Insns[i].match) >> 2 == m) r.rows[n++] = static_cast<uint8_t>(i);
  }
  r.begin[32] = static_cast<uint8_t>(n);
  return r;
}
constexpr MajorRows kMajorRows = make_major_rows();

constexpr uint8_t field5(uint32_t word, int lsb) { return static_cast<uint8_t>((word >> lsb) & 31); }
constexpr int64_t signed_word(uint32_t word) { return static_cast<int32_t>(word); }

constexpr int64_t imm_i(uint32_t w) { return signed_word(w) >> 20; }
constexpr int64_t imm_s(uint32_t w) { return (signed_word(w) >> 25) * 32 | ((w >> 7) & 0x1F); }
constexpr int64_t imm_b(uint32_t w) {
  return (signed_word(w) >> 31) * 4096 | ((w << 4) & 0x800) | ((w >> 20) & 0x7E0) | ((w >> 7) & 0x1E);
}
constexpr int64_t imm_u(uint32_t w) { return signed_word(w & 0xFFFFF000); }
constexpr int64_t imm_j(uint32_t w) {
  return (signed_word(w) >> 31) * (int64_t{1} << 20) | (w & 0xFF000) | ((w >> 9) & 0x800) | ((w >> 20) & 0x7FE);
}

constexpr Rv64Insn illegal(IllegalReason reason) { return Rv64Insn{Rv64Op::Illegal, reason}; }

constexpr bool is_custom(uint32_t major) { return major == 0x0B || major == 0x2B || major == 0x5B || major == 0x7B; }

}  // namespace

std::span<const Rv64Info> rv64_table() { return kRv64Insns; }
const Rv64Info& info(Rv64Op op) { return kRv64Insns[static_cast<size_t>(op)]; }

std::string_view describe(IllegalReason reason) {
  switch (reason) {
    case IllegalReason::None: return "legal";
    case IllegalReason::Compressed: return "16-bit compressed encoding (Cadre's core has no C extension)";
    case IllegalReason::Long: return "48-bit or longer encoding";
    case IllegalReason::Custom: return "custom major opcode that is not an Xcadre instruction";
    case IllegalReason::UnsupportedOpcode: return "major opcode of an extension Cadre's core does not have";
    case IllegalReason::NoMatch: return "no RV64IM/Zicsr instruction has these funct bits";
  }
  return "?";
}

Rv64Insn decode_rv64(uint32_t word) noexcept {
  if ((word & 3) != 3) return illegal(IllegalReason::Compressed);
  if ((word & 0x1C) == 0x1C) return illegal(IllegalReason::Long);
  const uint32_t major = major_of(word);
  if (is_custom(major)) return illegal(IllegalReason::Custom);
  const size_t begin = kMajorRows.begin[major >> 2], end = kMajorRows.begin[(major >> 2) + 1];
  if (begin == end) return illegal(IllegalReason::UnsupportedOpcode);
  for (size_t k = begin; k < end; ++k) {
    const Rv64Info& row = kRv64Insns[kMajorRows.rows[k]];
    if ((word & row.mask) != row.match) continue;
    Rv64Insn d{row.op};
    const uint8_t rd = field5(word, 7), rs1 = field5(word, 15), rs2 = field5(word, 20);
    switch (row.format) {
      case Rv64Format::Register: d.rd = rd, d.rs1 = rs1, d.rs2 = rs2; break;
      case Rv64Format::Immediate:
      case Rv64Format::Memory: d.rd = rd, d.rs1 = rs1, d.imm = imm_i(word); break;
      case Rv64Format::Shift: d.rd = rd, d.rs1 = rs1, d.imm = (word >> 20) & 0x3F; break;
      case Rv64Format::Store: d.rs1 = rs1, d.rs2 = rs2, d.imm = imm_s(word); break;
      case Rv64Format::Branch: d.rs1 = rs1, d.rs2 = rs2, d.imm = imm_b(word); break;
      case Rv64Format::Upper: d.rd = rd, d.imm = imm_u(word); break;
      case Rv64Format::Jump: d.rd = rd, d.imm = imm_j(word); break;
      case Rv64Format::Csr: d.rd = rd, d.rs1 = rs1, d.csr = static_cast<uint16_t>(word >> 20); break;
      case Rv64Format::CsrImmediate: d.rd = rd, d.imm = rs1, d.csr = static_cast<uint16_t>(word >> 20); break;
      case Rv64Format::Fence: d.imm = (word >> 20) & 0xFF; break;
      case Rv64Format::NoOperands: break;
    }
    return d;
  }
  return illegal(IllegalReason::NoMatch);
}

uint32_t encode_rv64(const Rv64Insn& insn) noexcept {
  const Rv64Info& row = info(insn.op);
  const auto imm = static_cast<uint32_t>(static_cast<uint64_t>(insn.imm));
  const uint32_t rd = uint32_t{insn.rd & 31u} << 7, rs1 = uint32_t{insn.rs1 & 31u} << 15,
                 rs2 = uint32_t{insn.rs2 & 31u} << 20, csr = uint32_t{insn.csr & 0xFFFu} << 20;
  uint32_t fields = 0;
  switch (row.format) {
    case Rv64Format::Register: fields = rd | rs1 | rs2; break;
    case Rv64Format::Immediate:
    case Rv64Format::Memory: fields = rd | rs1 | (imm & 0xFFF) << 20; break;
    case Rv64Format::Shift: fields = rd | rs1 | (imm & 0x3F) << 20; break;
    case Rv64Format::Store: fields = rs1 | rs2 | (imm & 0xFE0) << 20 | (imm & 0x1F) << 7; break;
    case Rv64Format::Branch:
      fields = rs1 | rs2 | (imm & 0x1000) << 19 | (imm & 0x7E0) << 20 | (imm & 0x1E) << 7 | (imm & 0x800) >> 4;
      break;
    case Rv64Format::Upper: fields = rd | (imm & 0xFFFFF000); break;
    case Rv64Format::Jump:
      fields = rd | (imm & 0x100000) << 11 | (imm & 0x7FE) << 20 | (imm & 0x800) << 9 | (imm & 0xFF000);
      break;
    case Rv64Format::Csr: fields = rd | rs1 | csr; break;
    case Rv64Format::CsrImmediate: fields = rd | (imm & 31) << 15 | csr; break;
    case Rv64Format::Fence: fields = (imm & 0xFF) << 20; break;
    case Rv64Format::NoOperands: break;
  }
  // The mask keeps a field from spilling into funct bits (a W shift's shamt[5]).
  return row.match | (fields & ~row.mask);
}

}  // namespace cadre::isa
