#include <algorithm>
#include <cmath>
#include <deque>

#include "cadre/arch/memory_map.h"
#include "cadre/cost/cost.h"

namespace cadre::cost {

uint64_t burst_bytes_at(const arch::ArchConfig& cfg, uint64_t addr, uint64_t left) {
  return std::min<uint64_t>(left, cfg.dma.burst_bytes - addr % cfg.dma.burst_bytes);
}

uint64_t link_cycles(const arch::ArchConfig& cfg, uint64_t bytes) {
  return (bytes + cfg.interconnect.bytes_per_cycle - 1) / cfg.interconnect.bytes_per_cycle;
}

namespace {

// A burst's round trip to a memory that returns `bytes_per_cycle` after
// `latency` cycles: link latency + link cycles + the memory's cycles + latency.
uint64_t round_trip_cycles(const arch::ArchConfig& cfg, uint64_t bytes, double bytes_per_cycle, uint64_t latency) {
  const auto memory = static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / bytes_per_cycle));
  return cfg.interconnect.latency_cycles + link_cycles(cfg, bytes) + memory + latency;
}

}  // namespace

uint64_t hbm_burst_cycles(const arch::ArchConfig& cfg, uint64_t bytes) {
  return round_trip_cycles(cfg, bytes, arch::hbm_bytes_per_cycle_per_channel(cfg), arch::hbm_latency_cycles(cfg));
}

uint64_t l2_hit_burst_cycles(const arch::ArchConfig& cfg, uint64_t bytes) {
  const double slice = static_cast<double>(cfg.l2.bytes_per_cycle) / cfg.hbm.channels;
  return round_trip_cycles(cfg, bytes, slice, cfg.l2.latency_cycles);
}

BurstPipeline::BurstPipeline(const arch::ArchConfig& cfg, uint64_t start_cycle)
    : link_width_(cfg.interconnect.bytes_per_cycle),
      link_free_(start_cycle),
      in_flight_(std::max<uint64_t>(cfg.dma.max_outstanding_bursts, 1)),
      last_done_(start_cycle) {}

uint64_t BurstPipeline::next_issue() const {
  if (count_ == in_flight_.size()) return std::max(link_free_, in_flight_[oldest_]);
  return link_free_;
}

void BurstPipeline::issue(uint64_t bytes, uint64_t done) {
  const uint64_t at = next_issue();
  if (count_ == in_flight_.size()) {
    in_flight_[oldest_] = done;  // the newest takes the oldest's place
    if (++oldest_ == in_flight_.size()) oldest_ = 0;
  } else {
    const size_t slot = oldest_ + count_;
    in_flight_[slot < in_flight_.size() ? slot : slot - in_flight_.size()] = done;
    ++count_;
  }
  last_done_ = std::max(last_done_, done);
  link_free_ = at + link_width_.quotient_up(bytes);  // link_cycles, without its divide
}

namespace {

// Issues the bursts of one row of `bytes` at `addr`, each completing after its
// round trip to HBM, or at once in RAM (untimed).
void row_bursts(const arch::ArchConfig& cfg, BurstPipeline& p, uint64_t addr, uint64_t bytes) {
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t b = burst_bytes_at(cfg, addr + done, bytes - done);
    const bool in_ram = arch::ram_region(cfg).contains(addr + done, b);
    p.issue(b, p.next_issue() + (in_ram ? 0 : hbm_burst_cycles(cfg, b)));
    done += b;
  }
}

// A command keeps the DMA busy for one cycle at least.
uint64_t at_least_one(uint64_t cycles) { return std::max<uint64_t>(1, cycles); }

}  // namespace

uint64_t dma_transfer_cycles(const arch::ArchConfig& cfg, uint64_t rows, uint64_t row_bytes, uint64_t chip_addr,
                             uint64_t chip_stride) {
  const uint64_t stride = chip_stride != 0 ? chip_stride : row_bytes;
  BurstPipeline p(cfg, 0);
  for (uint64_t r = 0; r < rows; ++r) row_bursts(cfg, p, chip_addr + r * stride, row_bytes);
  return at_least_one(p.last_done());
}

uint64_t dma_issue_cycles(const arch::ArchConfig& cfg, uint64_t rows, uint64_t row_bytes, uint64_t chip_addr,
                          uint64_t chip_stride) {
  const uint64_t stride = chip_stride != 0 ? chip_stride : row_bytes;
  BurstPipeline p(cfg, 0);
  for (uint64_t r = 0; r < rows; ++r) row_bursts(cfg, p, chip_addr + r * stride, row_bytes);
  return at_least_one(p.link_free());
}

std::vector<ScatterAddStep> scatter_add_order(std::span<const int32_t> destinations, uint32_t rows_in_flight) {
  const uint64_t window = std::max<uint32_t>(rows_in_flight, 1);
  std::vector<ScatterAddStep> order;
  order.reserve(2 * destinations.size());
  std::deque<uint64_t> pending;  // rows read and not yet written, oldest first
  const auto write_oldest = [&] {
    order.push_back({pending.front(), true});
    pending.pop_front();
  };
  for (uint64_t r = 0; r < destinations.size(); ++r) {
    if (destinations[r] == -1) continue;
    const auto same = std::find_if(pending.begin(), pending.end(),
                                   [&](uint64_t q) { return destinations[q] == destinations[r]; });
    for (auto n = same == pending.end() ? 0 : std::distance(pending.begin(), same) + 1; n > 0; --n) write_oldest();
    order.push_back({r, false});
    pending.push_back(r);
    if (pending.size() == window) write_oldest();
  }
  while (!pending.empty()) write_oldest();
  return order;
}

uint64_t dma_scatter_add_cycles(const arch::ArchConfig& cfg, uint64_t rows, uint64_t row_bytes, uint64_t chip_addr,
                                uint64_t chip_stride) {
  const uint64_t stride = chip_stride != 0 ? chip_stride : row_bytes;
  std::vector<int32_t> destinations(rows);
  for (uint64_t r = 0; r < rows; ++r) destinations[r] = static_cast<int32_t>(r);
  std::vector<uint64_t> reads_done(rows);
  BurstPipeline p(cfg, 0);
  for (const ScatterAddStep& s : scatter_add_order(destinations, cfg.dma.scatter_add_rows_in_flight)) {
    if (s.write) p.resume_at(reads_done[s.row]);
    row_bursts(cfg, p, chip_addr + s.row * stride, row_bytes);
    if (!s.write) reads_done[s.row] = p.last_done();
  }
  return at_least_one(p.last_done());
}

}  // namespace cadre::cost
