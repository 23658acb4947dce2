// Lookups in the field table shared by the parser, the checks and the schema.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cadre/arch/arch_json.h"

namespace cadre::arch::detail {

// The entry for a path that arch_fields.def lists (a programming error otherwise).
const FieldInfo& field_info(std::string_view path);

// The names an enum field allows, for messages: "a", "b".
std::string quoted_choices(std::span<const std::string_view> names);

}  // namespace cadre::arch::detail
