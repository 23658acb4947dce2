// Helpers shared by every reader of JSON from outside (configurations, model
// configs, safetensors headers): positions and suggestions for error messages.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace cadre::common {

// "LINE:COLUMN: reason" for a parse error in `text`, as editors understand it.
std::string describe_parse_error(std::string_view text, const nlohmann::json::parse_error& error);

// The reason of any other nlohmann exception, without its "[json.exception...]" tag.
std::string describe_json_error(const nlohmann::json::exception& error);

// Levenshtein distance between two names.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` within a small distance, or "" when none is close.
std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace cadre::common
