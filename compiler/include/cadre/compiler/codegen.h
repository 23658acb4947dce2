// The code generator: an allocated tile program to RV64IM + Xcadre machine
// code for the control core, as GNU-as assembly and as an ELF whose code
// bytes are what riscv64-unknown-elf-as makes of that assembly (a test
// checks it), with the argument block beside the code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/ir.h"

namespace cadre::compiler {

struct MachineCode {
  std::string assembly;        // GNU as, custom instructions as `.insn r`
  std::vector<uint8_t> code;   // .text at the start of RAM (the entry)
  uint64_t address = 0;
  std::string args_json;       // the argument block (argument_block.h)
  std::vector<uint8_t> elf;    // the executable: code + `.cadre.args`
  uint64_t instructions() const { return code.size() / 4; }
};

// Throws IrError when the program is not ready (parallel loops not
// distributed, addresses not allocated) or needs more registers than the core has.
MachineCode generate(const Module& module, const arch::ArchConfig& arch);

}  // namespace cadre::compiler
