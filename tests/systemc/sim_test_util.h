// Helpers for the simulator tests: hand-assembled programs and configs.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/elf/elf_program.h"
#include "cadre/isa/rv64.h"
#include "cadre/sim/simulate.h"

namespace cadre::test {

using isa::Rv64Insn;
using isa::Rv64Op;

// Register numbers by ABI name.
enum Reg : uint8_t { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, a0 = 10, a1 = 11, a2 = 12, a7 = 17 };

inline Rv64Insn r(Rv64Op op, uint8_t rd, uint8_t rs1, uint8_t rs2) { return {op, {}, rd, rs1, rs2, 0, 0}; }
inline Rv64Insn i(Rv64Op op, uint8_t rd, uint8_t rs1, int64_t imm) { return {op, {}, rd, rs1, 0, 0, imm}; }
inline Rv64Insn s(Rv64Op op, uint8_t rs2, uint8_t rs1, int64_t imm) { return {op, {}, 0, rs1, rs2, 0, imm}; }
inline Rv64Insn b(Rv64Op op, uint8_t rs1, uint8_t rs2, int64_t imm) { return {op, {}, 0, rs1, rs2, 0, imm}; }
inline Rv64Insn csrr(uint8_t rd, uint16_t csr) { return {Rv64Op::Csrrs, {}, rd, 0, 0, csr, 0}; }
inline Rv64Insn ecall() { return {Rv64Op::Ecall, {}, 0, 0, 0, 0, 0}; }

// Instruction words, from decoded instructions or raw.
struct Code {
  std::vector<uint32_t> words;
  Code& operator<<(const Rv64Insn& insn) {
    words.push_back(isa::encode_rv64(insn));
    return *this;
  }
  Code& raw(uint32_t word) {
    words.push_back(word);
    return *this;
  }
  // exit(a0): li a7, 93; ecall.
  Code& exit() { return *this << i(Rv64Op::Addi, a7, zero, 93) << ecall(); }
  // rd = an unsigned 32-bit constant: lui + addiw, then clearing the upper
  // half when bit 31 is set (4 instructions then, else 2).
  Code& li(uint8_t rd, uint32_t value) {
    const int64_t low12 = static_cast<int32_t>(value << 20) >> 20;
    *this << Rv64Insn{Rv64Op::Lui, {}, rd, 0, 0, 0, static_cast<int64_t>((value + 0x800u) & 0xFFFFF000u)};
    *this << i(Rv64Op::Addiw, rd, rd, low12);
    if (value >= 0x8000'0000u) *this << i(Rv64Op::Slli, rd, rd, 32) << i(Rv64Op::Srli, rd, rd, 32);
    return *this;
  }
};

inline constexpr uint64_t kDataBase = arch::kRamBase + 0x10000;

// A program of the given words at the start of RAM; `data` goes to kDataBase.
inline elf::Program program(const Code& code, const std::vector<uint8_t>& data = {}) {
  elf::Program p;
  p.entry = arch::kRamBase;
  elf::Segment text{arch::kRamBase, code.words.size() * 4, {}, elf::kSegmentRead | elf::kSegmentExec};
  for (const uint32_t word : code.words)
    for (int k = 0; k < 4; ++k) text.bytes.push_back(static_cast<uint8_t>(word >> (8 * k)));
  p.segments.push_back(std::move(text));
  if (!data.empty())
    p.segments.push_back({kDataBase, data.size(), data, elf::kSegmentRead | elf::kSegmentWrite});
  return p;
}

inline arch::ArchConfig config(uint32_t tiles = 1) {
  arch::ArchConfig cfg = arch::load_arch("small");
  cfg.tiles = tiles;
  return cfg;
}

inline sim::SimResult run(const elf::Program& p, uint32_t tiles = 1, sim::SimOptions options = {}) {
  options.echo_output = false;
  return sim::simulate(config(tiles), p, options);
}

}  // namespace cadre::test
