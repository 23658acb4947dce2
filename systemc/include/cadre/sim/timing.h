// The control core's timing model (docs/simulator.md): instruction classes,
// stall causes, and the cycle costs taken from ArchConfig.core.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "cadre/arch/arch_config.h"
#include "cadre/isa/rv64.h"

namespace cadre::sim {

enum class InsnClass : uint8_t { Alu, Load, Store, Branch, Jump, Mul, Div, Csr, System, Xcadre };
inline constexpr size_t kInsnClassCount = 10;

// Every cycle beyond one per instruction has exactly one cause, so
// cycles = instructions + the sum of all stall cycles.
enum class StallCause : uint8_t {
  LoadUse,  // an operand is the result of a load not yet back
  Mul,      // an operand is the result of a multiply not yet done
  Div,      // an operand is a divide's result not yet done, or the divider is busy
  Branch,   // the bubble after a taken branch or a jump
  Hbm,      // a load or store to HBM waits for the interconnect and the channel
  Xcadre,   // the attached command interface held the core
};
inline constexpr size_t kStallCauseCount = 6;

std::string_view name(InsnClass c);
std::string_view name(StallCause c);
InsnClass insn_class(isa::Rv64Op op);

// The costs the core charges, in cycles (documented in docs/simulator.md).
struct CoreTiming {
  uint64_t issue = 1;             // every instruction, one at a time
  uint64_t load_result = 0;       // a load's rd is ready this many cycles after its issue
  uint64_t mul_result = 0;        // MUL*: rd ready after mul_latency_cycles; the multiplier is pipelined
  uint64_t div_result = 0;        // DIV*/REM*: rd ready, and the divider free, after div_latency_cycles
  uint64_t taken_branch_penalty = 0;
  static CoreTiming from(const arch::CoreConfig& core);
};

}  // namespace cadre::sim
