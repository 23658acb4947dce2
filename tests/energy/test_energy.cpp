// The energy and area model against a small chip worked by hand at the
// reference node (45 nm: every scale is 1), the node table's scaling and
// interpolation, and docs/energy.md against the constants table.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "cadre/arch/arch_json.h"
#include "cadre/energy/constants.h"
#include "cadre/energy/energy_model.h"

namespace cadre::energy {
namespace {

// One tile, a 2 x 2 array, 2 lanes, an 8 KiB scratchpad and a 32 KiB
// accumulator of one bank each, one 10 GB/s HBM channel, 1 GHz, 45 nm.
arch::ArchConfig tiny_chip() {
  arch::ArchConfig a = arch::load_arch("small");
  a.tiles = 1;
  a.clock_ghz = 1.0;
  a.tech_node_nm = 45;
  a.matrix.rows = a.matrix.cols = 2;
  a.matrix.weight_buffers = 1;
  a.vector.lanes = 2;
  a.scratchpad = {8192, 1};
  a.accumulator = {32768, 1};
  a.hbm.channels = 1;
  a.hbm.channel_bandwidth_gb_s = 10;
  return a;
}

TEST(EnergyModel, ActionEnergiesOfASmallChipAt45nmAreHorowitzsFigures) {
  const ChipModel m = chip_model(tiny_chip());
  EXPECT_DOUBLE_EQ(m.actions.fp8_mac, 0.2 + 0.9);
  EXPECT_DOUBLE_EQ(m.actions.bf16_mac, 1.1 + 0.9);
  EXPECT_DOUBLE_EQ(m.actions.vector_element, 3.7 + 0.9);
  EXPECT_DOUBLE_EQ(m.actions.scratchpad_byte, 10.0 / 8);       // an 8 KiB bank: the table's array
  EXPECT_DOUBLE_EQ(m.actions.accumulator_byte, 10.0 / 8 * 2);  // 4x the size: sqrt(4) = 2x the energy
  EXPECT_DOUBLE_EQ(m.actions.hbm_byte, 8 * 3.9);
  EXPECT_DOUBLE_EQ(m.actions.instruction, 70.0);
}

TEST(EnergyModel, AreaOfASmallChipMatchesTheHandSum) {
  const ChipModel m = chip_model(tiny_chip());
  // um^2: a cell is a BF16 multiplier, an FP32 adder and 16 + 32 + 16 register bits.
  const double cell = 1640 + 4184 + 64 * 4.522, lane = 7700 + 4184 + 64 * 4.522, gates = 50000 * 0.798;
  EXPECT_NEAR(m.logic.mac_cell_um2, 6113.408, 1e-9);
  EXPECT_NEAR(m.area.mac_arrays_mm2, 4 * cell / 1e6, 1e-12);
  EXPECT_NEAR(m.area.vector_units_mm2, 2 * lane / 1e6, 1e-12);
  EXPECT_NEAR(m.area.cores_mm2, gates / 1e6, 1e-12);
  EXPECT_NEAR(m.area.tile_control_mm2, gates / 1e6, 1e-12);
  EXPECT_NEAR(m.area.scratchpads_mm2, 8192 * 8 * 0.346 / 0.7 / 1e6, 1e-12);
  EXPECT_NEAR(m.area.accumulators_mm2, 32768 * 8 * 0.346 / 0.7 / 1e6, 1e-12);
  EXPECT_NEAR(m.area.hbm_interface_mm2, 10 * 0.0134, 1e-12);
  EXPECT_NEAR(m.area.total_mm2(), 0.424567991, 1e-9);
  EXPECT_NEAR(m.wire_mm, std::sqrt(0.424567991) / 2, 1e-8);
  EXPECT_NEAR(m.actions.interconnect_byte, 8 * 0.1 * std::sqrt(0.424567991) / 2, 1e-8);
  EXPECT_EQ(m.area.l2_mm2, 0.0);
}

TEST(EnergyModel, AnL2AddsItsSramArea) {
  arch::ArchConfig with_l2 = tiny_chip();
  with_l2.l2.bytes = 65536;
  const ChipModel m = chip_model(with_l2);
  EXPECT_NEAR(m.area.l2_mm2, 65536 * 8 * 0.346 / 0.7 / 1e6, 1e-12);
  EXPECT_NEAR(m.area.total_mm2(), 0.424567991 + 65536 * 8 * 0.346 / 0.7 / 1e6, 1e-9);
}

TEST(EnergyModel, EnergyOfASmallWorkloadMatchesTheHandSum) {
  const ChipModel m = chip_model(tiny_chip());
  Activity a;
  a.fp8_macs = 1000;         // 1100 pJ
  a.bf16_macs = 100;         //  200 pJ
  a.vector_elements = 10;    //   46 pJ
  a.scratchpad_bytes = 800;  // 1000 pJ
  a.accumulator_bytes = 400; // 1000 pJ
  a.hbm_bytes = 100;         // 3120 pJ
  a.instructions = 50;       // 3500 pJ
  // Peak: 4 cells x 1.1 + 2 lanes x 4.6 + 70 = 83.6 pJ a cycle at 1 GHz = 83.6 mW; 20 % leaks.
  EXPECT_NEAR(m.peak_dynamic_w, 0.0836, 1e-12);
  EXPECT_NEAR(m.leakage_w, 0.01672, 1e-12);
  const Energy e = energy_of(m, a, 1e-6);
  EXPECT_NEAR(e.macs_j, 1300e-12, 1e-18);
  EXPECT_NEAR(e.vector_j, 46e-12, 1e-18);
  EXPECT_NEAR(e.sram_j, 2000e-12, 1e-18);
  EXPECT_NEAR(e.hbm_j, 3120e-12, 1e-18);
  EXPECT_NEAR(e.core_j, 3500e-12, 1e-18);
  EXPECT_EQ(e.interconnect_j, 0.0);
  EXPECT_NEAR(e.dynamic_j(), 9966e-12, 1e-18);
  EXPECT_NEAR(e.leakage_j, 16.72e-9, 1e-18);
  EXPECT_NEAR(e.total_j(), 9966e-12 + 16.72e-9, 1e-18);
}

TEST(EnergyModel, RtlLogicAreasReplaceTheEstimate) {
  LogicArea rtl{1000, 2000, 3000, 4000, "yosys"};
  const ChipModel m = chip_model(tiny_chip(), rtl);
  EXPECT_EQ(m.logic.basis, "yosys");
  EXPECT_NEAR(m.area.logic_mm2(), (4 * 1000 + 2 * 2000 + 3000 + 4000) / 1e6, 1e-12);
}

TEST(TechNode, ScalesByDensityAndInterpolatesBetweenRows) {
  const TechNode n7 = tech_node(7);
  EXPECT_EQ(n7.process, "TSMC N7");
  EXPECT_NEAR(area_scale(n7), 3.33 / 91.2, 1e-12);
  EXPECT_NEAR(energy_scale(n7), std::sqrt(3.33 / 91.2), 1e-12);
  // 10 nm lies between 16 and 7: log-log in both columns.
  const TechNode n10 = tech_node(10);
  const double t = std::log(10.0 / 7) / std::log(16.0 / 7);
  EXPECT_NEAR(n10.logic_mtr_per_mm2, std::exp(std::log(91.2) + t * (std::log(28.88) - std::log(91.2))), 1e-9);
  EXPECT_GT(n10.sram_bitcell_um2, 0.027);
  EXPECT_LT(n10.sram_bitcell_um2, 0.074);
}

TEST(TechNode, ANodeOutsideTheTableIsAnErrorNamingTheRange) {
  try {
    tech_node(65);
    FAIL() << "65 nm is outside the table";
  } catch (const TechNodeError& e) {
    EXPECT_NE(std::string(e.what()).find("4 to 45 nm"), std::string::npos) << e.what();
  }
  EXPECT_THROW(tech_node(3), TechNodeError);
}

TEST(TechNode, EveryPresetHasANodeInTheTable) {
  for (const char* preset : {"small", "default", "h100-class"}) {
    const ChipModel m = chip_model(arch::load_arch(preset));
    EXPECT_GT(m.area.total_mm2(), 0) << preset;
    EXPECT_GT(m.leakage_w, 0) << preset;
  }
}

TEST(EnergyDocs, EveryConstantIsListedWithItsValue) {
  std::ifstream in(std::string(CADRE_SOURCE_DIR) + "/docs/energy.md");
  ASSERT_TRUE(in) << "docs/energy.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const ConstantRow& c : constant_rows()) {
    const std::string row = fmt::format("| `{}` | {} |", c.name, c.value);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/energy.md has no row starting " << row;
  }
  for (const TechNode& n : tech_nodes())
    EXPECT_NE(doc.find(fmt::format("| {} | {} | {} |", n.nm, n.logic_mtr_per_mm2, n.sram_bitcell_um2)), std::string::npos)
        << "docs/energy.md lacks the node row for " << n.nm << " nm";
}

}  // namespace
}  // namespace cadre::energy
