// Sparse memory, ELF loading and the M-extension arithmetic: plain C++, no
// SystemC elaboration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/sim/program_loader.h"
#include "cadre/sim/rv_arith.h"
#include "cadre/sim/sparse_memory.h"

namespace cadre::sim {
namespace {

using ::testing::HasSubstr;

TEST(SparseMemory, UntouchedBytesReadZeroAndMakeNoPages) {
  SparseMemory m({arch::kHbmBase, uint64_t{64} << 30});
  std::vector<uint8_t> out(10, 0xFF);
  m.read(arch::kHbmBase + (uint64_t{40} << 30), out);
  EXPECT_EQ(out, std::vector<uint8_t>(10, 0));
  EXPECT_EQ(m.pages_touched(), 0u);
}

TEST(SparseMemory, TensOfGibibytesApartCostTwoPages) {
  SparseMemory m({arch::kHbmBase, uint64_t{64} << 30});
  const std::vector<uint8_t> bytes = {1, 2, 3};
  m.write(arch::kHbmBase, bytes);
  m.write(arch::kHbmBase + (uint64_t{60} << 30), bytes);
  EXPECT_EQ(m.pages_touched(), 2u);
  std::vector<uint8_t> out(3);
  m.read(arch::kHbmBase + (uint64_t{60} << 30), out);
  EXPECT_EQ(out, bytes);
}

TEST(SparseMemory, WritesAcrossPageBoundaries) {
  SparseMemory m({0x1000, 0x10000});
  std::vector<uint8_t> bytes(5000);
  for (size_t k = 0; k < bytes.size(); ++k) bytes[k] = static_cast<uint8_t>(k * 7);
  m.write(0x1FFE, bytes);
  EXPECT_EQ(m.pages_touched(), 3u);
  std::vector<uint8_t> out(bytes.size());
  m.read(0x1FFE, out);
  EXPECT_EQ(out, bytes);
  m.zero(0x2000, 4096);
  m.read(0x1FFE, out);
  EXPECT_EQ(out[1], bytes[1]);
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[4097], 0);
  EXPECT_EQ(out[4098], bytes[4098]);
}

// Reads skip the page lookups where no page was kept (2 MiB granules) and
// remember recent pages: the bytes read must not depend on either. The
// region starts off a page, so a page straddles two granules.
TEST(SparseMemory, ReadsAcrossGranulesSeeEveryKeptPage) {
  const uint64_t base = 0x10000800, size = uint64_t{64} << 20;
  SparseMemory m({base, size});
  const uint64_t granule = uint64_t{1} << 21;
  // A byte in the page that straddles the first granule's end, one in the
  // middle of a 6 MiB read, one at the region's last byte.
  const std::vector<uint64_t> kept = {base + granule - 0x10, base + granule + 0x7F0, base + 3 * granule + 5,
                                      base + size - 1};
  for (uint64_t a : kept) m.write(a, std::vector<uint8_t>{0xA5});
  std::vector<uint8_t> out(3 * granule);
  m.read(base + granule / 2, out);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint64_t a = base + granule / 2 + i;
    ASSERT_EQ(out[i], std::find(kept.begin(), kept.end(), a) != kept.end() ? 0xA5 : 0) << std::hex << a;
  }
  // Burst-sized reads, and again once the recent-page table has seen them.
  for (int pass = 0; pass < 2; ++pass)
    for (uint64_t a : kept) {
      std::vector<uint8_t> burst(64);
      const uint64_t at = std::max(base, std::min(a - 30, base + size - 64));
      m.read(at, burst);
      EXPECT_EQ(burst[a - at], 0xA5) << std::hex << a;
      EXPECT_EQ(burst[a - at == 0 ? 1 : 0], 0) << std::hex << a;
    }
  // Far more pages than the recent-page table holds, each read back.
  SparseMemory many({0, uint64_t{1} << 32});
  for (uint64_t p = 0; p < 70000; ++p) many.write(p * 4096 * 3, std::vector<uint8_t>{static_cast<uint8_t>(p)});
  for (uint64_t p = 0; p < 70000; ++p) {
    std::vector<uint8_t> b(1);
    many.read(p * 4096 * 3, b);
    ASSERT_EQ(b[0], static_cast<uint8_t>(p)) << p;
  }
}

// A made region's byte at address a is (a * 31) >> 3; a region [0x3000, 0x5800).
uint8_t made_byte(uint64_t a) { return static_cast<uint8_t>((a * 31) >> 3); }
void add_test_region(SparseMemory& m) {
  m.add_made_region({0x3000, 0x2800}, [](uint64_t addr, std::span<uint8_t> out) {
    ASSERT_GE(addr, 0x3000u);
    ASSERT_LE(addr + out.size(), 0x5800u);
    for (size_t i = 0; i < out.size(); ++i) out[i] = made_byte(addr + i);
  });
}

TEST(SparseMemory, MadeRegionsReadAsTheirMakerWithoutPages) {
  SparseMemory m({0x1000, 0x10000});
  add_test_region(m);
  std::vector<uint8_t> out(0x6000 - 0x2F00);  // zero, made, zero
  m.read(0x2F00, out);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint64_t a = 0x2F00 + i;
    ASSERT_EQ(out[i], a >= 0x3000 && a < 0x5800 ? made_byte(a) : 0) << std::hex << a;
  }
  EXPECT_EQ(m.pages_touched(), 0u);
}

// What Hbm::make_ahead asks: a range wholly inside a made region none of
// whose pages is kept, and that region's maker.
TEST(SparseMemory, MadeRegionUntouchedUntilAPageOfItIsKept) {
  SparseMemory m({0x1000, 0x10000});
  add_test_region(m);
  const int64_t region = m.made_region_untouched(0x3000, 0x5800);
  ASSERT_EQ(region, 0);
  EXPECT_EQ(m.made_region_untouched(0x4000, 0x4001), 0);
  EXPECT_EQ(m.made_region_untouched(0x2FFF, 0x3100), -1);  // starts before it
  EXPECT_EQ(m.made_region_untouched(0x5700, 0x5801), -1);  // ends after it
  EXPECT_EQ(m.made_region_untouched(0x6000, 0x6100), -1);  // outside every region
  std::vector<uint8_t> made(16);
  m.maker(0)(0x4000, made);
  for (size_t i = 0; i < made.size(); ++i) EXPECT_EQ(made[i], made_byte(0x4000 + i));
  EXPECT_FALSE(m.made_pages_kept(0));
  m.write(0x5000, std::vector<uint8_t>{1, 2, 3});
  EXPECT_TRUE(m.made_pages_kept(0));
  EXPECT_EQ(m.made_region_untouched(0x3000, 0x3100), -1);  // the whole region, not just that page
}

TEST(SparseMemory, MadeBytesAreTheSameInAnyReadOrder) {
  SparseMemory forward({0x1000, 0x10000}), scattered({0x1000, 0x10000});
  add_test_region(forward);
  add_test_region(scattered);
  std::vector<uint8_t> whole(0x2800);
  forward.read(0x3000, whole);
  // Odd-sized pieces from the end backwards, across page boundaries.
  std::vector<uint8_t> pieces(whole.size());
  for (uint64_t end = pieces.size(); end > 0;) {
    const uint64_t start = end > 977 ? end - 977 : 0;
    scattered.read(0x3000 + start, std::span<uint8_t>(pieces).subspan(start, end - start));
    end = start;
  }
  EXPECT_EQ(pieces, whole);
}

TEST(SparseMemory, WritesAndZeroesInAMadeRegionKeepTheRestOfThePage) {
  SparseMemory m({0x1000, 0x10000});
  add_test_region(m);
  const std::vector<uint8_t> bytes = {0xAA, 0xBB};
  m.write(0x3010, bytes);
  m.zero(0x4100, 16);
  EXPECT_EQ(m.pages_touched(), 2u);
  std::vector<uint8_t> out(0x2000);
  m.read(0x3000, out);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint64_t a = 0x3000 + i;
    const uint8_t want = a == 0x3010 ? 0xAA : a == 0x3011 ? 0xBB : (a >= 0x4100 && a < 0x4110) ? 0 : made_byte(a);
    ASSERT_EQ(out[i], want) << std::hex << a;
  }
}

elf::Program program_with(std::vector<elf::Segment> segments, uint64_t entry = arch::kRamBase) {
  elf::Program p;
  p.entry = entry;
  p.segments = std::move(segments);
  return p;
}

TEST(ProgramLoader, LoadsSegmentsAndZeroesBss) {
  const arch::ArchConfig cfg = arch::load_arch("small");
  SparseMemory ram(arch::ram_region(cfg)), hbm(arch::hbm_region(cfg));
  ram.write(arch::kRamBase + 0x104, std::vector<uint8_t>{9, 9, 9, 9});  // stale bytes in .bss
  const elf::Program p = program_with(
      {{arch::kRamBase, 0x200, {0x13, 0, 0, 0}, elf::kSegmentExec | elf::kSegmentRead},
       {arch::kHbmBase + 0x1000, 4, {1, 2, 3, 4}, elf::kSegmentRead}});
  load_program(p, cfg, "test", ram, hbm);
  std::vector<uint8_t> out(8);
  ram.read(arch::kRamBase, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x13, 0, 0, 0, 0, 0, 0, 0}));
  ram.read(arch::kRamBase + 0x104, out);
  EXPECT_EQ(out, std::vector<uint8_t>(8, 0));
  hbm.read(arch::kHbmBase + 0x1000, std::span<uint8_t>(out.data(), 4));
  EXPECT_EQ(out[3], 4);
}

TEST(ProgramLoader, RejectsSegmentsOutsideRamAndHbm) {
  const arch::ArchConfig cfg = arch::load_arch("small");
  const arch::Region ram = arch::ram_region(cfg);
  // Straddling the end of RAM, in the scratchpad window, and at address 0.
  for (const uint64_t vaddr : {ram.end() - 8, arch::kScratchpadBase, uint64_t{0}}) {
    const elf::Program p = program_with(
        {{arch::kRamBase, 4, {0x13, 0, 0, 0}, elf::kSegmentExec}, {vaddr, 16, {}, elf::kSegmentRead}});
    try {
      check_program(p, cfg, "bad.elf");
      ADD_FAILURE() << "accepted a segment at " << vaddr;
    } catch (const LoadError& e) {
      EXPECT_THAT(e.what(), HasSubstr("bad.elf: segment 1"));
      EXPECT_THAT(e.what(), HasSubstr("is outside simulated memory"));
    }
  }
}

TEST(ProgramLoader, RejectsAnEntryOutsideCode) {
  const arch::ArchConfig cfg = arch::load_arch("small");
  const elf::Program p = program_with({{arch::kRamBase, 4, {0x13, 0, 0, 0}, elf::kSegmentRead}});
  EXPECT_THROW(check_program(p, cfg, "x"), LoadError);
}

constexpr uint64_t kMin = uint64_t{1} << 63, kAllOnes = ~uint64_t{0};

TEST(RvArith, DivisionByZero) {
  EXPECT_EQ(rv::div(7, 0), kAllOnes);
  EXPECT_EQ(rv::divu(7, 0), kAllOnes);
  EXPECT_EQ(rv::rem(static_cast<uint64_t>(-7), 0), static_cast<uint64_t>(-7));
  EXPECT_EQ(rv::remu(7, 0), 7u);
  EXPECT_EQ(rv::divw(7, 0), kAllOnes);
  EXPECT_EQ(rv::divuw(7, 0), kAllOnes);
  EXPECT_EQ(rv::remw(0xFFFFFFFF'80000000, 0), 0xFFFFFFFF'80000000);
  EXPECT_EQ(rv::remuw(0x1'FFFFFFFF, 0), kAllOnes);  // the 32-bit dividend, sign-extended
}

TEST(RvArith, SignedOverflow) {
  EXPECT_EQ(rv::div(kMin, kAllOnes), kMin);
  EXPECT_EQ(rv::rem(kMin, kAllOnes), 0u);
  EXPECT_EQ(rv::divw(0x80000000, kAllOnes), 0xFFFFFFFF'80000000);
  EXPECT_EQ(rv::remw(0x80000000, kAllOnes), 0u);
}

TEST(RvArith, HighProductsAndWForms) {
  EXPECT_EQ(rv::mulh(kMin, kAllOnes), 0u);              // 2^63 fits: the high half is 0
  EXPECT_EQ(rv::mulhu(kAllOnes, kAllOnes), kAllOnes - 1);
  EXPECT_EQ(rv::mulhsu(kAllOnes, kAllOnes), kAllOnes);  // -1 * (2^64 - 1)
  EXPECT_EQ(rv::mulw(0x7FFFFFFF, 2), 0xFFFFFFFF'FFFFFFFE);
  EXPECT_EQ(rv::divw(static_cast<uint64_t>(-7), 2), static_cast<uint64_t>(-3));
  EXPECT_EQ(rv::remw(static_cast<uint64_t>(-7), 2), static_cast<uint64_t>(-1));
  EXPECT_EQ(rv::divuw(0xFFFFFFFF'FFFFFFFE, 1), 0xFFFFFFFF'FFFFFFFE);  // 0xFFFFFFFE sign-extended
}

}  // namespace
}  // namespace cadre::sim
