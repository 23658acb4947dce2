#include "cadre/isa/registers.h"

#include <charconv>

namespace cadre::isa {

std::optional<unsigned> register_number(std::string_view name) {
  for (unsigned r = 0; r < kAbiRegisterNames.size(); ++r)
    if (kAbiRegisterNames[r] == name) return r;
  if (name == "fp") return 8;
  if (name.size() >= 2 && name[0] == 'x') {
    unsigned r = 0;
    const auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), r);
    if (ec == std::errc{} && end == name.data() + name.size() && r < 32) return r;
  }
  return std::nullopt;
}

}  // namespace cadre::isa
