#include "cadre/sim/local_memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "cadre/arch/memory_map.h"
#include "cadre/sim/accel_error.h"

namespace cadre::sim {

LocalMemory::LocalMemory(const arch::ArchConfig& cfg, SparseMemory& scratchpad)
    : scratchpad_(scratchpad),
      accumulator_(arch::accumulator_region(cfg)),
      scratchpad_bank_bytes_(arch::scratchpad_bank_bytes(cfg)),
      accumulator_bank_bytes_(arch::accumulator_bank_bytes(cfg)),
      scratchpad_banks_(cfg.scratchpad.banks),
      accumulator_banks_(cfg.accumulator.banks) {}

bool LocalMemory::contains(uint64_t addr, uint64_t bytes) const {
  return scratchpad_.region().contains(addr, bytes) || accumulator_.region().contains(addr, bytes);
}

void LocalMemory::check(uint64_t addr, uint64_t bytes, const char* what) const {
  if (contains(addr, bytes)) return;
  const arch::Region& s = scratchpad_.region();
  const arch::Region& a = accumulator_.region();
  throw AccelError(fmt::format("{} [{:#x}, {:#x}) is outside local memory (scratchpad [{:#x}, {:#x}), accumulator "
                               "[{:#x}, {:#x}))",
                               what, addr, addr + bytes, s.base, s.end(), a.base, a.end()));
}

SparseMemory& LocalMemory::memory_for(uint64_t addr) {
  if (scratchpad_.region().contains(addr)) return scratchpad_;
  if (worker_) worker_->wait_for(tile_);
  return accumulator_;
}

void LocalMemory::defer(std::function<void(SparseMemory& accumulator)> job) {
  if (!worker_) {
    job(accumulator_);
    return;
  }
  worker_->submit(tile_, [this, job = std::move(job)] { job(accumulator_); });
}

void LocalMemory::read(uint64_t addr, std::span<uint8_t> out) {
  read_uncounted(addr, out);
  count(addr, out.size(), false);
}

void LocalMemory::write(uint64_t addr, std::span<const uint8_t> bytes) {
  write_uncounted(addr, bytes);
  count(addr, bytes.size(), true);
}

void LocalMemory::read_uncounted(uint64_t addr, std::span<uint8_t> out) {
  check(addr, out.size(), "local read");
  memory_for(addr).read(addr, out);
}

void LocalMemory::write_uncounted(uint64_t addr, std::span<const uint8_t> bytes) {
  check(addr, bytes.size(), "local write");
  memory_for(addr).write(addr, bytes);
}

void LocalMemory::count(uint64_t addr, uint64_t bytes, bool write) {
  const bool scratchpad = scratchpad_.region().contains(addr);
  uint64_t& counter = scratchpad ? (write ? stats_.scratchpad_bytes_written : stats_.scratchpad_bytes_read)
                                 : (write ? stats_.accumulator_bytes_written : stats_.accumulator_bytes_read);
  counter += bytes;
}

std::vector<uint8_t> LocalMemory::read_bytes(uint64_t addr, uint64_t bytes) {
  std::vector<uint8_t> out(bytes);
  read(addr, out);
  return out;
}

std::vector<float> LocalMemory::read_f32(uint64_t addr, uint64_t count) {
  std::vector<float> out(count);
  read(addr, {reinterpret_cast<uint8_t*>(out.data()), count * 4});
  return out;
}

void LocalMemory::write_f32(uint64_t addr, std::span<const float> values) {
  write(addr, {reinterpret_cast<const uint8_t*>(values.data()), values.size() * 4});
}

void LocalMemory::bank_span(const LocalStream& s, uint32_t& first, uint32_t& last) const {
  // Streams are checked before they are costed, so `s` lies inside one memory.
  const arch::Region& sp = scratchpad_.region();
  const uint64_t end = s.addr + s.bytes - 1;
  if (sp.contains(s.addr)) {
    first = static_cast<uint32_t>((s.addr - sp.base) / scratchpad_bank_bytes_);
    last = static_cast<uint32_t>((end - sp.base) / scratchpad_bank_bytes_);
  } else {
    const uint64_t base = accumulator_.region().base;
    first = scratchpad_banks_ + static_cast<uint32_t>((s.addr - base) / accumulator_bank_bytes_);
    last = scratchpad_banks_ + static_cast<uint32_t>((end - base) / accumulator_bank_bytes_);
  }
}

uint32_t LocalMemory::max_bank_sharing(std::span<const LocalStream> streams) const {
  std::vector<uint32_t> users(scratchpad_banks_ + accumulator_banks_, 0);
  for (const LocalStream& s : streams) {
    if (s.bytes == 0) continue;
    uint32_t first = 0, last = 0;
    bank_span(s, first, last);
    for (uint32_t b = first; b <= last; ++b) ++users[b];
  }
  return users.empty() ? 0 : *std::max_element(users.begin(), users.end());
}

uint64_t LocalMemory::conflict_cycles(std::span<const LocalStream> streams, uint64_t stream_cycles) {
  const uint32_t sharing = max_bank_sharing(streams);
  if (sharing <= 1) return 0;
  const uint64_t extra = uint64_t{sharing - 1} * stream_cycles;
  ++stats_.conflicts;
  stats_.conflict_cycles += extra;
  return extra;
}

}  // namespace cadre::sim
