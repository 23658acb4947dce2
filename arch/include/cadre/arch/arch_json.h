// Reading, checking and writing architecture configurations (JSON), and the
// presets built into the library from configs/arch/*.json.
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cadre/arch/arch_config.h"
#include "cadre/common/json_text.h"

namespace cadre::arch {

// A configuration that cannot be used. what() reads "SOURCE: /json/path: reason",
// or "SOURCE:LINE:COL: malformed JSON: ..." when the text is not JSON.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string source, std::string path, std::string reason);
  // A text refused by the JSON reader (common::parse_json): malformed JSON has
  // a position in the message and no path.
  ConfigError(const common::JsonSource& source, const common::JsonTextError& e);
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }  // JSON pointer; empty for malformed JSON
  const std::string& reason() const { return reason_; }

 private:
  std::string source_, path_, reason_;
};

// Parse and validate. `source_name` is what error messages call the text.
ArchConfig parse_arch_json(std::string_view text, std::string_view source_name);

// A preset by name, else a JSON file by path.
ArchConfig load_arch(std::string_view preset_name_or_path);
std::span<const std::string_view> preset_names();

// Every range and cross-field rule (docs/architecture-config.md), for configs
// built or changed in code, e.g. by design-space exploration. parse_arch_json
// already calls it.
void validate_arch(const ArchConfig& cfg, std::string_view source_name);

// JSON that parse_arch_json reads back to an equal config, fields in table order.
nlohmann::ordered_json to_json(const ArchConfig& cfg);

// The fields of the JSON format, from arch_fields.def.
enum class FieldKind : uint8_t { Object, Unsigned, Real, String, FormatList, Choice };
enum class FieldRule : uint8_t { None, PowerOfTwo, Identifier };
struct FieldInfo {
  std::string_view path;  // JSON pointer
  FieldKind kind;
  double min, max;        // value, string length or list length; unused for objects
  FieldRule rule;
  std::string_view unit;
  std::string_view description;
  std::span<const std::string_view> choices = {};  // the names a Choice takes
};
std::span<const FieldInfo> arch_fields();

// configs/arch/schema.json (JSON Schema draft 2020-12), made from arch_fields().
nlohmann::ordered_json arch_schema();

}  // namespace cadre::arch
