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

ConfigError::ConfigError(const common::JsonSource& source, const common::JsonTextError& e)
    : std::runtime_error(e.message_for(source)),
      source_(source.file),
      path_(e.pointer()),
      reason_(e.line() != 0 ? "malformed JSON: " + e.reason() : e.reason()) {}

}  // namespace cadre::arch
