// The passes of passes.def, one function each (pass_<Enumerator>), in their own files.
#pragma once

#include "cadre/compiler/pass_manager.h"

namespace cadre::compiler {

#define COMPILER_PASS(E, name, summary) void pass_##E(Module& module, const PassOptions& options, const PassContext& context);
#include "cadre/compiler/passes.def"

}  // namespace cadre::compiler
