#include "cadre/energy/area_model.h"

#include "cadre/energy/constants.h"

namespace cadre::energy {
namespace {

constexpr double kUm2PerMm2 = 1e6;

}  // namespace

LogicArea estimated_logic_area(const arch::ArchConfig& arch, const TechNode& node) {
  const Constants& c = kConstants;
  const double s = area_scale(node);
  // Registers of a cell: 16-bit A passed on, 32-bit partial sum, one 16-bit weight per weight buffer.
  const double cell_bits = 16 + 32 + 16.0 * arch.matrix.weight_buffers;
  LogicArea a;
  a.mac_cell_um2 = s * (c.bf16_multiplier_um2 + c.fp32_adder_um2 + cell_bits * c.flip_flop_um2);
  a.vector_lane_um2 = s * (c.fp32_multiplier_um2 + c.fp32_adder_um2 + 64 * c.flip_flop_um2);
  a.core_um2 = s * c.core_kge * 1000 * c.nand2_um2;
  a.tile_control_um2 = s * c.tile_control_kge * 1000 * c.nand2_um2;
  a.basis = "estimate from 45 nm unit areas (docs/energy.md), not synthesis";
  return a;
}

double sram_area_mm2(uint64_t bytes, const TechNode& node) {
  return static_cast<double>(bytes) * 8 * node.sram_bitcell_um2 / kConstants.sram_array_efficiency / kUm2PerMm2;
}

AreaBreakdown chip_area(const arch::ArchConfig& arch, const TechNode& node, const LogicArea& logic) {
  const double tiles = arch.tiles;
  AreaBreakdown a;
  a.mac_arrays_mm2 = tiles * static_cast<double>(arch::macs_per_cycle_per_tile(arch)) * logic.mac_cell_um2 / kUm2PerMm2;
  a.vector_units_mm2 = tiles * arch.vector.lanes * logic.vector_lane_um2 / kUm2PerMm2;
  a.cores_mm2 = tiles * logic.core_um2 / kUm2PerMm2;
  a.tile_control_mm2 = tiles * logic.tile_control_um2 / kUm2PerMm2;
  a.scratchpads_mm2 = tiles * sram_area_mm2(arch.scratchpad.bytes, node);
  a.accumulators_mm2 = tiles * sram_area_mm2(arch.accumulator.bytes, node);
  a.l2_mm2 = sram_area_mm2(arch.l2.bytes, node);  // its tags and their comparators not counted
  a.hbm_interface_mm2 = arch::hbm_bandwidth_gb_s(arch) * kConstants.hbm_phy_mm2_per_gbs;
  return a;
}

}  // namespace cadre::energy
