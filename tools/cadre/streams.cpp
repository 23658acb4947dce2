#include "streams.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "exit_codes.h"

namespace cadre::cli {

void guard_standard_streams() {
  // open() returns the lowest free descriptor: the closed stream's.
  if (fcntl(STDOUT_FILENO, F_GETFD) < 0 && errno == EBADF) (void)open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fcntl(STDERR_FILENO, F_GETFD) < 0 && errno == EBADF) (void)open("/dev/null", O_WRONLY | O_CLOEXEC);
}

bool stdout_failed() { return std::ferror(stdout) != 0 || std::cout.fail(); }

int finish_stdout(int exit_code) {
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (flushed && !stdout_failed()) return exit_code;
  print_stderr("cadre: the output could not be written to stdout{}\n",
               flushed ? "" : fmt::format(": {}", std::strerror(error)));
  return kExitIo;
}

}  // namespace cadre::cli
