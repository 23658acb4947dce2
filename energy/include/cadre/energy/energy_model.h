// Energy of work on a Cadre chip (docs/energy.md): what the simulator
// counted (Activity) times the energy of each action at the architecture's
// node, plus leakage over the run's time.
#pragma once

#include <cstdint>
#include <optional>

#include "cadre/arch/arch_config.h"
#include "cadre/energy/area_model.h"
#include "cadre/energy/tech_node.h"

namespace cadre::energy {

// Energy of one action at the node, pJ.
struct ActionEnergies {
  double fp8_mac = 0;            // FP8 multiply, FP32 accumulate
  double bf16_mac = 0;           // BF16 multiply, FP32 accumulate
  double vector_element = 0;     // one element through a lane: an FP32 multiply and add
  double scratchpad_byte = 0;    // a byte read or written, at the scratchpad's bank size
  double accumulator_byte = 0;   // the same at the accumulator's bank size
  double hbm_byte = 0;           // a byte read from or written to HBM
  double interconnect_byte = 0;  // a byte between a tile and the HBM interface
  double instruction = 0;        // one control-core instruction
};

// What the work did, as the simulator counts it.
struct Activity {
  uint64_t fp8_macs = 0;
  uint64_t bf16_macs = 0;
  uint64_t vector_elements = 0;
  uint64_t scratchpad_bytes = 0;   // read + written
  uint64_t accumulator_bytes = 0;  // read + written
  uint64_t hbm_bytes = 0;          // read + written
  uint64_t interconnect_bytes = 0; // DMA traffic between tiles and memory
  uint64_t instructions = 0;
};

struct Energy {
  double macs_j = 0;
  double vector_j = 0;
  double sram_j = 0;
  double hbm_j = 0;
  double interconnect_j = 0;
  double core_j = 0;
  double leakage_j = 0;
  double dynamic_j() const { return macs_j + vector_j + sram_j + hbm_j + interconnect_j + core_j; }
  double total_j() const { return dynamic_j() + leakage_j; }
};

// A chip's energy and area model, from its architecture.
struct ChipModel {
  TechNode node;
  LogicArea logic;
  AreaBreakdown area;
  ActionEnergies actions;
  double wire_mm = 0;            // a byte's average path: half the side of the chip's area
  double peak_dynamic_w = 0;     // every MAC cell (FP8), lane and core busy every cycle
  double leakage_w = 0;          // leakage_fraction x peak_dynamic_w
};

// TechNodeError when the architecture's node is outside the table. `logic`:
// the RTL's figures; none, estimated_logic_area's.
ChipModel chip_model(const arch::ArchConfig& arch, const std::optional<LogicArea>& logic = std::nullopt);

// The activity's dynamic energy, plus leakage over `seconds`.
Energy energy_of(const ChipModel& model, const Activity& activity, double seconds);

}  // namespace cadre::energy
