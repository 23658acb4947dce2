// Reading a whole input file into memory, with its size checked first: a
// device (/dev/zero), a pipe or a directory is refused before any byte is read,
// and so is a file larger than the reader allows.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cadre::common {

class FileReadError : public std::runtime_error {
 public:
  enum class Kind {
    Unreadable,  // missing, not permitted, not a regular file, or a read failed
    TooLarge,    // larger than the reader's limit
  };
  FileReadError(Kind k, const std::string& message) : std::runtime_error(message), kind(k) {}
  Kind kind;
};

// The bytes of the regular file `path`, at most `max_bytes` of them; the
// message names the path and, for TooLarge, its size and the limit.
std::vector<uint8_t> read_file(const std::string& path, uint64_t max_bytes);

}  // namespace cadre::common
