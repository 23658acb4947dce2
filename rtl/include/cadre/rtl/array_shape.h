// The shape of a matrix engine the RTL is built for: the integer fields of
// /matrix, which are the RTL top's parameters
// (rtl/generated/cadre_matrix_params.svh).
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "cadre/arch/arch_config.h"

namespace cadre::rtl {

struct ArrayShape {
  uint32_t rows = 0;
  uint32_t cols = 0;
  uint32_t preload_rows_per_cycle = 0;
  uint32_t weight_buffers = 0;
  auto operator<=>(const ArrayShape&) const = default;
};
ArrayShape shape_of(const arch::ArchConfig& cfg);
// "8x8, 1 preload row a cycle, 1 weight buffer".
std::string describe(const ArrayShape& shape);

}  // namespace cadre::rtl
