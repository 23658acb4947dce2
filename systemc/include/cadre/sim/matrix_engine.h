// The behavioural matrix engine: an R x C weight-stationary systolic array (B
// is held in the cells, A streams through, FP32 sums leave at the bottom into
// the accumulator stage where FP8 block scales are applied). Functionally it
// computes C = A * B^T with the numerics library's block-scaled FP8 or BF16
// dot products, so its bits match the golden model on every array shape; its
// time is the cost model's (cost::matmul_timing, docs/accelerator.md, "Matrix
// engine") plus the bank conflicts of its operand streams.
#pragma once

#include <cstdint>

#include "cadre/arch/arch_config.h"
#include "cadre/numerics/format.h"
#include "cadre/sim/local_memory.h"
#include "cadre/sim/matrix_unit.h"

namespace cadre::sim {

class BehaviouralMatrixEngine : public MatrixUnit {
 public:
  BehaviouralMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory);

  uint64_t configure(const isa::operands::MatrixFormats& formats,
                     const isa::operands::OperandStrides& strides) override;
  uint64_t preload(const isa::operands::TileWithScales& weights, const isa::operands::WeightShape& shape) override;
  uint64_t matmul(const isa::operands::TileWithScales& a, const isa::operands::MatmulOut& out,
                  bool accumulate) override;

  const MatrixStats& stats() const override { return stats_; }

 private:
  // C's values: read A, B and scales, sum, write the rows at `acc`.
  void compute(const isa::operands::TileWithScales& a, uint64_t acc, uint64_t m, bool accumulate, uint64_t c_step);

  const arch::ArchConfig& cfg_;
  LocalMemory& memory_;
  num::Format a_fmt_ = num::Format::E4M3, b_fmt_ = num::Format::E4M3;
  uint64_t a_stride_ = 0, b_stride_ = 0, c_stride_ = 0;  // 0: packed
  bool preloaded_ = false;
  uint64_t b_addr_ = 0, b_scales_ = 0, k_ = 0, n_ = 0;
  MatrixStats stats_;
};

}  // namespace cadre::sim
