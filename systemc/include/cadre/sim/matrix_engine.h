// The matrix engine: an R x C weight-stationary systolic array (B is held in
// the cells, A streams through, FP32 sums leave at the bottom into the
// accumulator stage where FP8 block scales are applied). Functionally it
// computes C = A * B^T with the numerics library's block-scaled FP8 or BF16
// dot products, so its bits match the golden model on every array shape;
// its time is the formula below (docs/accelerator.md, "Matrix engine").
#pragma once

#include <cstdint>

#include "cadre/arch/arch_config.h"
#include "cadre/numerics/format.h"
#include "cadre/sim/local_memory.h"

namespace cadre::sim {

// Cycles of one weight-stationary GEMM C[M x N] = A[M x K] * B[N x K]^T on an
// R x C array: B is cut into ceil(K/R) * ceil(N/C) folds; each fold preloads
// its weights (R cycles, one array row a cycle), then streams the M rows of A:
// the first result leaves after the fill (R + C - 2 cycles past the first
// row) and one row follows each cycle, R + C + M - 2 cycles in all.
struct MatrixTiming {
  uint64_t folds = 0;
  uint64_t preload_cycles = 0;  // per fold
  uint64_t stream_cycles = 0;   // per fold: fill + stream + drain
  uint64_t total() const { return folds * (preload_cycles + stream_cycles); }
};
MatrixTiming ws_timing(uint64_t rows, uint64_t cols, uint64_t m, uint64_t n, uint64_t k);

struct MatrixStats {
  uint64_t commands = 0;
  uint64_t busy_cycles = 0;
  uint64_t conflict_cycles = 0;
  uint64_t macs = 0;
};

class MatrixEngine {
 public:
  MatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory);

  // Each returns the cycles the command keeps the engine busy; an operand
  // that cannot be used throws AccelError.
  uint64_t configure(uint64_t rs1, uint64_t rs2);           // cmx.cfg
  uint64_t preload(uint64_t rs1, uint64_t rs2);             // cmx.preload
  uint64_t matmul(uint64_t rs1, uint64_t rs2, bool accumulate);  // cmx.mm, cmx.mm.acc

  const MatrixStats& stats() const { return stats_; }

 private:
  const arch::ArchConfig& cfg_;
  LocalMemory& memory_;
  num::Format a_fmt_ = num::Format::E4M3, b_fmt_ = num::Format::E4M3;
  uint64_t a_stride_ = 0, b_stride_ = 0, c_stride_ = 0;  // 0: packed
  bool preloaded_ = false;
  uint64_t b_addr_ = 0, b_scales_ = 0, k_ = 0, n_ = 0;
  MatrixStats stats_;
};

}  // namespace cadre::sim
