// The energy and area model's constants (constants.def) as values, and their
// table for documentation and reports.
#pragma once

#include <span>
#include <string_view>

namespace cadre::energy {

// How a constant reaches the architecture's node (tech_node.h).
enum class Scaling : uint8_t { Energy, Area, None };

struct Constants {
#define CADRE_ENERGY_CONSTANT(member, value, unit, scaling, source) double member = value;
#include "cadre/energy/constants.def"
};
inline constexpr Constants kConstants{};

struct ConstantRow {
  std::string_view name;
  double value;
  std::string_view unit;
  Scaling scaling;
  std::string_view source;
};
std::span<const ConstantRow> constant_rows();

}  // namespace cadre::energy
