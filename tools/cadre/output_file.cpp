#include "output_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace cadre::cli {

std::string write_file(const std::string& path, std::span<const char> bytes) {
  if (path.empty()) return "the output path is empty";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  return "";
}

}  // namespace cadre::cli
