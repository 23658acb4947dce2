// What each instruction does, and what it costs (the timing model of
// docs/simulator.md): one issue cycle each, operand waits through the
// scoreboard, the taken-branch bubble, and HBM or Xcadre waits.
#include <fmt/format.h>

#include <cstring>

#include "cadre/isa/xcadre.h"
#include "cadre/sim/core.h"
#include "cadre/sim/rv_arith.h"

namespace cadre::sim {
namespace {

using isa::Rv64Op;

constexpr size_t kOpCount = static_cast<size_t>(Rv64Op::Illegal) + 1;

const std::array<InsnClass, kOpCount> kClassOf = [] {
  std::array<InsnClass, kOpCount> table{};
  for (size_t i = 0; i < kOpCount; ++i) table[i] = insn_class(static_cast<Rv64Op>(i));
  return table;
}();

constexpr uint64_t sext(int64_t v) { return static_cast<uint64_t>(v); }

// CSR numbers the core implements.
enum Csr : uint16_t {
  kMisa = 0x301, kMscratch = 0x340, kMcycle = 0xB00, kMinstret = 0xB02, kCycle = 0xC00, kTime = 0xC01,
  kInstret = 0xC02, kMvendorid = 0xF11, kMarchid = 0xF12, kMimpid = 0xF13, kMhartid = 0xF14,
};
// misa: MXL = 2 (64-bit), extensions I and M.
constexpr uint64_t kMisaValue = uint64_t{2} << 62 | 1u << ('I' - 'A') | 1u << ('M' - 'A');

}  // namespace

template <typename T>
bool Core::load(uint64_t addr, T& value, uint32_t word) {
  if (addr % sizeof(T) != 0)
    return fault(SimErrorKind::MisalignedAccess, fmt::format("misaligned {}-byte load from {:#x}", sizeof(T), addr),
                 word);
  uint8_t* host = dmi_host(addr);
  if (!host) host = dmi_fill(addr);
  if (!host) return access(tlm::TLM_READ_COMMAND, addr, reinterpret_cast<uint8_t*>(&value), sizeof(T), word);
  std::memcpy(&value, host, sizeof(T));  // simulated memory is little endian, like the host
  return true;
}

template <typename T>
bool Core::store(uint64_t addr, T value, uint32_t word) {
  if (addr % sizeof(T) != 0)
    return fault(SimErrorKind::MisalignedAccess, fmt::format("misaligned {}-byte store to {:#x}", sizeof(T), addr),
                 word);
  // Below this tile's stack lie the next tiles' stacks: a store there is this
  // tile's stack overflowing, caught before it corrupts another tile's.
  if (addr < stack_.base && addr >= lowest_stack_base_) {
    const uint64_t other = params_.tile + 1 + (stack_.base - 1 - addr) / stack_.size;
    return fault(SimErrorKind::AccessFault,
                 fmt::format("stack overflow: {}-byte store to {:#x} is below tile {}'s stack [{:#x}, {:#x}), in tile "
                             "{}'s (sp = {:#x})",
                             sizeof(T), addr, params_.tile, stack_.base, stack_.end(), other, x_[2]),
                 word);
  }
  uint8_t* host = dmi_host(addr);
  if (!host) host = dmi_fill(addr);
  if (!host) return access(tlm::TLM_WRITE_COMMAND, addr, reinterpret_cast<uint8_t*>(&value), sizeof(T), word);
  std::memcpy(host, &value, sizeof(T));
  return true;
}

bool Core::jump_to(uint64_t target, uint32_t word) {
  if (target % 4 != 0)
    return fault(SimErrorKind::FetchFault, fmt::format("jump to misaligned address {:#x}", target), word);
  if (!ram_.contains(target, 4) && !scratchpad_.contains(target, 4))
    return fault(SimErrorKind::FetchFault,
                 fmt::format("jump to {:#x}, outside the memory code runs from (RAM, scratchpad)", target), word);
  return true;
}

bool Core::step(const isa::Rv64Insn& d, uint32_t word) {
  // Operands wait for results still in flight (read-after-write only). Fields
  // an instruction does not have decode as x0, which is always ready.
  const uint64_t r1 = ready_[d.rs1], r2 = ready_[d.rs2];
  if (r1 > cycle_ || r2 > cycle_) {
    const unsigned later = r1 >= r2 ? d.rs1 : d.rs2;
    stall(ready_cause_[later], ready_[later] - cycle_);
  }
  const InsnClass cls = kClassOf[static_cast<size_t>(d.op)];
  if (cls == InsnClass::Div && divider_free_ > cycle_) stall(StallCause::Div, divider_free_ - cycle_);

  const uint64_t a = x_[d.rs1], b = x_[d.rs2];
  const uint64_t imm = sext(d.imm);
  const uint64_t addr = a + imm;
  uint64_t next_pc = pc_ + 4;
  bool taken = false;
  uint64_t& rd = x_[d.rd];
  switch (d.op) {
    case Rv64Op::Lui: rd = imm; break;
    case Rv64Op::Auipc: rd = pc_ + imm; break;
    case Rv64Op::Jal:
      if (!jump_to(pc_ + imm, word)) return false;
      rd = next_pc, next_pc = pc_ + imm, taken = true;
      break;
    case Rv64Op::Jalr:
      if (!jump_to(addr & ~uint64_t{1}, word)) return false;
      rd = next_pc, next_pc = addr & ~uint64_t{1}, taken = true;
      break;
#define CADRE_BRANCH(OP, COND)                          \
  case Rv64Op::OP:                                      \
    if (COND) {                                         \
      if (!jump_to(pc_ + imm, word)) return false;      \
      next_pc = pc_ + imm, taken = true;                \
    }                                                   \
    break;
    CADRE_BRANCH(Beq, a == b)
    CADRE_BRANCH(Bne, a != b)
    CADRE_BRANCH(Blt, static_cast<int64_t>(a) < static_cast<int64_t>(b))
    CADRE_BRANCH(Bge, static_cast<int64_t>(a) >= static_cast<int64_t>(b))
    CADRE_BRANCH(Bltu, a < b)
    CADRE_BRANCH(Bgeu, a >= b)
#undef CADRE_BRANCH
#define CADRE_LOAD(OP, T)                        \
  case Rv64Op::OP: {                             \
    T v;                                         \
    if (!load(addr, v, word)) return false;      \
    rd = static_cast<uint64_t>(static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(v)); \
    break;                                       \
  }
    CADRE_LOAD(Lb, int8_t)
    CADRE_LOAD(Lh, int16_t)
    CADRE_LOAD(Lw, int32_t)
    CADRE_LOAD(Ld, uint64_t)
    CADRE_LOAD(Lbu, uint8_t)
    CADRE_LOAD(Lhu, uint16_t)
    CADRE_LOAD(Lwu, uint32_t)
#undef CADRE_LOAD
    case Rv64Op::Sb: if (!store(addr, static_cast<uint8_t>(b), word)) return false; break;
    case Rv64Op::Sh: if (!store(addr, static_cast<uint16_t>(b), word)) return false; break;
    case Rv64Op::Sw: if (!store(addr, static_cast<uint32_t>(b), word)) return false; break;
    case Rv64Op::Sd: if (!store(addr, b, word)) return false; break;
    case Rv64Op::Addi: rd = a + imm; break;
    case Rv64Op::Slti: rd = static_cast<int64_t>(a) < d.imm; break;
    case Rv64Op::Sltiu: rd = a < imm; break;
    case Rv64Op::Xori: rd = a ^ imm; break;
    case Rv64Op::Ori: rd = a | imm; break;
    case Rv64Op::Andi: rd = a & imm; break;
    case Rv64Op::Slli: rd = a << d.imm; break;
    case Rv64Op::Srli: rd = a >> d.imm; break;
    case Rv64Op::Srai: rd = sext(static_cast<int64_t>(a) >> d.imm); break;
    case Rv64Op::Add: rd = a + b; break;
    case Rv64Op::Sub: rd = a - b; break;
    case Rv64Op::Sll: rd = a << (b & 63); break;
    case Rv64Op::Slt: rd = static_cast<int64_t>(a) < static_cast<int64_t>(b); break;
    case Rv64Op::Sltu: rd = a < b; break;
    case Rv64Op::Xor: rd = a ^ b; break;
    case Rv64Op::Srl: rd = a >> (b & 63); break;
    case Rv64Op::Sra: rd = sext(static_cast<int64_t>(a) >> (b & 63)); break;
    case Rv64Op::Or: rd = a | b; break;
    case Rv64Op::And: rd = a & b; break;
    case Rv64Op::Addiw: rd = rv::sext32(a + imm); break;
    case Rv64Op::Slliw: rd = rv::sext32(static_cast<uint32_t>(a) << d.imm); break;
    case Rv64Op::Srliw: rd = rv::sext32(static_cast<uint32_t>(a) >> d.imm); break;
    case Rv64Op::Sraiw: rd = sext(static_cast<int32_t>(a) >> d.imm); break;
    case Rv64Op::Addw: rd = rv::sext32(a + b); break;
    case Rv64Op::Subw: rd = rv::sext32(a - b); break;
    case Rv64Op::Sllw: rd = rv::sext32(static_cast<uint32_t>(a) << (b & 31)); break;
    case Rv64Op::Srlw: rd = rv::sext32(static_cast<uint32_t>(a) >> (b & 31)); break;
    case Rv64Op::Sraw: rd = sext(static_cast<int32_t>(a) >> (b & 31)); break;
    case Rv64Op::FenceTso:
    case Rv64Op::Fence: break;  // one in-order core per tile: memory is already ordered
    case Rv64Op::Ecall: if (!ecall(word)) return false; break;
    case Rv64Op::Ebreak:
      return fault(SimErrorKind::IllegalInstruction, "ebreak: no debugger is attached", word);
    case Rv64Op::Mul: rd = a * b; break;
    case Rv64Op::Mulh: rd = rv::mulh(a, b); break;
    case Rv64Op::Mulhsu: rd = rv::mulhsu(a, b); break;
    case Rv64Op::Mulhu: rd = rv::mulhu(a, b); break;
    case Rv64Op::Div: rd = rv::div(a, b); break;
    case Rv64Op::Divu: rd = rv::divu(a, b); break;
    case Rv64Op::Rem: rd = rv::rem(a, b); break;
    case Rv64Op::Remu: rd = rv::remu(a, b); break;
    case Rv64Op::Mulw: rd = rv::mulw(a, b); break;
    case Rv64Op::Divw: rd = rv::divw(a, b); break;
    case Rv64Op::Divuw: rd = rv::divuw(a, b); break;
    case Rv64Op::Remw: rd = rv::remw(a, b); break;
    case Rv64Op::Remuw: rd = rv::remuw(a, b); break;
    case Rv64Op::Csrrw:
    case Rv64Op::Csrrs:
    case Rv64Op::Csrrc:
    case Rv64Op::Csrrwi:
    case Rv64Op::Csrrsi:
    case Rv64Op::Csrrci:
      if (!csr(d, word)) return false;
      break;
    case Rv64Op::Illegal:
      if (d.illegal != isa::IllegalReason::Custom)
        return fault(SimErrorKind::IllegalInstruction, "illegal instruction", word);
      if (!custom(word)) return false;
      break;
  }
  x_[0] = 0;

  // Retire: the issue cycle, then when rd's result is ready.
  ++stats_.instructions;
  ++stats_.by_class[static_cast<size_t>(cls)];
  const uint64_t issued = cycle_;
  switch (cls) {
    case InsnClass::Load: ready_[d.rd] = issued + timing_.load_result, ready_cause_[d.rd] = StallCause::LoadUse; break;
    case InsnClass::Mul: ready_[d.rd] = issued + timing_.mul_result, ready_cause_[d.rd] = StallCause::Mul; break;
    case InsnClass::Div:
      ready_[d.rd] = divider_free_ = issued + timing_.div_result;
      ready_cause_[d.rd] = StallCause::Div;
      break;
    default: ready_[d.rd] = 0; break;
  }
  ready_[0] = 0;
  cycle_ = issued + timing_.issue;
  if (taken) stall(StallCause::Branch, timing_.taken_branch_penalty);
  pc_ = next_pc;
  return true;
}

bool Core::csr(const isa::Rv64Insn& d, uint32_t word) {
  const bool immediate = d.op == Rv64Op::Csrrwi || d.op == Rv64Op::Csrrsi || d.op == Rv64Op::Csrrci;
  const uint64_t source = immediate ? sext(d.imm) : x_[d.rs1];
  // csrrs/csrrc with x0 (or a zero immediate) only read, so they may name
  // read-only CSRs; csrrw always writes.
  const bool swap = d.op == Rv64Op::Csrrw || d.op == Rv64Op::Csrrwi;
  const bool writes = swap || (immediate ? d.imm != 0 : d.rs1 != 0);
  const uint64_t retired = stats_.instructions;
  uint64_t old = 0;
  switch (d.csr) {
    case kCycle: case kMcycle: old = cycle_ + mcycle_offset_; break;
    case kTime: old = cycle_; break;  // the timer ticks with the core clock
    case kInstret: case kMinstret: old = retired + minstret_offset_; break;
    case kMhartid: old = params_.tile; break;
    case kMisa: old = kMisaValue; break;
    case kMvendorid: case kMarchid: case kMimpid: old = 0; break;
    case kMscratch: old = mscratch_; break;
    case isa::kTagCsr: old = tag_; break;
    default:
      return fault(SimErrorKind::IllegalInstruction, fmt::format("CSR {:#05x} does not exist on this core", d.csr), word);
  }
  if (writes) {
    if ((d.csr >> 10) == 3)
      return fault(SimErrorKind::IllegalInstruction, fmt::format("write to read-only CSR {:#05x}", d.csr), word);
    const uint64_t value = swap ? source : d.op == Rv64Op::Csrrs || d.op == Rv64Op::Csrrsi ? old | source : old & ~source;
    // A write takes effect from the next instruction: it reads the value
    // written, plus the cycles since the writing one issued.
    switch (d.csr) {
      case kMcycle: mcycle_offset_ = value - (cycle_ + 1); break;
      case kMinstret: minstret_offset_ = value - (retired + 1); break;
      case kMscratch: mscratch_ = value; break;
      case isa::kTagCsr:
        if (value >= isa::kTagCount)
          return fault(SimErrorKind::IllegalInstruction,
                       fmt::format("command tag {} is out of range (0 to {})", value, isa::kTagCount - 1), word);
        // The writing instruction is the old tag's last.
        stats_.instructions_by_tag[tag_] += retired + 1 - tag_since_;
        tag_since_ = retired + 1;
        tag_ = static_cast<uint32_t>(value);
        break;
      default: break;  // misa is WARL: the fixed value stays
    }
  }
  x_[d.rd] = old;
  return true;
}

bool Core::ecall(uint32_t word) {
  const uint64_t a7 = x_[17];
  if (a7 == 93) {  // exit(a0)
    exit_code_ = x_[10];
    exited_ = stopped_ = true;
    return true;
  }
  if (a7 != 64)
    return fault(SimErrorKind::BadEcall, fmt::format("ecall with unknown a7 = {} (93 exit, 64 write)", a7), word);
  // write(a0 = fd, a1 = buffer, a2 = length): returns the length in a0.
  const uint64_t fd = x_[10], buffer = x_[11], length = x_[12];
  if (fd != 1 && fd != 2)
    return fault(SimErrorKind::BadEcall, fmt::format("write to file descriptor {} (only 1 and 2 exist)", fd), word);
  // The whole buffer must lie in one memory, checked before a byte is copied;
  // it is then copied and forwarded a chunk at a time, so that a long write
  // takes no more host memory than a chunk.
  if (!scratchpad_.contains(buffer, length) && !ram_.contains(buffer, length) && !hbm_.contains(buffer, length))
    return fault(SimErrorKind::AccessFault,
                 fmt::format("write buffer [{:#x}, +{:#x}) is not inside one memory", buffer, length), word);
  constexpr uint64_t kChunkBytes = 64 << 10;
  std::string chunk;
  for (uint64_t done = 0; done < length;) {
    chunk.resize(std::min(length - done, kChunkBytes));
    for (uint64_t filled = 0; filled < chunk.size();) {
      const uint64_t a = buffer + done + filled;
      const auto n = static_cast<unsigned>(std::min<uint64_t>(chunk.size() - filled, 4096 - (a & 4095)));
      if (!read_debug(a, reinterpret_cast<uint8_t*>(chunk.data() + filled), n))
        return fault(SimErrorKind::AccessFault,
                     fmt::format("write buffer [{:#x}, +{:#x}): byte {:#x} cannot be read", buffer, length, a), word);
      filled += n;
    }
    host_.output(params_.tile, static_cast<int>(fd), chunk);
    done += chunk.size();
  }
  x_[10] = length;
  return true;
}

bool Core::custom(uint32_t word) {
  const isa::XcadreDecode decoded = isa::decode_xcadre(word);
  if (!decoded.insn) return fault(SimErrorKind::IllegalInstruction, decoded.error, word);
  const isa::XcadreInsn& insn = *decoded.insn;
  if (!xcadre_)
    return fault(SimErrorKind::IllegalInstruction,
                 fmt::format("{} needs the Xcadre command interface, which is not attached to this core",
                             isa::info(insn.op).mnemonic),
                 word);
  const uint64_t operands_ready = std::max(ready_[insn.rs1], ready_[insn.rs2]);
  if (operands_ready > cycle_) {
    const unsigned later = ready_[insn.rs1] >= ready_[insn.rs2] ? insn.rs1 : insn.rs2;
    stall(ready_cause_[later], operands_ready - cycle_);
  }
  // The handler sees SystemC time at the issue cycle and may wait().
  sync();
  const XcadreCommand command{insn, x_[insn.rs1], x_[insn.rs2], pc_, cycle_, params_.tile, tag_};
  const XcadreResponse response = xcadre_->execute(command);
  if (!response.error.empty()) return fault(SimErrorKind::IllegalInstruction, response.error, word);
  stall(StallCause::Xcadre, clock_.now_cycles() - cycle_ + response.stall_cycles);
  if (response.rd_value && isa::info(insn.op).rd != isa::Layout::None) {
    x_[insn.rd] = *response.rd_value;
    ready_[insn.rd] = 0;
  }
  return true;
}

}  // namespace cadre::sim
