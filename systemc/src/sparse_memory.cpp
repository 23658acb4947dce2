#include "cadre/sim/sparse_memory.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace cadre::sim {

SparseMemory::SparseMemory(arch::Region region)
    : region_(region),
      recent_(std::bit_ceil(std::clamp<uint64_t>(region.size >> kPageBits, 1, kMaxRecentPages))),
      chunks_with_pages_((region.size >> kChunkBits) / 64 + 1) {}

uint8_t* SparseMemory::find(uint64_t number) const {
  RecentPage& recent = recent_[number & (recent_.size() - 1)];
  if (recent.number != number) {
    const auto it = pages_.find(number);
    recent = {number, it == pages_.end() ? nullptr : it->second->data()};
  }
  return recent.bytes;
}

uint8_t* SparseMemory::page(uint64_t addr) {
  const uint64_t number = addr >> kPageBits;
  if (uint8_t* bytes = find(number)) return bytes;
  std::unique_ptr<Page>& p = pages_[number];
  p = std::make_unique<Page>(Page{});
  const uint64_t page_addr = addr & ~(kPageBytes - 1);
  const auto [first, last] = made_overlapping(page_addr);
  for (size_t i = first; i < last; ++i) made_[i].pages_kept = true;
  // A page kept in a made region starts as the bytes it read as.
  if (first < last) untouched(page_addr, *p);
  recent_[number & (recent_.size() - 1)] = {number, p->data()};
  // The region need not start on a page: mark the chunks of the page's first and last bytes in it.
  for (const uint64_t a : {std::max(page_addr, region_.base), std::min(page_addr + kPageBytes, region_.end()) - 1}) {
    const uint64_t chunk = (a - region_.base) >> kChunkBits;
    chunks_with_pages_[chunk / 64] |= uint64_t{1} << (chunk % 64);
  }
  return p->data();
}

// Walks [addr, addr + size) page by page: f(page number, offset in page, offset in range, bytes).
template <typename F>
static void for_each_page_piece(uint64_t addr, uint64_t size, F&& f) {
  uint64_t done = 0;
  while (done < size) {
    const uint64_t a = addr + done;
    const uint64_t in_page = a & (SparseMemory::kPageBytes - 1);
    const uint64_t n = std::min(size - done, SparseMemory::kPageBytes - in_page);
    f(a >> SparseMemory::kPageBits, in_page, done, n);
    done += n;
  }
}

size_t SparseMemory::made_after(uint64_t addr) const {
  return static_cast<size_t>(std::upper_bound(made_.begin(), made_.end(), addr,
                                              [](uint64_t x, const MadeRegion& m) { return x < m.region.base; }) -
                             made_.begin());
}

const SparseMemory::MadeRegion* SparseMemory::made_at(uint64_t addr) const {
  const size_t after = made_after(addr);
  return after > 0 && made_[after - 1].region.contains(addr) ? &made_[after - 1] : nullptr;
}

std::pair<size_t, size_t> SparseMemory::made_overlapping(uint64_t page_addr) const {
  size_t first = made_after(page_addr);
  if (first > 0 && made_[first - 1].region.end() > page_addr) --first;
  return {first, made_after(page_addr + kPageBytes - 1)};
}

void SparseMemory::read(uint64_t addr, std::span<uint8_t> out) const {
  // Weights are read a burst at a time from millions of pages never kept:
  // made straight away, without looking each page up.
  if (const MadeRegion* m = made_at(addr); m && !m->pages_kept && m->region.contains(addr, out.size())) {
    m->make(addr, out);
    return;
  }
  if (!out.empty() && out.size() <= (uint64_t{1} << kChunkBits) && !chunk_has_pages(addr) &&
      !chunk_has_pages(addr + out.size() - 1)) {
    untouched(addr, out);
    return;
  }
  for_each_page_piece(addr, out.size(), [&](uint64_t pn, uint64_t in_page, uint64_t at, uint64_t n) {
    if (const uint8_t* bytes = find(pn))
      std::memcpy(out.data() + at, bytes + in_page, n);
    else
      untouched(addr + at, out.subspan(at, n));
  });
}

void SparseMemory::write(uint64_t addr, std::span<const uint8_t> bytes) {
  for_each_page_piece(addr, bytes.size(), [&](uint64_t pn, uint64_t in_page, uint64_t at, uint64_t n) {
    std::memcpy(page(pn << kPageBits) + in_page, bytes.data() + at, n);
  });
}

void SparseMemory::untouched(uint64_t addr, std::span<uint8_t> out) const {
  uint64_t done = 0;
  while (done < out.size()) {
    const uint64_t a = addr + done;
    // The region holding a, if any, is the one before the first to start after a.
    const size_t after = made_after(a);
    const MadeRegion* in = after > 0 && made_[after - 1].region.contains(a) ? &made_[after - 1] : nullptr;
    const uint64_t next = after < made_.size() ? std::min(a + (out.size() - done), made_[after].region.base)
                                               : a + (out.size() - done);
    const uint64_t n = in ? std::min<uint64_t>(out.size() - done, in->region.end() - a) : next - a;
    if (in) in->make(a, out.subspan(done, n));
    else std::memset(out.data() + done, 0, n);
    done += n;
  }
}


int64_t SparseMemory::made_region_untouched(uint64_t lo, uint64_t hi) const {
  const size_t after = made_after(lo);
  if (after == 0 || hi <= lo) return -1;
  const MadeRegion& m = made_[after - 1];
  return m.region.contains(lo, hi - lo) && !m.pages_kept ? static_cast<int64_t>(after - 1) : -1;
}

void SparseMemory::add_made_region(arch::Region region, Maker make) {
  const auto at = std::upper_bound(made_.begin(), made_.end(), region.base,
                                   [](uint64_t x, const MadeRegion& m) { return x < m.region.base; });
  made_.insert(at, {region, std::move(make)});
}

void SparseMemory::zero(uint64_t addr, uint64_t bytes) {
  for_each_page_piece(addr, bytes, [&](uint64_t pn, uint64_t in_page, uint64_t, uint64_t n) {
    if (uint8_t* kept = find(pn)) std::memset(kept + in_page, 0, n);
    else if (const auto [first, last] = made_overlapping(pn << kPageBits); first < last)
      std::memset(page(pn << kPageBits) + in_page, 0, n);
  });
}

}  // namespace cadre::sim
