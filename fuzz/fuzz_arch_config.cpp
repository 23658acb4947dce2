// The architecture JSON parser on arbitrary bytes: it either returns a config
// or throws ConfigError. Anything else escaping (another exception, a crash,
// a sanitizer report) is a bug. An accepted config must also round-trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const cadre::arch::ArchConfig cfg = cadre::arch::parse_arch_json(text, "fuzz.json");
    if (cadre::arch::parse_arch_json(cadre::arch::to_json(cfg).dump(), "round-trip.json") != cfg) std::abort();
    // Derived figures of an accepted config are defined (UBSan watches them).
    const cadre::arch::Region last_stack = cadre::arch::stack_region(cfg, cfg.tiles - 1);
    if (!cadre::arch::ram_region(cfg).contains(last_stack.base, last_stack.size)) std::abort();
    if (cadre::arch::dma_peak_bytes_per_cycle_per_tile(cfg) <= 0) std::abort();
  } catch (const cadre::arch::ConfigError&) {
    // The expected way to refuse input.
  }
  return 0;
}
