// What `cadre` exit codes mean (also in docs/cli.md).
#pragma once

#include <string>

namespace cadre::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitMismatch = 1,    // a check ran and found a difference
  kExitUsage = 2,       // bad command line
  kExitBadInput = 3,    // an input file or configuration is malformed or impossible
  kExitIo = 4,          // a file could not be read or written
  kExitInternal = 70,   // a bug in Cadre: please report it
  // `cadre sim`: the simulated program stopped with an error (the message names
  // the tile, PC, cycle and instruction). Otherwise the program's own exit code
  // passes through, so these sit above the small codes programs use.
  kExitSimIllegalInstruction = 101,  // includes an Xcadre instruction with no unit attached
  kExitSimMisalignedAccess = 102,
  kExitSimAccessFault = 103,         // a load or store outside every mapped region
  kExitSimFetchFault = 104,          // a jump outside memory, or to a misaligned address
  kExitSimBadEcall = 105,            // unknown a7, or a write to a file descriptor other than 1 and 2
  kExitSimMaxCycles = 106,           // ran past --max-cycles
};

// A problem with the command's inputs or outputs: the message and the exit code.
struct InputError {
  std::string message;
  int code;
};

}  // namespace cadre::cli
