// Where the Xcadre command interface attaches to a control core. The core
// hands each decoded custom instruction, with its operand values, to the
// attached handler: on a chip, the tile's Accelerator (accelerator.h: the
// queues, DMA, matrix engine and vector unit). With none attached, a custom
// instruction is an illegal-instruction error saying the unit is not attached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cadre/isa/xcadre.h"

namespace cadre::sim {

struct XcadreCommand {
  isa::XcadreInsn insn;
  uint64_t rs1_value = 0;
  uint64_t rs2_value = 0;
  uint64_t pc = 0;
  uint64_t cycle = 0;  // the cycle the core issues it
  uint32_t tile = 0;
  uint32_t tag = 0;    // the command tag CSR when the core issued it
};

struct XcadreResponse {
  // Written to rd when the instruction's rd layout is not None (cx.status).
  std::optional<uint64_t> rd_value;
  // Cycles the core waits after issuing it, beyond its one issue cycle (stall
  // cause `xcadre`).
  uint64_t stall_cycles = 0;
  // Non-empty: the run stops with this error at the instruction (e.g. a queue
  // deadlock found by a watchdog); reported as an illegal-instruction error.
  std::string error;
};

class XcadreHandler {
 public:
  virtual ~XcadreHandler() = default;
  // Called from the core's SC_THREAD after the core has synchronised, so
  // sc_time_stamp() is the issue cycle. The handler may wait() (for a full
  // queue, a semaphore): the simulated time it spends counts as xcadre stall
  // cycles, added to response.stall_cycles.
  virtual XcadreResponse execute(const XcadreCommand& command) = 0;
};

}  // namespace cadre::sim
