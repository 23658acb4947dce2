// Data files compiled in from configs/gpu/ by gpumodel/CMakeLists.txt
// (cadre_embed_text): never read from the source tree at run time.
#pragma once

#include <span>
#include <string_view>

namespace cadre::gpumodel::detail {

struct EmbeddedText {
  std::string_view name;  // the file's name without its extension
  std::string_view text;
};

std::span<const EmbeddedText> gpu_texts();       // configs/gpu/*.json
std::span<const EmbeddedText> deepgemm_texts();  // configs/gpu/deepgemm_h800.csv

}  // namespace cadre::gpumodel::detail
