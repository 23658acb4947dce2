// Where each memory lives in the address spaces a tile sees. Local addresses
// (32-bit) name the tile's own SRAMs; chip addresses (64-bit) name RAM and HBM,
// shared by all tiles. Sizes come from the configuration.
#pragma once

#include <cstdint>

#include "cadre/arch/arch_config.h"

namespace cadre::arch {

// Local: each tile sees its own scratchpad and accumulator here.
inline constexpr uint64_t kScratchpadBase = 0x2000'0000;
inline constexpr uint64_t kAccumulatorBase = 0x3000'0000;
// Room reserved for each local memory, and so the largest allowed size.
inline constexpr uint64_t kLocalWindowBytes = 0x1000'0000;
// Chip: RAM (program, data, stacks), then HBM up to the end of the 64-bit space.
inline constexpr uint64_t kRamBase = 0x8000'0000;
inline constexpr uint64_t kHbmBase = 0x1'0000'0000;
inline constexpr uint64_t kRamWindowBytes = kHbmBase - kRamBase;

static_assert(kScratchpadBase + kLocalWindowBytes <= kAccumulatorBase);
static_assert(kAccumulatorBase + kLocalWindowBytes <= kRamBase);

// A half-open address range [base, base + size).
struct Region {
  uint64_t base = 0;
  uint64_t size = 0;
  constexpr uint64_t end() const { return base + size; }
  // Whether [addr, addr + bytes) lies inside, without overflowing.
  constexpr bool contains(uint64_t addr, uint64_t bytes = 1) const {
    return addr >= base && bytes <= size && addr - base <= size - bytes;
  }
  bool operator==(const Region&) const = default;
};

Region scratchpad_region(const ArchConfig& cfg);
Region accumulator_region(const ArchConfig& cfg);
Region ram_region(const ArchConfig& cfg);
// Tile `tile`'s stack: tile 0 at the top of RAM, the next below it. A tile
// starts with sp = end(). `tile` must be less than cfg.tiles.
Region stack_region(const ArchConfig& cfg, uint32_t tile);
Region hbm_region(const ArchConfig& cfg);

}  // namespace cadre::arch
