// Text compiled in by rtl/CMakeLists.txt (cadre_embed_text): the
// SystemVerilog of rtl/sv/ in dependency order, so that `cadre area`
// synthesises the RTL the binary was built from, without the source tree; and
// the synthesis reports recorded in rtl/area/.
#pragma once

#include <span>
#include <string_view>

namespace cadre::rtl::detail {

struct SourceText {
  std::string_view name;  // the file name without .sv
  std::string_view text;
};

std::span<const SourceText> rtl_source_texts();
std::span<const SourceText> recorded_area_reports();

}  // namespace cadre::rtl::detail
