// Writing a command's output file: the whole content or an error naming the path.
#pragma once

#include <span>
#include <string>

namespace cadre::cli {

// Returns "" on success, else why the file could not be written.
std::string write_file(const std::string& path, std::span<const char> bytes);

}  // namespace cadre::cli
