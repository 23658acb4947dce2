// Figures computed from a config, and the memory map.
#include <gtest/gtest.h>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/isa/xcadre.h"

namespace cadre::arch {
namespace {

using num::Format;

TEST(ArchDerived, Small) {
  ArchConfig c = load_arch("small");
  EXPECT_EQ(macs_per_cycle_per_tile(c), 64u);
  EXPECT_EQ(peak_macs_per_cycle(c), 128u);
  EXPECT_DOUBLE_EQ(peak_tflops(c, Format::E4M3), 0.256);  // 128 MACs x 2 x 1 GHz
  EXPECT_DOUBLE_EQ(peak_tflops(c, Format::BF16), 0.256);  // one MAC per cell per cycle in every format
  EXPECT_EQ(widest_input_bytes(c), 2u);
  EXPECT_EQ(operand_tile_bytes(c), 128u);
  EXPECT_EQ(accumulator_tile_bytes(c), 256u);
  EXPECT_EQ(scratchpad_bank_bytes(c), 16384u);
  EXPECT_EQ(accumulator_bank_bytes(c), 8192u);
  EXPECT_EQ(total_sram_bytes(c), 2u * (65536 + 16384));
  EXPECT_DOUBLE_EQ(hbm_bandwidth_gb_s(c), 32.0);
  EXPECT_DOUBLE_EQ(hbm_bytes_per_cycle_per_channel(c), 32.0);
  EXPECT_EQ(hbm_latency_cycles(c), 100u);
  EXPECT_EQ(hbm_capacity_bytes(c), uint64_t{16} << 30);
  // min(16-byte link, 32 bursts x 64 bytes over 10 + 100 + 10 cycles)
  EXPECT_DOUBLE_EQ(dma_peak_bytes_per_cycle_per_tile(c), 16.0);
  c.dma.max_outstanding_bursts = 8;
  EXPECT_DOUBLE_EQ(dma_peak_bytes_per_cycle_per_tile(c), 512.0 / 120.0);
}

TEST(ArchDerived, H100ClassMatchesTheH100SxmPeaks) {
  const ArchConfig c = load_arch("h100-class");
  EXPECT_EQ(c.tiles, 132u);
  EXPECT_NEAR(peak_tflops(c, Format::E4M3), 1979.0, 1.0);  // H100 SXM dense FP8
  EXPECT_DOUBLE_EQ(hbm_bandwidth_gb_s(c), 3350.0);          // HBM3, 3.35 TB/s
  EXPECT_EQ(hbm_capacity_bytes(c), uint64_t{80} << 30);
  EXPECT_EQ(total_sram_bytes(c), uint64_t{132} * 384 * 1024);  // 49.5 MiB, like the 50 MB L2
  EXPECT_NEAR(ridge_flops_per_byte(c, Format::E4M3), 590.7, 0.1);
  EXPECT_EQ(hbm_latency_cycles(c), 183u);  // ceil(100 ns x 1.83 GHz)
}

// A preset whose DMA engines could not keep HBM busy would misstate its HBM.
TEST(ArchDerived, EveryPresetsDmaCanSaturateItsHbm) {
  for (std::string_view name : preset_names()) {
    const ArchConfig c = load_arch(name);
    const double dma_gb_s = dma_peak_bytes_per_cycle_per_tile(c) * c.tiles * c.clock_ghz;
    EXPECT_GE(dma_gb_s, hbm_bandwidth_gb_s(c)) << name;
  }
}

TEST(ArchDerived, UnsupportedFormatHasNoPeak) {
  ArchConfig c = load_arch("default");
  c.matrix.input_formats = {Format::E4M3};
  EXPECT_FALSE(supports_input(c, Format::BF16));
  EXPECT_EQ(peak_tflops(c, Format::BF16), 0.0);
  EXPECT_DOUBLE_EQ(peak_tflops(c, Format::E4M3), 4 * 1024 * 2 * 1.5 / 1000);
  EXPECT_EQ(widest_input_bytes(c), 1u);
}

TEST(ArchMemoryMap, RegionsComeFromTheConfig) {
  const ArchConfig c = load_arch("small");
  EXPECT_EQ(scratchpad_region(c), (Region{0x2000'0000, 65536}));
  EXPECT_EQ(accumulator_region(c), (Region{0x3000'0000, 16384}));
  EXPECT_EQ(ram_region(c), (Region{0x8000'0000, 16 << 20}));
  EXPECT_EQ(hbm_region(c), (Region{0x1'0000'0000, uint64_t{16} << 30}));
  EXPECT_EQ(stack_region(c, 0), (Region{0x8000'0000 + (16 << 20) - 262144, 262144}));
  EXPECT_EQ(stack_region(c, 1).end(), stack_region(c, 0).base);
}

TEST(ArchMemoryMap, RegionsOfEveryPresetStayInTheirWindows) {
  for (std::string_view name : preset_names()) {
    const ArchConfig c = load_arch(name);
    EXPECT_LE(scratchpad_region(c).end(), kScratchpadBase + kLocalWindowBytes) << name;
    EXPECT_LE(accumulator_region(c).end(), kAccumulatorBase + kLocalWindowBytes) << name;
    EXPECT_LE(ram_region(c).end(), kHbmBase) << name;
    const Region lowest_stack = stack_region(c, c.tiles - 1);
    EXPECT_TRUE(ram_region(c).contains(lowest_stack.base, lowest_stack.size)) << name;
    EXPECT_GE(lowest_stack.base - kRamBase, c.ram.bytes / 2) << name;  // half of RAM left for the program
  }
}

TEST(ArchMemoryMap, ContainsChecksBothEndsWithoutOverflow) {
  const Region r{0x1000, 0x100};
  EXPECT_TRUE(r.contains(0x1000));
  EXPECT_TRUE(r.contains(0x10FF));
  EXPECT_FALSE(r.contains(0x1100));
  EXPECT_FALSE(r.contains(0x0FFF));
  EXPECT_TRUE(r.contains(0x1000, 0x100));
  EXPECT_FALSE(r.contains(0x1001, 0x100));
  EXPECT_FALSE(r.contains(0x1080, ~uint64_t{0}));
  EXPECT_FALSE(r.contains(~uint64_t{0}, 2));
}

// The semaphore limit is what the csync.* instructions can name.
TEST(ArchLimits, SemaphoresMatchTheIsaField) {
  const isa::LayoutInfo& sem = isa::info(isa::Layout::Semaphore);
  ASSERT_EQ(sem.fields.size(), 1u);
  for (const FieldInfo& f : arch_fields())
    if (f.path == "/semaphores") {
      EXPECT_EQ(f.max, static_cast<double>(uint64_t{1} << sem.fields[0].width));
    }
}

}  // namespace
}  // namespace cadre::arch
