// Simulated memory that holds only the 4 KiB pages a program has touched, so a
// chip can address tens of GiB of HBM without the host holding it. Plain C++
// (no SystemC): the ELF loader and its fuzz target use it directly.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cadre/arch/memory_map.h"

namespace cadre::sim {

class SparseMemory {
 public:
  static constexpr uint64_t kPageBits = 12;
  static constexpr uint64_t kPageBytes = uint64_t{1} << kPageBits;

  // Addresses are those of `region` (chip or local addresses), not offsets.
  explicit SparseMemory(arch::Region region);

  const arch::Region& region() const { return region_; }

  // The host bytes of the page holding `addr`, made (zeroed) on first touch.
  // `addr` must lie inside the region. A page never moves once made, so the
  // pointer stays valid for the memory's lifetime (what DMI hands out).
  uint8_t* page(uint64_t addr);

  // Untouched bytes read as zero; reading makes no pages. The range must lie
  // inside the region.
  void read(uint64_t addr, std::span<uint8_t> out) const;
  void write(uint64_t addr, std::span<const uint8_t> bytes);
  // Zeroes the range in the pages that exist (the others already read as zero).
  void zero(uint64_t addr, uint64_t bytes);

  // Bytes of `region` never written are made by `make(addr, out)` each time
  // they are read, not kept: a full-size layer's weights, made from their
  // address as they are read, need no host memory. A write there keeps its
  // page as usual. Regions must not overlap; make fills all of `out` and
  // depends on its arguments only (it may run on another thread). Regions are
  // added before the memory is used: they are numbered in address order.
  using Maker = std::function<void(uint64_t addr, std::span<uint8_t> out)>;
  void add_made_region(arch::Region region, Maker make);
  // The number of the made region holding all of [lo, hi) while no page of
  // it is kept (its bytes are all made), or -1.
  int64_t made_region_untouched(uint64_t lo, uint64_t hi) const;
  // Whether a write has kept a page of made region `number` since.
  bool made_pages_kept(size_t number) const { return made_[number].pages_kept; }
  const Maker& maker(size_t number) const { return made_[number].make; }

  size_t pages_touched() const { return pages_.size(); }

 private:
  using Page = std::array<uint8_t, kPageBytes>;
  // A page number and its host bytes (nullptr: not made), as last looked up.
  struct RecentPage {
    uint64_t number = ~uint64_t{0};
    uint8_t* bytes = nullptr;
  };
  // Entries of the table of recent lookups: one per page of a small region,
  // at most this many (1 MiB) for HBM, where each of 132 tiles' DMA streams
  // rows from pages of its own.
  static constexpr uint64_t kMaxRecentPages = uint64_t{1} << 16;
  struct MadeRegion {
    arch::Region region;
    Maker make;
    bool pages_kept = false;  // whether a write kept a page overlapping it
  };
  // made_ is sorted by base: the index of the first region starting after addr.
  size_t made_after(uint64_t addr) const;
  // The made region holding addr, or nullptr.
  const MadeRegion* made_at(uint64_t addr) const;
  // The made regions overlapping the page at page_addr: made_[first, last).
  std::pair<size_t, size_t> made_overlapping(uint64_t page_addr) const;
  // The host bytes of page `number`, nullptr while untouched. The DMA moves
  // a burst at a time, so the same pages are looked up again and again: a
  // direct-mapped table of recent lookups saves most of the hash map's.
  uint8_t* find(uint64_t number) const;
  // Untouched bytes [addr, addr + out.size()) of one page: made, or zero.
  void untouched(uint64_t addr, std::span<uint8_t> out) const;
  arch::Region region_;
  std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
  std::vector<MadeRegion> made_;  // sorted by base
  mutable std::vector<RecentPage> recent_;  // a power of two entries
  // One bit per 2 MiB of the region: whether a page was kept there. Reads
  // where none was (weights a timing-only run never places) skip the lookups.
  static constexpr uint64_t kChunkBits = 21;
  bool chunk_has_pages(uint64_t addr) const {
    const uint64_t c = (addr - region_.base) >> kChunkBits;
    return (chunks_with_pages_[c / 64] >> (c % 64)) & 1;
  }
  std::vector<uint64_t> chunks_with_pages_;
};

}  // namespace cadre::sim
