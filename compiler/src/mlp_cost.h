// The cost model's cycles of the expert MLP on one tile (cadre_cost's DMA,
// matrix and vector timings): what choose-tiling minimises and the layer
// estimate (estimate.h) adds up over the tiles.
#pragma once

#include <cstdint>

#include "cadre/arch/arch_config.h"
#include "expert_mlp_lowering.h"

namespace cadre::compiler {

// Cycles to stream `rows` x `row_bytes` of weights into one tile, with every
// tile streaming at once (their share of HBM).
double weight_load_cycles(const arch::ArchConfig& arch, uint64_t rows, uint64_t row_bytes);

// Cycles of one MLP over `rows` rows under a tiling: each weight tile costs
// the larger of its load and its GEMM, plus the vector epilogue of each
// slice (phase A: gate/up and the epilogue; phase B: down).
struct MlpCycles {
  double gate_up = 0, down = 0;
  double total() const { return gate_up + down; }
};
MlpCycles mlp_phase_cycles(const arch::ArchConfig& arch, const MlpShape& shape, const MlpTiling& tiling, uint64_t rows);
double mlp_cycles(const arch::ArchConfig& arch, const MlpShape& shape, const MlpTiling& tiling, uint64_t rows);

}  // namespace cadre::compiler
