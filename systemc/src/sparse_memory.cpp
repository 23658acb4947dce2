#include "cadre/sim/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace cadre::sim {

uint8_t* SparseMemory::page(uint64_t addr) {
  std::unique_ptr<Page>& p = pages_[addr >> kPageBits];
  if (!p) {
    p = std::make_unique<Page>(Page{});
    // A page kept in a made region starts as the bytes it read as.
    if (!made_.empty()) untouched(addr & ~(kPageBytes - 1), *p);
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

void SparseMemory::read(uint64_t addr, std::span<uint8_t> out) const {
  for_each_page_piece(addr, out.size(), [&](uint64_t pn, uint64_t in_page, uint64_t at, uint64_t n) {
    const auto it = pages_.find(pn);
    if (it == pages_.end())
      untouched(addr + at, out.subspan(at, n));
    else
      std::memcpy(out.data() + at, it->second->data() + in_page, n);
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
    // The made region holding a, or the next one to start after it.
    const MadeRegion* in = nullptr;
    uint64_t next = a + (out.size() - done);
    for (const MadeRegion& m : made_) {
      if (m.region.contains(a)) in = &m;
      else if (m.region.base > a) next = std::min(next, m.region.base);
    }
    const uint64_t n = in ? std::min<uint64_t>(out.size() - done, in->region.end() - a) : next - a;
    if (in) in->make(a, out.subspan(done, n));
    else std::memset(out.data() + done, 0, n);
    done += n;
  }
}

bool SparseMemory::made(uint64_t page_addr) const {
  return std::any_of(made_.begin(), made_.end(),
                     [&](const MadeRegion& m) { return m.region.base < page_addr + kPageBytes && page_addr < m.region.end(); });
}

void SparseMemory::add_made_region(arch::Region region, Maker make) {
  made_.push_back({region, std::move(make)});
}

void SparseMemory::zero(uint64_t addr, uint64_t bytes) {
  for_each_page_piece(addr, bytes, [&](uint64_t pn, uint64_t in_page, uint64_t, uint64_t n) {
    const auto it = pages_.find(pn);
    if (it != pages_.end()) std::memset(it->second->data() + in_page, 0, n);
    else if (made(pn << kPageBits)) std::memset(page(pn << kPageBits) + in_page, 0, n);
  });
}

}  // namespace cadre::sim
