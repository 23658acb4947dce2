#include <fmt/format.h>

#include "cadre/arch/arch_json.h"

namespace cadre::arch {
namespace {

std::string message(const std::string& source, const std::string& path, const std::string& reason) {
  return path.empty() ? fmt::format("{}: {}", source, reason) : fmt::format("{}: {}: {}", source, path, reason);
}

}  // namespace

ConfigError::ConfigError(std::string source, std::string path, std::string reason)
    : std::runtime_error(message(source, path, reason)),
      source_(std::move(source)),
      path_(std::move(path)),
      reason_(std::move(reason)) {}

ConfigError::ConfigError(std::string source, size_t line, size_t column, std::string reason)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", source, line, column, reason)),
      source_(std::move(source)),
      reason_(std::move(reason)) {}

}  // namespace cadre::arch
