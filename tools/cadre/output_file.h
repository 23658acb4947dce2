// A command's output files: checked before the work, written whole after it.
#pragma once

#include <CLI/CLI.hpp>

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace cadre::cli {

// Returns "" on success, else why the file could not be written.
std::string write_file(const std::string& path, std::span<const char> bytes);

// One output named on the command line: a file, or a directory the command fills.
struct OutputPath {
  enum class Kind { File, Directory };
  std::string_view option;  // e.g. "--trace"
  const std::string& path;
  Kind kind = Kind::File;
};

// Before any work, every output option given on `cmd`: its path must not be
// empty nor name one of `inputs` (usage errors, exit 2), and it must be
// writable (exit 4): a file's directory exists and the file, if there, is not
// a directory and may be written; a directory exists or is made now, and may
// be written. Throws InputError naming the option and the path.
void check_outputs(const CLI::App& cmd, std::initializer_list<OutputPath> outputs,
                   std::initializer_list<std::string_view> inputs);

}  // namespace cadre::cli
