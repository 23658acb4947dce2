// The exit code of a simulation that stopped with an error (docs/cli.md).
#pragma once

#include "cadre/sim/sim_error.h"
#include "exit_codes.h"

namespace cadre::cli {

constexpr int exit_code_of(sim::SimErrorKind kind) {
  switch (kind) {
    case sim::SimErrorKind::IllegalInstruction: return kExitSimIllegalInstruction;
    case sim::SimErrorKind::MisalignedAccess: return kExitSimMisalignedAccess;
    case sim::SimErrorKind::AccessFault: return kExitSimAccessFault;
    case sim::SimErrorKind::FetchFault: return kExitSimFetchFault;
    case sim::SimErrorKind::BadEcall: return kExitSimBadEcall;
    case sim::SimErrorKind::MaxCycles: return kExitSimMaxCycles;
  }
  return kExitInternal;
}

}  // namespace cadre::cli
