#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "presets.h"

namespace cadre::arch {

std::span<const std::string_view> preset_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const detail::PresetText& p : detail::preset_texts()) out.push_back(p.name);
    return out;
  }();
  return names;
}

ArchConfig load_arch(std::string_view preset_name_or_path) {
  for (const detail::PresetText& p : detail::preset_texts())
    if (p.name == preset_name_or_path) return parse_arch_json(p.text, fmt::format("configs/arch/{}.json", p.name));

  const std::string path(preset_name_or_path);
  const auto refuse = [&](std::string_view why) {
    return ConfigError(path, "", fmt::format("{}, and it is not a preset ({})", why, fmt::join(preset_names(), ", ")));
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw refuse("no such file");
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw refuse(fmt::format("cannot read it: {}", std::strerror(errno)));
  return parse_arch_json(text, path);
}

}  // namespace cadre::arch
