#include "cadre/common/read_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cadre::common {

std::vector<uint8_t> read_file(const std::string& path, uint64_t max_bytes) {
  using Kind = FileReadError::Kind;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileReadError(Kind::Unreadable, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  const auto fail = [&](Kind kind, const std::string& why) {
    ::close(fd);
    throw FileReadError(kind, fmt::format("{}: {}", path, why));
  };
  if (fstat(fd, &st) != 0) fail(Kind::Unreadable, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail(Kind::Unreadable, "is a directory");
  if (!S_ISREG(st.st_mode)) fail(Kind::Unreadable, "not a regular file (a device, pipe or socket is not read)");
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes)
    fail(Kind::TooLarge, fmt::format("{} bytes: larger than the {} bytes this input may have", size, max_bytes));
  std::vector<uint8_t> bytes(size);
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(Kind::Unreadable, fmt::format("read error: {}", std::strerror(errno)));
    if (n == 0) fail(Kind::Unreadable, fmt::format("shrank to {} bytes while being read", done));
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

}  // namespace cadre::common
