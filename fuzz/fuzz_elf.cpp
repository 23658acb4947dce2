// Fuzz target: the ELF reader on arbitrary bytes. Any input either loads into
// a Program whose parts all lie where the file said, or throws ElfError;
// anything else (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "cadre/elf/elf_program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const cadre::elf::Program program = cadre::elf::load_elf(std::span<const uint8_t>(data, size), "fuzz.elf");
    for (const cadre::elf::Segment& s : program.segments)
      if (s.bytes.size() > s.memsz || s.bytes.size() > size) __builtin_trap();
    for (const cadre::elf::CodeSection& c : program.code_sections)
      if (c.bytes.size() > size) __builtin_trap();
  } catch (const cadre::elf::ElfError&) {
  }
  return 0;
}
