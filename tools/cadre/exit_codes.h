// What `cadre` exit codes mean (also in docs/cli.md).
#pragma once

namespace cadre::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitMismatch = 1,    // a check ran and found a difference
  kExitUsage = 2,       // bad command line
  kExitBadInput = 3,    // an input file or configuration is malformed or impossible
  kExitIo = 4,          // a file could not be read or written
  kExitInternal = 70,   // a bug in Cadre: please report it
};

}  // namespace cadre::cli
