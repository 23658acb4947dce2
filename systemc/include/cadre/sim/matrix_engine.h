// The behavioural matrix engine: an R x C weight-stationary systolic array (B
// is held in the cells, A streams through, FP32 sums leave at the bottom into
// the accumulator stage where FP8 block scales are applied). Functionally it
// computes C = A * B^T with the numerics library's block-scaled FP8 or BF16
// dot products, so its bits match the golden model on every array shape; its
// time is the cost model's (cost::matmul_timing, docs/accelerator.md, "Matrix
// engine") plus the bank conflicts of its operand streams.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/numerics/format.h"
#include "cadre/sim/local_memory.h"
#include "cadre/sim/matrix_unit.h"

namespace cadre::sim {

// An operand's bytes, which a read fills whole: left uninitialised when made
// (a weight tile is hundreds of KiB, zeroed for nothing otherwise).
// (Constructions with a value go to std::construct_at, as std::allocator's.)
template <typename T>
struct NoInitAllocator : std::allocator<T> {
  template <typename U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;
  }
};
using OperandBytes = std::vector<uint8_t, NoInitAllocator<uint8_t>>;

class BehaviouralMatrixEngine : public MatrixUnit {
 public:
  BehaviouralMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory);

  uint64_t configure(const isa::operands::MatrixFormats& formats,
                     const isa::operands::OperandStrides& strides) override;
  uint64_t preload(const isa::operands::TileWithScales& weights, const isa::operands::WeightShape& shape) override;
  uint64_t matmul(const isa::operands::TileWithScales& a, const isa::operands::MatmulOut& out,
                  bool accumulate) override;

  const MatrixStats& stats() const override { return stats_; }

 protected:
  // One GEMM's operands as cmx.mm finds them in local memory, packed: A is
  // m rows of k elements, B n rows of k; FP8 scales m x ceil(k / 128) for A
  // and ceil(n / 128) x ceil(k / 128) for B (1.0 where the command gives
  // none), empty for BF16.
  struct Gemm {
    num::Format a_format, b_format;
    uint64_t m, n, k;
    OperandBytes a, b;
    std::vector<float> a_scales, b_scales;
  };
  // C (m x n, row-major, holding the accumulator's starting values: C for
  // cmx.mm.acc, +0 for cmx.mm) receives A * B^T added to it; returns the
  // array's cycles for it, before bank conflicts. Here: the numerics
  // library's GEMMs and the cost model's cycles.
  virtual uint64_t multiply(const Gemm& gemm, std::span<float> c);
  // The numerics library's product alone: C += A * B^T.
  static void multiply_values(const Gemm& gemm, std::span<float> c);
  // Whether FP8 GEMMs compute when fp8_values() is off: an implementation
  // whose cycles come from computing always does (and computes at once, not
  // on the local memory's worker).
  virtual bool always_computes() const { return false; }

 private:
  // Reads A, B, the scales and C's starting values, multiplies, writes the
  // rows at `acc` (or defers that to the local memory's worker); returns
  // multiply's cycles.
  uint64_t compute(const isa::operands::TileWithScales& a, uint64_t acc, uint64_t m, bool accumulate, uint64_t c_step);

  const arch::ArchConfig& cfg_;
  LocalMemory& memory_;
  num::Format a_fmt_ = num::Format::E4M3, b_fmt_ = num::Format::E4M3;
  uint64_t a_stride_ = 0, b_stride_ = 0, c_stride_ = 0;  // 0: packed
  bool preloaded_ = false;
  uint64_t b_addr_ = 0, b_scales_ = 0, k_ = 0, n_ = 0;
  MatrixStats stats_;
};

}  // namespace cadre::sim
