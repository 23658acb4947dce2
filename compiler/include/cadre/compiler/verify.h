// The verifier: run on every module the parser reads and after every pass,
// so a pass that breaks the IR is caught at the pass, with the op or
// statement named.
#pragma once

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/ir.h"

namespace cadre::compiler {

// Throws IrError naming the first problem. With an architecture, allocated
// addresses and semaphore numbers are checked against its memories too.
void verify(const Module& module, const arch::ArchConfig* arch = nullptr);

// The isa table's operand fields of an instruction: rs1's, then rs2's.
std::vector<isa::Field> command_fields(isa::Op op);

}  // namespace cadre::compiler
