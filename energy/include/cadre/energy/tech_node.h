// A technology node as the energy and area model sees it (tech_nodes.def),
// and the two scaling rules every 45 nm figure goes through:
//
// - area: logic area scales with the inverse of logic transistor density;
// - energy: switched capacitance scales with linear size, the square root of
//   area, at the reference table's supply voltage (0.9 V), so dynamic energy
//   scales with sqrt(density_45 / density_node).
//
// A node between two rows is interpolated log-log between them; one outside
// the table is an error (docs/energy.md, "Scaling to a node").
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

namespace cadre::energy {

struct TechNode {
  double nm = 0;
  double logic_mtr_per_mm2 = 0;
  double sram_bitcell_um2 = 0;
  std::string_view process;  // "" for an interpolated node
  std::string_view source;
};

// The table's rows, the 45 nm reference first.
std::span<const TechNode> tech_nodes();
const TechNode& reference_node();

class TechNodeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The node `nm`: a table row, or interpolated between the two around it.
// TechNodeError names the table's range when `nm` lies outside it.
TechNode tech_node(double nm);

// Multiply a 45 nm logic area by this for the node.
double area_scale(const TechNode& node);
// Multiply a 45 nm dynamic energy by this for the node.
double energy_scale(const TechNode& node);

}  // namespace cadre::energy
