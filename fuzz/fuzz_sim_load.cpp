// Fuzz target: loading an ELF into simulated memory, on each architecture
// preset (their memory maps differ). Any input either loads, with every
// segment readable back from RAM or HBM where the ELF put it (its file bytes
// whole, its zero fill at both ends; where segments overlap the later one
// wins), or throws ElfError (a malformed file) or LoadError (a segment
// outside memory); anything else is a bug. No SystemC is elaborated.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/program_loader.h"
#include "cadre/sim/sparse_memory.h"

namespace {

using cadre::elf::Segment;

// How much of a segment's zero fill is read back at each end: all of it for a
// huge .bss would take the fuzzer's time, not find more.
constexpr uint64_t kZeroFillChecked = 64;

// What [begin, begin + size) should hold: the segments painted in order.
std::vector<uint8_t> expected(const std::vector<Segment>& segments, uint64_t begin, uint64_t size) {
  std::vector<uint8_t> out(size, 0);
  for (const Segment& s : segments) {
    const uint64_t lo = std::max(begin, s.vaddr), hi = std::min(begin + size, s.vaddr + s.memsz);
    for (uint64_t a = lo; a < hi; ++a) out[a - begin] = a - s.vaddr < s.bytes.size() ? s.bytes[a - s.vaddr] : 0;
  }
  return out;
}

void check_range(const cadre::sim::SparseMemory& memory, const std::vector<Segment>& segments, uint64_t begin,
                 uint64_t size) {
  if (size == 0) return;
  std::vector<uint8_t> back(size);
  memory.read(begin, back);
  if (back != expected(segments, begin, size)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<cadre::arch::ArchConfig> archs = [] {
    std::vector<cadre::arch::ArchConfig> out;
    for (const std::string_view name : cadre::arch::preset_names()) out.push_back(cadre::arch::load_arch(name));
    return out;
  }();
  cadre::elf::Program program;
  try {
    program = cadre::elf::load_elf(std::span<const uint8_t>(data, size), "fuzz.elf");
  } catch (const cadre::elf::ElfError&) {
    return 0;
  }
  for (const Segment& s : program.segments)
    if (s.bytes.size() > s.memsz || s.bytes.size() > size) __builtin_trap();
  for (const cadre::arch::ArchConfig& cfg : archs) {
    cadre::sim::SparseMemory ram(cadre::arch::ram_region(cfg)), hbm(cadre::arch::hbm_region(cfg));
    try {
      cadre::sim::load_program(program, cfg, "fuzz.elf", ram, hbm);
    } catch (const cadre::sim::LoadError&) {
      continue;
    }
    for (const Segment& s : program.segments) {
      // The loader put each segment wholly in RAM or wholly in HBM.
      const bool in_ram = ram.region().contains(s.vaddr, s.memsz);
      if (!in_ram && !hbm.region().contains(s.vaddr, s.memsz)) __builtin_trap();
      const cadre::sim::SparseMemory& memory = in_ram ? ram : hbm;
      const uint64_t filled = s.bytes.size(), fill = s.memsz - filled;
      check_range(memory, program.segments, s.vaddr, filled);
      check_range(memory, program.segments, s.vaddr + filled, std::min(fill, kZeroFillChecked));
      if (fill > kZeroFillChecked)
        check_range(memory, program.segments, s.vaddr + s.memsz - std::min(fill - kZeroFillChecked, kZeroFillChecked),
                    std::min(fill - kZeroFillChecked, kZeroFillChecked));
    }
  }
  return 0;
}
