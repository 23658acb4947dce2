#include "json_text.h"

#include "cadre/arch/arch_json.h"
#include "cadre/common/json_text.h"

namespace cadre::arch::detail {

nlohmann::json parse_json_text(std::string_view text, std::string_view source) {
  try {
    return common::parse_json_strict(text);
  } catch (const common::JsonTextError& e) {
    if (e.line() != 0) throw ConfigError(std::string(source), e.line(), e.column(), "malformed JSON: " + e.reason());
    throw ConfigError(std::string(source), e.pointer(), e.reason());
  }
}

}  // namespace cadre::arch::detail
