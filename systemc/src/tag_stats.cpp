#include "cadre/sim/tag_stats.h"

#include <algorithm>

namespace cadre::sim {

UnitWork& UnitWork::operator+=(const UnitWork& o) {
  macs += o.macs;
  bf16_macs += o.bf16_macs;
  vector_elements += o.vector_elements;
  dma_bytes_read += o.dma_bytes_read;
  dma_bytes_written += o.dma_bytes_written;
  scratchpad_bytes += o.scratchpad_bytes;
  accumulator_bytes += o.accumulator_bytes;
  return *this;
}

UnitWork UnitWork::operator-(const UnitWork& o) const {
  return {macs - o.macs,
          bf16_macs - o.bf16_macs,
          vector_elements - o.vector_elements,
          dma_bytes_read - o.dma_bytes_read,
          dma_bytes_written - o.dma_bytes_written,
          scratchpad_bytes - o.scratchpad_bytes,
          accumulator_bytes - o.accumulator_bytes};
}

void TagTimeline::advance(uint64_t cycle) {
  if (cycle <= last_) return;
  const uint64_t dt = cycle - last_;
  last_ = cycle;
  if (distinct_ == 0) {
    idle_ += dt;
    return;
  }
  const double share = static_cast<double>(dt) / distinct_;
  for (size_t t = 0; t < running_.size(); ++t)
    if (running_[t]) attributed_[t] += share;
}

void TagTimeline::begin(uint32_t tag, uint64_t cycle) {
  advance(cycle);
  if (running_[tag]++ == 0) ++distinct_;
}

void TagTimeline::end(uint32_t tag, uint64_t cycle) {
  advance(cycle);
  if (--running_[tag] == 0) --distinct_;
}

const char* name(ActivityUnit unit) {
  switch (unit) {
    case ActivityUnit::Matrix: return "matrix";
    case ActivityUnit::Vector: return "vector";
    case ActivityUnit::DmaLoad: return "dma_load";
    case ActivityUnit::DmaStore: return "dma_store";
  }
  return "?";
}

void UtilisationTimeline::add(ActivityUnit unit, uint64_t start, uint64_t end) {
  if (end <= start) return;
  while (end > bin_cycles_ * kMaxBins) {
    // Twice as wide: bins 2i and 2i + 1 become bin i.
    std::vector<std::array<uint64_t, kActivityUnitCount>> merged((bins_.size() + 1) / 2);
    for (size_t i = 0; i < bins_.size(); ++i)
      for (size_t u = 0; u < kActivityUnitCount; ++u) merged[i / 2][u] += bins_[i][u];
    bins_ = std::move(merged);
    bin_cycles_ *= 2;
  }
  const size_t last = static_cast<size_t>((end - 1) / bin_cycles_);
  if (bins_.size() <= last) bins_.resize(last + 1);
  for (uint64_t at = start; at < end;) {
    const size_t bin = static_cast<size_t>(at / bin_cycles_);
    const uint64_t to = std::min(end, (bin + 1) * bin_cycles_);
    bins_[bin][static_cast<size_t>(unit)] += to - at;
    at = to;
  }
}

}  // namespace cadre::sim
