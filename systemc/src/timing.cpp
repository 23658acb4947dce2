#include "cadre/sim/timing.h"

namespace cadre::sim {

std::string_view name(InsnClass c) {
  static constexpr std::array<std::string_view, kInsnClassCount> kNames = {
      "alu", "load", "store", "branch", "jump", "mul", "div", "csr", "system", "xcadre"};
  return kNames[static_cast<size_t>(c)];
}

std::string_view name(StallCause c) {
  static constexpr std::array<std::string_view, kStallCauseCount> kNames = {"load_use", "mul",    "div",
                                                                            "branch",   "hbm",    "xcadre"};
  return kNames[static_cast<size_t>(c)];
}

InsnClass insn_class(isa::Rv64Op op) {
  using enum isa::Rv64Op;
  switch (op) {
    case Lb: case Lh: case Lw: case Ld: case Lbu: case Lhu: case Lwu: return InsnClass::Load;
    case Sb: case Sh: case Sw: case Sd: return InsnClass::Store;
    case Beq: case Bne: case Blt: case Bge: case Bltu: case Bgeu: return InsnClass::Branch;
    case Jal: case Jalr: return InsnClass::Jump;
    case Mul: case Mulh: case Mulhsu: case Mulhu: case Mulw: return InsnClass::Mul;
    case Div: case Divu: case Rem: case Remu: case Divw: case Divuw: case Remw: case Remuw: return InsnClass::Div;
    case Csrrw: case Csrrs: case Csrrc: case Csrrwi: case Csrrsi: case Csrrci: return InsnClass::Csr;
    case Fence: case FenceTso: case Ecall: case Ebreak: return InsnClass::System;
    case Illegal: return InsnClass::Xcadre;  // the only non-RV64 words that execute are Xcadre ones
    default: return InsnClass::Alu;
  }
}

CoreTiming CoreTiming::from(const arch::CoreConfig& core) {
  CoreTiming t;
  t.load_result = 1 + core.load_use_penalty_cycles;
  t.mul_result = core.mul_latency_cycles;
  t.div_result = core.div_latency_cycles;
  t.taken_branch_penalty = core.taken_branch_penalty_cycles;
  return t;
}

}  // namespace cadre::sim
