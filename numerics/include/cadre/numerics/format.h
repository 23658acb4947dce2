// Element formats as plain data, from formats.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cadre::num {

enum class Format : uint8_t {
#define CADRE_FORMAT(E, code, bytes, name) E = (code),
#include "cadre/numerics/formats.def"
};

struct FormatInfo {
  Format format;
  uint8_t code;
  uint8_t bytes;
  std::string_view name;
};

inline constexpr FormatInfo kFormats[] = {
#define CADRE_FORMAT(E, code, bytes, name) {Format::E, (code), (bytes), (name)},
#include "cadre/numerics/formats.def"
};

// Information for a format code as found in an instruction operand, if it is one.
constexpr std::optional<FormatInfo> format_from_code(uint64_t code) {
  for (const FormatInfo& f : kFormats)
    if (f.code == code) return f;
  return std::nullopt;
}

constexpr std::optional<FormatInfo> format_from_name(std::string_view name) {
  for (const FormatInfo& f : kFormats)
    if (f.name == name) return f;
  return std::nullopt;
}

constexpr const FormatInfo& info(Format f) {
  for (const FormatInfo& i : kFormats)
    if (i.format == f) return i;
  return kFormats[0];  // unreachable: every enumerator has a row
}

}  // namespace cadre::num
