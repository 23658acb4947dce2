// The preset configurations, compiled in from configs/arch/*.json by
// arch/CMakeLists.txt (cadre_embed_text).
#pragma once

#include <span>
#include <string_view>

namespace cadre::arch::detail {

struct PresetText {
  std::string_view name;
  std::string_view text;
};

std::span<const PresetText> preset_texts();

}  // namespace cadre::arch::detail
