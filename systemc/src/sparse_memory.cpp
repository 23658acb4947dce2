#include "cadre/sim/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace cadre::sim {

uint8_t* SparseMemory::page(uint64_t addr) {
  std::unique_ptr<Page>& p = pages_[addr >> kPageBits];
  if (!p) p = std::make_unique<Page>(Page{});
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
      std::memset(out.data() + at, 0, n);
    else
      std::memcpy(out.data() + at, it->second->data() + in_page, n);
  });
}

void SparseMemory::write(uint64_t addr, std::span<const uint8_t> bytes) {
  for_each_page_piece(addr, bytes.size(), [&](uint64_t pn, uint64_t in_page, uint64_t at, uint64_t n) {
    std::memcpy(page(pn << kPageBits) + in_page, bytes.data() + at, n);
  });
}

void SparseMemory::zero(uint64_t addr, uint64_t bytes) {
  for_each_page_piece(addr, bytes, [&](uint64_t pn, uint64_t in_page, uint64_t, uint64_t n) {
    const auto it = pages_.find(pn);
    if (it != pages_.end()) std::memset(it->second->data() + in_page, 0, n);
  });
}

}  // namespace cadre::sim
