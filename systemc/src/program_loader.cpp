#include "cadre/sim/program_loader.h"

#include <fmt/format.h>

#include <algorithm>

#include "cadre/arch/memory_map.h"

namespace cadre::sim {

void check_program(const elf::Program& program, const arch::ArchConfig& cfg, std::string_view name) {
  const arch::Region ram = arch::ram_region(cfg), hbm = arch::hbm_region(cfg);
  const arch::Region lowest_stack = arch::stack_region(cfg, cfg.tiles - 1);
  const arch::Region stacks{lowest_stack.base, ram.end() - lowest_stack.base};
  bool entry_in_code = false;
  for (size_t i = 0; i < program.segments.size(); ++i) {
    const elf::Segment& s = program.segments[i];
    if (s.memsz == 0) continue;
    if (!ram.contains(s.vaddr, s.memsz) && !hbm.contains(s.vaddr, s.memsz))
      throw LoadError(fmt::format(
          "{}: segment {} [{:#x}, +{:#x}) is outside simulated memory (RAM [{:#x}, {:#x}), HBM [{:#x}, {:#x}) "
          "for architecture '{}')",
          name, i, s.vaddr, s.memsz, ram.base, ram.end(), hbm.base, hbm.end(), cfg.name));
    // The tiles' stacks lie at the top of RAM, tile 0's highest; a program image
    // there would be overwritten by the first calls, or overwrite a stack.
    if (s.vaddr < stacks.end() && stacks.base < s.vaddr + s.memsz) {
      const uint64_t highest = std::min(s.vaddr + s.memsz, stacks.end()) - 1;
      throw LoadError(fmt::format("{}: segment {} [{:#x}, +{:#x}) overlaps the tiles' stacks [{:#x}, {:#x}) (tile {}'s "
                                  "among them; {} bytes each at the top of RAM, ram/stack_bytes_per_tile)",
                                  name, i, s.vaddr, s.memsz, stacks.base, stacks.end(),
                                  (stacks.end() - 1 - highest) / cfg.ram.stack_bytes_per_tile,
                                  cfg.ram.stack_bytes_per_tile));
    }
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
