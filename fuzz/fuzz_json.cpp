// Fuzz target: the strict JSON reader every reader of outside JSON goes
// through (common::parse_json_strict), on arbitrary text. Any input either
// parses into a value that prints and parses back equal, or throws
// JsonTextError with a position (line and column from 1) or a JSON pointer;
// anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cadre/common/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json value = cadre::common::parse_json_strict(text);
    if (cadre::common::parse_json_strict(value.dump()) != value) __builtin_trap();
  } catch (const cadre::common::JsonTextError& e) {
    const bool has_position = e.line() >= 1 && e.column() >= 1;
    const bool has_pointer = e.line() == 0 && !e.pointer().empty() && e.pointer()[0] == '/';
    if (has_position == has_pointer || e.reason().empty()) __builtin_trap();
    if (has_position && e.line() > size + 1) __builtin_trap();
    // Both message forms are built for every refusal.
    if (e.message_for("fuzz.json").empty() || e.message_for({"fuzz.safetensors", "header"}).empty()) __builtin_trap();
  }
  return 0;
}
