// The SystemVerilog of rtl/sv/, compiled in by rtl/CMakeLists.txt
// (cadre_embed_text) in dependency order, so that `cadre area` synthesises
// the RTL the binary was built from, without the source tree.
#pragma once

#include <span>
#include <string_view>

namespace cadre::rtl::detail {

struct SourceText {
  std::string_view name;  // the file name without .sv
  std::string_view text;
};

std::span<const SourceText> rtl_source_texts();

}  // namespace cadre::rtl::detail
