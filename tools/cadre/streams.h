// cadre's standard streams when they fail: a diagnostic that cannot be written
// is dropped (the exit code still says what happened), and output that could
// not be written to stdout is one exit code on every command (kExitIo,
// docs/cli.md).
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <utility>

namespace cadre::cli {

// Before anything else: a closed stdout or stderr would let the next file
// opened take its descriptor, and output meant for the stream would go into
// that file. A closed stdout becomes /dev/full (so that writing to it fails
// and is reported), a closed stderr /dev/null.
void guard_standard_streams();

// A diagnostic on stderr. Unlike fmt::print it never throws: a failed write
// of a message must not turn the command's exit code into an abort.
template <class... T>
void print_stderr(fmt::format_string<T...> format, T&&... args) {
  const std::string text = fmt::format(format, std::forward<T>(args)...);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

// Flushes stdout (and std::cout). When anything written to it was lost, says
// so on stderr and returns kExitIo; otherwise returns `exit_code`.
int finish_stdout(int exit_code);

// Whether a write to stdout has failed (so an exception thrown from a print
// is a failed write of the command's output, not a bug).
bool stdout_failed();

}  // namespace cadre::cli
