// Reading JSON from outside (configurations, model configs, safetensors
// headers) with errors a person can act on, and name suggestions for them.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cadre::common {

// Where and why a JSON text was refused. Syntax errors have a line and column
// (1-based); a duplicate key or a number beyond a double's range has the JSON
// pointer of the offending element instead (line 0).
class JsonTextError : public std::runtime_error {
 public:
  JsonTextError(size_t line, size_t column, std::string reason);
  JsonTextError(std::string pointer, std::string reason);

  size_t line() const { return line_; }
  size_t column() const { return column_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& reason() const { return reason_; }
  // "SOURCE:LINE:COLUMN: malformed JSON: reason" or "SOURCE: POINTER: reason".
  std::string message_for(std::string_view source) const;

 private:
  size_t line_ = 0, column_ = 0;
  std::string pointer_;
  std::string reason_;
};

// Parses `text`, refusing what nlohmann accepts silently: a key repeated in one
// object (nlohmann keeps the last), and reporting positions as line:column.
nlohmann::json parse_json_strict(std::string_view text);

// "~" and "/" escaped as a JSON pointer token (RFC 6901).
std::string escape_pointer_token(std::string_view token);

// Levenshtein distance between two names.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` within about a third of its length, or "".
std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace cadre::common
