// Putting an ELF program into simulated memory (BRIEF section 10): segments go
// where the ELF says, which must be RAM or HBM; the entry must be in a segment.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "cadre/arch/arch_config.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/sparse_memory.h"

namespace cadre::sim {

// The program does not fit the chip; the message names the input, the segment
// and the memory map.
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws LoadError, touching no memory, unless every segment lies wholly
// inside RAM or HBM, clear of the tiles' stack regions, and the entry lies
// inside an executable segment. (The ELF reader has refused segments that
// overlap one another.)
void check_program(const elf::Program& program, const arch::ArchConfig& cfg, std::string_view name);

// check_program, then copies each segment's bytes and zeroes the rest of its
// memsz (.bss), so start files need not clear .bss (and tiles do not race to).
void load_program(const elf::Program& program, const arch::ArchConfig& cfg, std::string_view name,
                  SparseMemory& ram, SparseMemory& hbm);

}  // namespace cadre::sim
