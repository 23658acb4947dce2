// Area of a Cadre chip at its node (docs/energy.md, "Area"): logic from the
// per-unit logic areas, SRAM from a size-based model (bits x bitcell /
// array efficiency), the HBM interface from its bandwidth.
#pragma once

#include <string>

#include "cadre/arch/arch_config.h"
#include "cadre/energy/tech_node.h"

namespace cadre::energy {

// The logic area of each replicated unit at the node, um^2: the input the
// RTL's yosys figures (cell counts times a cell-area table) replace. Until
// they exist, estimated_logic_area gives estimates from the 45 nm
// constants scaled by area_scale.
struct LogicArea {
  double mac_cell_um2 = 0;      // one cell of the systolic array
  double vector_lane_um2 = 0;   // one FP32 lane of the vector unit
  double core_um2 = 0;          // one control core
  double tile_control_um2 = 0;  // one tile's DMA engine and command queues
  std::string basis;            // where the figures come from
};

// The estimate: a MAC cell is a BF16 multiplier (FP8 included), an FP32
// adder and its registers (A in, partial sum out, weight_buffers weights);
// a lane an FP32 multiplier, an FP32 adder and two 32-bit registers; the
// core and the tile's control their gate counts in NAND2 equivalents.
LogicArea estimated_logic_area(const arch::ArchConfig& arch, const TechNode& node);

// One SRAM macro of `bytes` at the node, mm^2.
double sram_area_mm2(uint64_t bytes, const TechNode& node);

struct AreaBreakdown {
  double mac_arrays_mm2 = 0;
  double vector_units_mm2 = 0;
  double cores_mm2 = 0;
  double tile_control_mm2 = 0;
  double scratchpads_mm2 = 0;
  double accumulators_mm2 = 0;
  double l2_mm2 = 0;
  double hbm_interface_mm2 = 0;
  double logic_mm2() const { return mac_arrays_mm2 + vector_units_mm2 + cores_mm2 + tile_control_mm2; }
  double sram_mm2() const { return scratchpads_mm2 + accumulators_mm2 + l2_mm2; }
  double total_mm2() const { return logic_mm2() + sram_mm2() + hbm_interface_mm2; }
};

// Every tile's units and SRAM, and the HBM interface. The simulator's RAM
// (program, stacks) is not counted: a chip would hold its program in a small
// instruction memory.
AreaBreakdown chip_area(const arch::ArchConfig& arch, const TechNode& node, const LogicArea& logic);

}  // namespace cadre::energy
