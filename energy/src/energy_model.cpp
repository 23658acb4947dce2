#include "cadre/energy/energy_model.h"

#include <cmath>

#include "cadre/energy/constants.h"

namespace cadre::energy {
namespace {

constexpr double kJoulesPerPj = 1e-12;
constexpr double kSramReferenceBytes = 8192;  // Horowitz's 8 KB array

// pJ per byte of an SRAM access: the 64-bit figure per byte, grown with the
// square root of the bank's size (each access reaches one bank).
double sram_byte_pj(uint64_t bank_bytes, double scale) {
  const Constants& c = kConstants;
  return scale * c.sram_64bit_8kib_pj / 8 * std::sqrt(static_cast<double>(bank_bytes) / kSramReferenceBytes);
}

}  // namespace

std::span<const ConstantRow> constant_rows() {
  static constexpr ConstantRow kRows[] = {
#define CADRE_ENERGY_CONSTANT(member, value, unit, scaling, source) {#member, value, unit, Scaling::scaling, source},
#include "cadre/energy/constants.def"
  };
  return kRows;
}

ChipModel chip_model(const arch::ArchConfig& arch, const std::optional<LogicArea>& logic) {
  const Constants& c = kConstants;
  ChipModel m;
  m.node = tech_node(arch.tech_node_nm);
  m.logic = logic ? *logic : estimated_logic_area(arch, m.node);
  m.area = chip_area(arch, m.node, m.logic);
  m.wire_mm = std::sqrt(m.area.total_mm2()) / 2;
  const double s = energy_scale(m.node);
  ActionEnergies& e = m.actions;
  e.fp8_mac = s * (c.fp8_multiply_pj + c.fp32_add_pj);
  e.bf16_mac = s * (c.bf16_multiply_pj + c.fp32_add_pj);
  e.vector_element = s * (c.fp32_multiply_pj + c.fp32_add_pj);
  e.scratchpad_byte = sram_byte_pj(arch::scratchpad_bank_bytes(arch), s);
  e.accumulator_byte = sram_byte_pj(arch::accumulator_bank_bytes(arch), s);
  e.hbm_byte = 8 * c.hbm_pj_per_bit;
  e.interconnect_byte = 8 * c.wire_pj_per_bit_mm * m.wire_mm;
  e.instruction = s * c.instruction_pj;
  const double per_tile_cycle_pj = static_cast<double>(arch::macs_per_cycle_per_tile(arch)) * e.fp8_mac +
                                   arch.vector.lanes * e.vector_element + e.instruction;
  m.peak_dynamic_w = arch.tiles * per_tile_cycle_pj * arch.clock_ghz * 1e9 * kJoulesPerPj;
  m.leakage_w = c.leakage_fraction * m.peak_dynamic_w;
  return m;
}

Energy energy_of(const ChipModel& m, const Activity& a, double seconds) {
  const ActionEnergies& e = m.actions;
  const auto j = [](uint64_t count, double pj) { return static_cast<double>(count) * pj * kJoulesPerPj; };
  Energy out;
  out.macs_j = j(a.fp8_macs, e.fp8_mac) + j(a.bf16_macs, e.bf16_mac);
  out.vector_j = j(a.vector_elements, e.vector_element);
  out.sram_j = j(a.scratchpad_bytes, e.scratchpad_byte) + j(a.accumulator_bytes, e.accumulator_byte);
  out.hbm_j = j(a.hbm_bytes, e.hbm_byte);
  out.interconnect_j = j(a.interconnect_bytes, e.interconnect_byte);
  out.core_j = j(a.instructions, e.instruction);
  out.leakage_j = m.leakage_w * seconds;
  return out;
}

}  // namespace cadre::energy
