#include "output_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "exit_codes.h"

namespace cadre::cli {
namespace {

namespace fs = std::filesystem;

// Whether two paths name the same file: the same inode when both exist, else
// the same absolute path once normalised.
bool same_file(const std::string& a, std::string_view b) {
  std::error_code ec;
  if (fs::equivalent(a, b, ec)) return true;
  return fs::absolute(a, ec).lexically_normal() == fs::absolute(b, ec).lexically_normal();
}

// Why `path` cannot be written as `kind`, or "".
std::string unwritable(const std::string& path, OutputPath::Kind kind) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (kind == OutputPath::Kind::Directory) {
    if (fs::exists(status) && !fs::is_directory(status)) return "it exists and is not a directory";
    if (!fs::exists(status) && !fs::create_directories(path, ec) && ec) return ec.message();
    return access(path.c_str(), W_OK) == 0 ? "" : std::strerror(errno);
  }
  if (fs::is_directory(status)) return "it is a directory";
  if (fs::exists(status)) return access(path.c_str(), W_OK) == 0 ? "" : std::strerror(errno);
  const fs::path parent = fs::absolute(path, ec).parent_path();
  if (!fs::is_directory(parent, ec)) return fmt::format("the directory {} does not exist", parent.string());
  return access(parent.c_str(), W_OK) == 0 ? "" : fmt::format("{}: {}", parent.string(), std::strerror(errno));
}

}  // namespace

std::string write_file(const std::string& path, std::span<const char> bytes) {
  if (path.empty()) return "the output path is empty";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  return "";
}

void check_outputs(const CLI::App& cmd, std::initializer_list<OutputPath> outputs,
                   std::initializer_list<std::string_view> inputs) {
  for (const OutputPath& o : outputs) {
    if (cmd.count(std::string(o.option)) == 0) continue;
    if (o.path.empty()) throw InputError{fmt::format("{}: the path is empty", o.option), kExitUsage};
    if (o.path == "-" && o.kind == OutputPath::Kind::File) continue;  // stdout, where the command allows it
    for (std::string_view input : inputs)
      if (!input.empty() && same_file(o.path, input))
        throw InputError{fmt::format("{} {}: that is an input of the command; refusing to overwrite it", o.option, o.path),
                         kExitUsage};
    if (const std::string why = unwritable(o.path, o.kind); !why.empty())
      throw InputError{fmt::format("{} {}: cannot be written: {}", o.option, o.path, why), kExitIo};
  }
}

}  // namespace cadre::cli
