// The cost model's prediction of a compiled layer's expert phase: every
// shared block and routed expert at the cycles choose-tiling's model gives
// its rows (mlp_cost.h), placed on the tiles by the balanced placement's
// rule (distribute), the busiest tile's sum (with experts split in parts,
// each side of the barrier's busiest tile). Tests hold the simulated cycles
// of compiled layers against it, so that a regression of the schedule or of
// the model shows.
#pragma once

#include <cstdint>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/ir.h"

namespace cadre::compiler {

struct ExpertPhaseEstimate {
  std::vector<double> tile_cycles;  // each tile's shared blocks and routed experts
  double cycles = 0;                // the busiest tile's (of each walk, added)
};

// `tiled`: the layer's module after choose-tiling (its graph holds the
// tilings and the placement's weights); `offsets`: each expert's first
// aligned row, and the total last (the routing the chip did).
ExpertPhaseEstimate estimate_expert_phase(const Module& tiled, const arch::ArchConfig& arch,
                                          const std::vector<int32_t>& offsets);

}  // namespace cadre::compiler
