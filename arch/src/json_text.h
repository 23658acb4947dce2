// Turning text into a JSON document, with errors a person can act on.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace cadre::arch::detail {

// Parses `text`; throws ConfigError naming `source` and the line:column of
// malformed JSON, or the JSON path of a duplicate key (nlohmann would keep the
// last one silently) or of a number too large for a double.
nlohmann::json parse_json_text(std::string_view text, std::string_view source);

}  // namespace cadre::arch::detail
