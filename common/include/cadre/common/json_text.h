// Reading JSON from outside (configurations, model configs, safetensors
// headers) with errors a person can act on, and name suggestions for them.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace cadre::common {

// What messages call a JSON text: the file (or the name standing for it), and
// the part of the file that is the JSON when it is not the whole file (a
// safetensors file's "header").
struct JsonSource {
  JsonSource(std::string_view file_name, std::string_view part_name = {}) : file(file_name), part(part_name) {}
  JsonSource(const char* file_name) : file(file_name) {}
  std::string_view file;
  std::string_view part;
};

// Where and why a JSON text was refused. Syntax errors have a line and column
// (1-based); a duplicate key or a number beyond a double's range inside an
// object or array has the JSON pointer of the offending element instead
// (line 0). A number beyond range that is the whole text has its position.
class JsonTextError : public std::runtime_error {
 public:
  JsonTextError(size_t line, size_t column, std::string reason);
  JsonTextError(std::string pointer, std::string reason);

  size_t line() const { return line_; }
  size_t column() const { return column_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& reason() const { return reason_; }
  // "FILE:LINE:COLUMN: malformed JSON: reason" or "FILE: POINTER: reason"; for
  // a part of a file, "FILE: PART LINE:COLUMN: ..." or "FILE: PART POINTER: ...".
  std::string message_for(const JsonSource& source) const;

 private:
  size_t line_ = 0, column_ = 0;
  std::string pointer_;
  std::string reason_;
};

// Parses `text`, refusing what nlohmann accepts silently: a key repeated in one
// object (nlohmann keeps the last), and reporting positions as line:column.
// Throws JsonTextError; readers of outside JSON call parse_json instead.
nlohmann::json parse_json_strict(std::string_view text);

// The one way Cadre reads JSON from outside: parse_json_strict, its refusal
// thrown as the caller's error type. An Error constructible from
// (const JsonSource&, const JsonTextError&) gets the parts (arch::ConfigError
// keeps them); any other gets the message, JsonTextError::message_for(source).
template <class Error>
nlohmann::json parse_json(std::string_view text, const JsonSource& source) {
  try {
    return parse_json_strict(text);
  } catch (const JsonTextError& e) {
    if constexpr (std::is_constructible_v<Error, const JsonSource&, const JsonTextError&>)
      throw Error(source, e);
    else
      throw Error(e.message_for(source));
  }
}

// "~" and "/" escaped as a JSON pointer token (RFC 6901).
std::string escape_pointer_token(std::string_view token);

// The candidate closest to `name` (Levenshtein distance) within about a third
// of its length, the first of equally close ones, or "": the one source of
// "did you mean" suggestions.
std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace cadre::common
