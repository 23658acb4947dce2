#include "cadre/sim/program_loader.h"

#include <fmt/format.h>


#include "cadre/arch/memory_map.h"

namespace cadre::sim {

void check_program(const elf::Program& program, const arch::ArchConfig& cfg, std::string_view name) {
  const arch::Region ram = arch::ram_region(cfg), hbm = arch::hbm_region(cfg);
  bool entry_in_code = false;
  for (size_t i = 0; i < program.segments.size(); ++i) {
    const elf::Segment& s = program.segments[i];
    if (s.memsz == 0) continue;
    if (!ram.contains(s.vaddr, s.memsz) && !hbm.contains(s.vaddr, s.memsz))
      throw LoadError(fmt::format(
          "{}: segment {} [{:#x}, +{:#x}) is outside simulated memory (RAM [{:#x}, {:#x}), HBM [{:#x}, {:#x}) "
          "for architecture '{}')",
          name, i, s.vaddr, s.memsz, ram.base, ram.end(), hbm.base, hbm.end(), cfg.name));
    if ((s.flags & elf::kSegmentExec) && program.entry >= s.vaddr && program.entry - s.vaddr < s.memsz)
      entry_in_code = true;
  }
  if (!entry_in_code)
    throw LoadError(fmt::format("{}: entry point {:#x} is not inside an executable segment", name, program.entry));
}

void load_program(const elf::Program& program, const arch::ArchConfig& cfg, std::string_view name,
                  SparseMemory& ram, SparseMemory& hbm) {
  check_program(program, cfg, name);
  for (const elf::Segment& s : program.segments) {
    if (s.memsz == 0) continue;
    SparseMemory& memory = ram.region().contains(s.vaddr, s.memsz) ? ram : hbm;
    memory.write(s.vaddr, s.bytes);
    memory.zero(s.vaddr + s.bytes.size(), s.memsz - s.bytes.size());
  }
}

}  // namespace cadre::sim
