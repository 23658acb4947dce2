// A compiled layer's run on the chip, kernel by kernel: the simulator's
// per-tag statistics (the compiler tags every command with its kernel,
// compiler/kernel_tags.h) gathered over the tiles (docs/compare.md, "A
// kernel's time on the chip").
#pragma once

#include <cstdint>
#include <vector>

#include "cadre/energy/energy_model.h"
#include "cadre/model/kernels.h"
#include "cadre/sim/simulate.h"

namespace cadre::runtime {

// What one kernel's commands did, over every tile.
struct KernelActivity {
  model::Kernel kernel = model::Kernel::RouterGemm;
  uint64_t commands = 0;
  // The kernel's share of the layer's cycles: each tile's cycles in which its
  // commands ran (shared equally with the other kernels running then),
  // averaged over the tiles. The kernels' shares and the control share add
  // up to the layer's cycles.
  double cycles = 0;
  // From its first command's start to its last command's end on the tile where that is longest.
  uint64_t span_cycles = 0;
  // Busy cycles summed over the tiles.
  uint64_t matrix_busy_cycles = 0, vector_busy_cycles = 0, load_busy_cycles = 0, store_busy_cycles = 0;
  sim::UnitWork work;         // summed over the tiles
  uint64_t instructions = 0;  // the control cores' while the kernel's tag was set
};

struct LayerProfile {
  std::vector<KernelActivity> kernels;  // kernels.def order, those with commands or instructions
  // Cycles, averaged over the tiles, in which no command ran on a tile
  // (control code, barrier waits, a tile done before the last); with the
  // kernels' cycles, the layer's cycles.
  double control_cycles = 0;
  uint64_t control_instructions = 0;  // untagged: before the first kernel statement
  // HBM bytes the channels moved beyond the DMA engines' (the cores' own accesses).
  uint64_t control_hbm_bytes = 0;
};

// `r` must come from a layer compiled by Cadre's compiler. Tags without a
// kernel (compiler::tag_kernel) other than 0 are counted as control.
LayerProfile profile_layer(const sim::SimResult& r);

// The energy model's activity of a kernel: its MACs by format, elements, SRAM,
// HBM (its DMA bytes) and interconnect bytes, and instructions.
energy::Activity activity_of(const KernelActivity& k);

}  // namespace cadre::runtime
