// Why a run stopped early: each kind has its own `cadre sim` exit code
// (tools/cadre/exit_codes.h, docs/cli.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cadre::sim {

enum class SimErrorKind : uint8_t {
  IllegalInstruction,  // not RV64IM/Zicsr, an unknown CSR or a write to a read-only one, ebreak, or an
                       // Xcadre instruction with no command interface attached
  MisalignedAccess,    // a load or store not aligned to its size
  AccessFault,         // a load or store outside every region the core reaches
  FetchFault,          // a jump outside memory the core can run code from, or to a misaligned address
  BadEcall,            // an ecall with an unknown a7, or bad arguments
  MaxCycles,           // the run went past its cycle limit
};

std::string_view name(SimErrorKind kind);

struct SimError {
  SimErrorKind kind = SimErrorKind::IllegalInstruction;
  uint32_t tile = 0;
  uint64_t pc = 0;
  uint64_t cycle = 0;
  // "tile T, pc 0x..., cycle C: what went wrong: the instruction's disassembly"
  std::string message;
};

}  // namespace cadre::sim
