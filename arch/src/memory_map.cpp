#include "cadre/arch/memory_map.h"

namespace cadre::arch {

Region scratchpad_region(const ArchConfig& cfg) { return {kScratchpadBase, cfg.scratchpad.bytes}; }
Region accumulator_region(const ArchConfig& cfg) { return {kAccumulatorBase, cfg.accumulator.bytes}; }
Region ram_region(const ArchConfig& cfg) { return {kRamBase, cfg.ram.bytes}; }

Region stack_region(const ArchConfig& cfg, uint32_t tile) {
  const uint64_t top = ram_region(cfg).end() - uint64_t{tile} * cfg.ram.stack_bytes_per_tile;
  return {top - cfg.ram.stack_bytes_per_tile, cfg.ram.stack_bytes_per_tile};
}

Region hbm_region(const ArchConfig& cfg) { return {kHbmBase, hbm_capacity_bytes(cfg)}; }

}  // namespace cadre::arch
