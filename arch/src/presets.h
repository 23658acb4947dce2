// The preset configurations, compiled in from configs/arch/*.json
// (presets.cpp.in, filled in by arch/CMakeLists.txt).
#pragma once

#include <span>
#include <string_view>

namespace cadre::arch::detail {

struct PresetText {
  std::string_view name;
  std::string_view json;
};

std::span<const PresetText> preset_texts();

}  // namespace cadre::arch::detail
