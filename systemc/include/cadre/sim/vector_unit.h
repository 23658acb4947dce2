// The vector unit: `lanes` FP32 lanes carrying out every cvec.* command on
// local memory with the numerics library's routines, so results match the
// golden kernels bit for bit. Time per command: the cost model's
// (cost::vector_timing: a fixed startup plus, for each row, `passes` sweeps of
// ceil(elements / lanes) cycles; docs/accelerator.md, "Vector unit") plus the
// bank conflicts of its operand streams.
#pragma once

#include <cstdint>

#include "cadre/arch/arch_config.h"
#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre.h"
#include "cadre/numerics/format.h"
#include "cadre/sim/local_memory.h"

namespace cadre::sim {

struct VectorStats {
  uint64_t commands = 0;
  uint64_t busy_cycles = 0;
  uint64_t conflict_cycles = 0;
  uint64_t elements = 0;
};

class VectorUnit {
 public:
  VectorUnit(const arch::ArchConfig& cfg, LocalMemory& memory);

  // Carries out `op` (a Compute-queue cvec.* operation) and returns the cycles
  // it keeps the unit busy; a bad operand throws AccelError.
  uint64_t execute(isa::Op op, uint64_t rs1, uint64_t rs2);

  const VectorStats& stats() const { return stats_; }

 private:
  uint64_t elementwise(isa::Op op, uint64_t rs1, uint64_t rs2);
  uint64_t convert(uint64_t rs1, uint64_t rs2);
  uint64_t rows_op(isa::Op op, uint64_t rs1, uint64_t rs2);
  uint64_t topk(bool grouped, uint64_t rs1, uint64_t rs2);
  uint64_t count(uint64_t rs1, uint64_t rs2);
  uint64_t align(uint64_t rs1, uint64_t rs2);
  // Time of the data command `op` of `shape` whose operands stream as
  // `streams`, with their bank conflicts.
  uint64_t command_cycles(std::span<const LocalStream> streams, isa::Op op, const cost::VectorShape& shape);

  const arch::ArchConfig& cfg_;
  LocalMemory& memory_;
  // cvec.q.cfg
  uint64_t q_scales_ = 0;
  num::Format q_fmt_ = num::Format::E4M3;
  // cvec.route.cfg
  uint64_t bias_ = 0;
  uint32_t route_flags_ = 0;
  float route_scale_ = 1.0f;
  uint64_t n_group_ = 1, topk_group_ = 1;
  VectorStats stats_;
};

}  // namespace cadre::sim
