#include "cadre/runtime/kernel_profile.h"

#include <algorithm>

#include "cadre/compiler/kernel_tags.h"

namespace cadre::runtime {

LayerProfile profile_layer(const sim::SimResult& r) {
  LayerProfile p;
  std::vector<KernelActivity> by_kernel(model::kKernelCount);
  for (size_t k = 0; k < model::kKernelCount; ++k) by_kernel[k].kernel = static_cast<model::Kernel>(k);
  const double tiles = static_cast<double>(r.tiles.size());
  uint64_t dma_bytes = 0;
  for (const sim::TileResult& tile : r.tiles) {
    // A tile done before the last is idle until the layer ends.
    p.control_cycles += static_cast<double>(tile.idle_cycles + (r.cycles - tile.cycles)) / tiles;
    for (uint32_t tag = 0; tag < tile.tags.size(); ++tag) {
      const sim::TagStats& s = tile.tags[tag];
      const uint64_t instructions = tile.stats.instructions_by_tag[tag];
      dma_bytes += s.work.dma_bytes_read + s.work.dma_bytes_written;
      const std::optional<model::Kernel> kernel = compiler::tag_kernel(tag);
      if (!kernel) {
        p.control_cycles += s.attributed_cycles / tiles;
        p.control_instructions += instructions;
        continue;
      }
      KernelActivity& k = by_kernel[static_cast<size_t>(*kernel)];
      k.commands += s.commands;
      k.cycles += s.attributed_cycles / tiles;
      if (s.commands) k.span_cycles = std::max(k.span_cycles, s.last_cycle - s.first_cycle);
      k.matrix_busy_cycles += s.matrix_busy_cycles;
      k.vector_busy_cycles += s.vector_busy_cycles;
      k.load_busy_cycles += s.queue_busy_cycles[static_cast<size_t>(isa::Queue::Load)];
      k.store_busy_cycles += s.queue_busy_cycles[static_cast<size_t>(isa::Queue::Store)];
      k.work += s.work;
      k.instructions += instructions;
    }
  }
  uint64_t hbm_bytes = 0;
  for (const sim::HbmChannelStats& c : r.hbm_channels) hbm_bytes += c.bytes;
  p.control_hbm_bytes = hbm_bytes > dma_bytes ? hbm_bytes - dma_bytes : 0;
  for (const KernelActivity& k : by_kernel)
    if (k.commands || k.instructions) p.kernels.push_back(k);
  return p;
}

energy::Activity activity_of(const KernelActivity& k) {
  energy::Activity a;
  a.bf16_macs = k.work.bf16_macs;
  a.fp8_macs = k.work.macs - k.work.bf16_macs;
  a.vector_elements = k.work.vector_elements;
  a.scratchpad_bytes = k.work.scratchpad_bytes;
  a.accumulator_bytes = k.work.accumulator_bytes;
  a.hbm_bytes = a.interconnect_bytes = k.work.dma_bytes_read + k.work.dma_bytes_written;
  a.instructions = k.instructions;
  return a;
}

}  // namespace cadre::runtime
