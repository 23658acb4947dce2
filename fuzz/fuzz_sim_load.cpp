// Fuzz target: loading an ELF into simulated memory. Any input either loads,
// with every byte of every segment readable back from RAM or HBM where the
// ELF put it, or throws ElfError (malformed file) or LoadError (a segment
// outside memory); anything else is a bug. No SystemC is elaborated.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/program_loader.h"
#include "cadre/sim/sparse_memory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cadre::arch::ArchConfig cfg = cadre::arch::load_arch("small");
  try {
    const cadre::elf::Program program = cadre::elf::load_elf(std::span<const uint8_t>(data, size), "fuzz.elf");
    cadre::sim::SparseMemory ram(cadre::arch::ram_region(cfg)), hbm(cadre::arch::hbm_region(cfg));
    cadre::sim::load_program(program, cfg, "fuzz.elf", ram, hbm);
    // Later segments may overwrite earlier ones, so check the last one only.
    if (!program.segments.empty()) {
      const cadre::elf::Segment& s = program.segments.back();
      cadre::sim::SparseMemory& m = ram.region().contains(s.vaddr, s.memsz) ? ram : hbm;
      std::vector<uint8_t> back(s.bytes.size());
      if (s.memsz != 0) m.read(s.vaddr, back);
      if (s.memsz != 0 && back != s.bytes) __builtin_trap();
    }
  } catch (const cadre::elf::ElfError&) {
  } catch (const cadre::sim::LoadError&) {
  }
  return 0;
}
