// The RTL top's parameters, made from the architecture configuration's field
// table (arch_fields.def) as the JSON schema is: one SystemVerilog parameter
// per integer field of /matrix, named MATRIX_<FIELD>. gen_rtl_params writes
// them into rtl/generated/ (the declarations, and the list CMake verilates
// each shape with), and `cadre area` sets them on yosys's top.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/arch/arch_config.h"

namespace cadre::rtl {

struct Parameter {
  std::string name;              // MATRIX_ROWS
  std::string_view path;         // /matrix/rows
  std::string_view description;  // the field table's
  uint64_t value = 0;            // cfg's value
};

// In field-table order.
std::vector<Parameter> matrix_parameters(const arch::ArchConfig& cfg);

// rtl/generated/cadre_matrix_params.svh: the top's parameter declarations,
// with cfg's values as defaults.
std::string parameter_declarations(const arch::ArchConfig& cfg);
// rtl/generated/cadre_matrix_params.cmake: the parameter names in order, as
// the CMake list CADRE_RTL_PARAMETERS.
std::string parameter_cmake_list(const arch::ArchConfig& cfg);

}  // namespace cadre::rtl
