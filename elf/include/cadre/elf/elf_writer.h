// Writing RV64 ELF executables: what the compiler emits. The output is what
// load_elf reads back (a test round-trips it) and what the simulator loads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cadre/elf/elf_program.h"

namespace cadre::elf {

struct ExecutableImage {
  uint64_t entry = 0;
  CodeSection text;                        // one executable PT_LOAD segment, read + execute
  std::vector<DataSection> data_sections;  // not loaded, e.g. `.cadre.args`
  std::vector<Symbol> symbols;             // .symtab (Func symbols in .text, others absolute)
};

// A little-endian ELFCLASS64 ET_EXEC for EM_RISCV.
std::vector<uint8_t> write_elf(const ExecutableImage& image);

}  // namespace cadre::elf
