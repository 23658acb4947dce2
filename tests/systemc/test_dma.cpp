// The DMA instructions on a whole chip, issued by hand-assembled programs:
// every instruction bit for bit, the documented timing of a load, HBM channel
// contention between tiles, and the errors (docs/accelerator.md, "DMA").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/hd.h"
#include "cadre/sim/chip.h"
#include "sim_test_util.h"
#include "xcadre_program.h"

namespace cadre::test {
namespace {

namespace ops = isa::operands;
using isa::Op;
using ::testing::HasSubstr;

constexpr uint64_t kSp = arch::kScratchpadBase;
constexpr uint64_t kHbm = arch::kHbmBase;
uint64_t index_list(uint64_t list, uint64_t table_rows) {
  return ops::IndexList{.list = list, .table_rows = table_rows}.encode();
}


TEST(Dma, LoadAndStoreWithStridesBitForBit) {
  // 3 rows of 100 bytes, HBM stride 160, local stride 128; then back to HBM packed.
  XcadreProgram p;
  p.issue(Op::DmaLoadConfig, strides(160, 128)).issue(Op::DmaLoad, kHbm + 32, transfer(kSp + 64, 3, 100));
  p.issue(Op::SignalLoad, 0).issue(Op::WaitStore, 0);
  p.issue(Op::DmaStoreConfig, strides(0, 128), 0).issue(Op::DmaStore, kHbm + 0x10000, transfer(kSp + 64, 3, 100));
  XcadreRig rig(config(1), p.finish());
  const std::vector<uint8_t> table = pattern(3 * 160 + 32, 5);
  put(rig.chip.hbm(), kHbm, table);
  rig.run();
  for (uint64_t row = 0; row < 3; ++row) {
    const std::vector<uint8_t> want(table.begin() + 32 + 160 * row, table.begin() + 32 + 160 * row + 100);
    EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 64 + 128 * row, 100), want) << row;
    EXPECT_EQ(get<uint8_t>(rig.chip.hbm(), kHbm + 0x10000 + 100 * row, 100), want) << row;
  }
  // The gaps between local rows are untouched.
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 64 + 100, 28), std::vector<uint8_t>(28, 0));
}

// HBM bytes of a made region (a full-size layer's weights) are made on the
// host worker for a load wholly inside the region while none of its pages is
// kept (Hbm::make_ahead); once a store keeps one, loads read memory as ever.
// Either way a load sees what the region holds at its bursts.
TEST(Dma, LoadsFromAMadeRegionSeeItsBytesBeforeAndAfterAStoreIntoIt) {
  constexpr uint64_t kMade = kHbm + 0x100000, kMadeBytes = 0x10000;
  const auto made_byte = [](uint64_t addr) { return static_cast<uint8_t>((addr * 2654435761u) >> 13); };
  XcadreProgram p;
  p.issue(Op::DmaLoadConfig, strides(1200, 1000)).issue(Op::DmaLoad, kMade + 40, transfer(kSp, 3, 1000));
  p.issue(Op::SignalLoad, 0).issue(Op::WaitStore, 0);
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0).issue(Op::DmaStore, kMade + 500, transfer(kSp + 0x8000, 1, 100));
  p.issue(Op::SignalStore, 1).issue(Op::WaitLoad, 1);
  p.issue(Op::DmaLoad, kMade + 40, transfer(kSp + 0x4000, 3, 1000));
  XcadreRig rig(config(1), p.finish());
  rig.chip.hbm().add_made_region({kMade, kMadeBytes}, [&](uint64_t addr, std::span<uint8_t> out) {
    for (size_t k = 0; k < out.size(); ++k) out[k] = made_byte(addr + k);
  });
  const std::vector<uint8_t> stored = pattern(100, 3);
  put(rig.sp(), kSp + 0x8000, stored);
  rig.run();
  for (uint64_t row = 0; row < 3; ++row) {
    std::vector<uint8_t> before(1000), after(1000);
    for (uint64_t k = 0; k < 1000; ++k) {
      const uint64_t addr = kMade + 40 + 1200 * row + k;
      before[k] = made_byte(addr);
      after[k] = addr >= kMade + 500 && addr < kMade + 600 ? stored[addr - kMade - 500] : made_byte(addr);
    }
    EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 1000 * row, 1000), before) << row;
    EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 0x4000 + 1000 * row, 1000), after) << row;
  }
}

// A store into a made region while a long load from it is in flight: the
// load's bursts from then on read memory, over the bytes the worker made for
// them, so its last row (read well after the store) holds the stored bytes
// and every row before it the made ones.
TEST(Dma, ALoadFromAMadeRegionSeesAStoreThatLandsWhileItRuns) {
  constexpr uint64_t kMade = kHbm + 0x100000, kMadeBytes = 0x20000, kRows = 40, kRowBytes = 1000;
  const auto made_byte = [](uint64_t addr) { return static_cast<uint8_t>((addr * 2654435761u) >> 13); };
  XcadreProgram p;
  p.issue(Op::DmaLoadConfig, strides(0, 0)).issue(Op::DmaLoad, kMade, transfer(kSp, kRows, kRowBytes));
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0)
      .issue(Op::DmaStore, kMade + (kRows - 1) * kRowBytes, transfer(kSp + 0xC000, 1, kRowBytes));
  XcadreRig rig(config(1), p.finish());
  rig.chip.hbm().add_made_region({kMade, kMadeBytes}, [&](uint64_t addr, std::span<uint8_t> out) {
    for (size_t k = 0; k < out.size(); ++k) out[k] = made_byte(addr + k);
  });
  const std::vector<uint8_t> stored = pattern(kRowBytes, 5);
  put(rig.sp(), kSp + 0xC000, stored);
  rig.run();
  for (uint64_t row = 0; row + 1 < kRows; ++row) {
    std::vector<uint8_t> made(kRowBytes);
    for (uint64_t k = 0; k < kRowBytes; ++k) made[k] = made_byte(kMade + row * kRowBytes + k);
    ASSERT_EQ(get<uint8_t>(rig.sp(), kSp + row * kRowBytes, kRowBytes), made) << row;
  }
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + (kRows - 1) * kRowBytes, kRowBytes), stored);
}

TEST(Dma, GatherWithPaddingRowsBitForBit) {
  const std::vector<int32_t> list = {4, -1, 0, 4, 2};
  XcadreProgram p;
  p.issue(Op::DmaLoadIndex, index_list(kSp, 5)).issue(Op::DmaGather, kHbm, transfer(kSp + 0x1000, 5, 48));
  XcadreRig rig(config(1), p.finish());
  const std::vector<uint8_t> table = pattern(5 * 48, 9);
  put(rig.chip.hbm(), kHbm, table);
  put(rig.sp(), kSp, list);
  put(rig.sp(), kSp + 0x1000, std::vector<uint8_t>(5 * 48, 0xEE));  // padding must overwrite this
  rig.run();
  for (size_t row = 0; row < list.size(); ++row) {
    std::vector<uint8_t> want(48, 0);
    if (list[row] >= 0) want.assign(table.begin() + 48 * list[row], table.begin() + 48 * (list[row] + 1));
    EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 0x1000 + 48 * row, 48), want) << row;
  }
}

// scatter-add of 4 source rows of 5 elements into a 3-row table, against
// dst = round_dst(dst + round_fp32(w * src)) in row order, whatever the rows
// in flight (rows 0 and 3 add into the same destination).
void scatter_add_case(num::Format src_fmt, num::Format dst_fmt, bool weighted, uint32_t rows_in_flight = 1) {
  const std::vector<int32_t> list = {2, -1, 0, 2};
  const std::vector<float> weights = {0.3f, 9.0f, -1.7f, 1.0f / 3.0f};
  const uint64_t src_bytes = src_fmt == num::Format::BF16 ? 2 : 4, dst_bytes = dst_fmt == num::Format::BF16 ? 2 : 4;
  std::vector<float> src(20), dst(15);
  for (size_t k = 0; k < src.size(); ++k) src[k] = 1.1f * static_cast<float>(k) - 7.25f;
  for (size_t k = 0; k < dst.size(); ++k) dst[k] = 0.7f * static_cast<float>(k * k) + 0.01f;
  const auto encode = [](const std::vector<float>& v, num::Format fmt) {
    std::vector<uint8_t> out;
    for (float x : v) {
      uint8_t b[4];
      if (fmt == num::Format::BF16) {
        const uint16_t h = num::float_to_bf16(x);
        std::memcpy(b, &h, 2);
        out.insert(out.end(), b, b + 2);
      } else {
        std::memcpy(b, &x, 4);
        out.insert(out.end(), b, b + 4);
      }
    }
    return out;
  };
  const auto decode = [](const uint8_t* b, num::Format fmt) {
    if (fmt == num::Format::BF16) {
      uint16_t h;
      std::memcpy(&h, b, 2);
      return num::bf16_to_float(h);
    }
    float x;
    std::memcpy(&x, b, 4);
    return x;
  };
  const std::vector<uint8_t> src_bits = encode(src, src_fmt);
  std::vector<uint8_t> want = encode(dst, dst_fmt);
  for (size_t row = 0; row < list.size(); ++row) {
    if (list[row] < 0) continue;
    for (size_t c = 0; c < 5; ++c) {
      uint8_t* d = &want[(static_cast<size_t>(list[row]) * 5 + c) * dst_bytes];
      const float w = weighted ? weights[row] : 1.0f;
      const float sum = num::add_rn(decode(d, dst_fmt), num::mul_rn(w, decode(&src_bits[(row * 5 + c) * src_bytes], src_fmt)));
      const std::vector<uint8_t> e = encode({sum}, dst_fmt);
      std::memcpy(d, e.data(), dst_bytes);
    }
  }
  XcadreProgram p;
  const uint64_t formats =
      ops::FormatPair{.src_fmt = static_cast<uint64_t>(src_fmt), .dst_fmt = static_cast<uint64_t>(dst_fmt)}.encode();
  p.issue(Op::DmaStoreConfig, strides(0, 0), formats);
  p.issue(Op::DmaStoreIndex, index_list(kSp, 3), ops::WeightList{.weights = weighted ? kSp + 0x100 : 0}.encode());
  p.issue(Op::DmaScatterAdd, kHbm + 0x40, ops::RowUpdate{.local = kSp + 0x1000, .rows = 4, .cols = 5}.encode());
  arch::ArchConfig cfg = config(1);
  cfg.dma.scatter_add_rows_in_flight = rows_in_flight;
  XcadreRig rig(cfg, p.finish());
  put(rig.sp(), kSp, list);
  put(rig.sp(), kSp + 0x100, weights);
  put(rig.sp(), kSp + 0x1000, src_bits);
  put(rig.chip.hbm(), kHbm + 0x40, encode(dst, dst_fmt));
  rig.run();
  EXPECT_EQ(get<uint8_t>(rig.chip.hbm(), kHbm + 0x40, want.size()), want);
}

// Strided rows on both sides: local rows 32 bytes apart holding 3 FP32,
// table rows 64 bytes apart; the bytes between rows are left alone.
TEST(Dma, ScatterAddWithStridesBitForBit) {
  const std::vector<int32_t> list = {1, 3, 1};
  const std::vector<float> src = {1.5f, -2.0f, 0.25f, 0, 0, 0, 0, 0,   // row 0 (+ 20 bytes of gap)
                                  10.0f, 20.0f, 30.0f, 0, 0, 0, 0, 0,  // row 1
                                  -1.0f, 0.5f, 3.0f};                  // row 2
  std::vector<float> table(4 * 16);
  for (size_t k = 0; k < table.size(); ++k) table[k] = static_cast<float>(k) * 0.125f;
  std::vector<float> want = table;
  for (size_t row = 0; row < list.size(); ++row)
    for (size_t c = 0; c < 3; ++c) {
      float& d = want[static_cast<size_t>(list[row]) * 16 + c];
      d = num::add_rn(d, src[row * 8 + c]);
    }
  XcadreProgram p;
  const uint64_t fp32 = ops::FormatPair{.src_fmt = 0, .dst_fmt = 0}.encode();
  p.issue(Op::DmaStoreConfig, strides(64, 32), fp32);
  p.issue(Op::DmaStoreIndex, index_list(kSp, 4), 0);
  p.issue(Op::DmaScatterAdd, kHbm, ops::RowUpdate{.local = kSp + 0x200, .rows = 3, .cols = 3}.encode());
  XcadreRig rig(config(1), p.finish());
  put(rig.sp(), kSp, list);
  put(rig.sp(), kSp + 0x200, src);
  put(rig.chip.hbm(), kHbm, table);
  rig.run();
  const std::vector<float> got = get<float>(rig.chip.hbm(), kHbm, table.size());
  for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(num::float_bits(got[k]), num::float_bits(want[k])) << k;
}

// The DMA reaches RAM as it reaches HBM (untimed, like the core's RAM accesses).
TEST(Dma, LoadFromAndStoreToRamBitForBit) {
  const uint64_t ram = arch::kRamBase + 0x40000;  // above the program
  XcadreProgram p;
  p.issue(Op::DmaLoad, ram, transfer(kSp + 0x400, 2, 80)).issue(Op::SignalLoad, 0).issue(Op::WaitStore, 0);
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0).issue(Op::DmaStore, ram + 0x1000, transfer(kSp + 0x400, 2, 80));
  XcadreRig rig(config(1), p.finish());
  const std::vector<uint8_t> data = pattern(160, 3);
  put(rig.chip.ram(), ram, data);
  rig.run();
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 0x400, 160), data);
  EXPECT_EQ(get<uint8_t>(rig.chip.ram(), ram + 0x1000, 160), data);
  EXPECT_EQ(rig.chip.accelerator(0).dma().stats().bytes_read, 160u);
  EXPECT_EQ(rig.chip.accelerator(0).dma().stats().bytes_written, 160u);
}

TEST(Dma, ScatterAddFp32IntoFp32Weighted) { scatter_add_case(num::Format::FP32, num::Format::FP32, true); }
TEST(Dma, ScatterAddBf16IntoBf16Weighted) { scatter_add_case(num::Format::BF16, num::Format::BF16, true); }
TEST(Dma, ScatterAddFp32IntoBf16UnitWeights) { scatter_add_case(num::Format::FP32, num::Format::BF16, false); }
TEST(Dma, ScatterAddWithRowsInFlightBitForBit) { scatter_add_case(num::Format::BF16, num::Format::FP32, true, 4); }

// docs/accelerator.md, "DMA": a load of n full bursts with nothing else on its channel.
uint64_t documented_load_cycles(const arch::ArchConfig& cfg, uint64_t n) {
  const uint64_t b = cfg.dma.burst_bytes, w = cfg.interconnect.bytes_per_cycle;
  const auto channel = static_cast<uint64_t>(std::ceil(static_cast<double>(b) / arch::hbm_bytes_per_cycle_per_channel(cfg)));
  const uint64_t round_trip = cfg.interconnect.latency_cycles + (b + w - 1) / w + channel + arch::hbm_latency_cycles(cfg);
  return pipelined_load_cycles(cfg, n, round_trip);
}

TEST(Dma, LoadTimingIsTheDocumentedFormula) {
  arch::ArchConfig cfg = config(1);
  cfg.dma.max_outstanding_bursts = 3;  // round-trip bound: 3 bursts cover less than a round trip
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 1, 4096));
  XcadreRig rig(cfg, p.finish());
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load), documented_load_cycles(cfg, 4096 / cfg.dma.burst_bytes));
  EXPECT_EQ(rig.chip.accelerator(0).dma().stats().bursts, 64u);
}

TEST(Dma, LinkBoundLoadTimingIsTheDocumentedFormula) {
  const arch::ArchConfig cfg = config(1);  // 32 outstanding bursts cover the round trip
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 2, 4096));
  XcadreRig rig(cfg, p.finish());
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load), documented_load_cycles(cfg, 2 * 4096 / cfg.dma.burst_bytes));
}

// Overlapped commands: the second load's bursts follow the first's without
// waiting for its round trip, so the pair costs the queue what one transfer
// of both rows costs to issue; the signal behind them waits for the last
// burst to come back, and the data is the same as without overlap.
void two_loads_then_signal(uint32_t overlap) {
  const std::vector<uint8_t> a = pattern(4096, 3), b = pattern(4096, 9);
  arch::ArchConfig cfg = config(1);
  cfg.dma.overlap_commands = overlap;
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 1, 4096)).issue(Op::DmaLoad, kHbm + 0x10000, transfer(kSp + 4096, 1, 4096));
  p.issue(Op::SignalLoad, 0).issue(Op::WaitCompute, 0);
  XcadreRig rig(cfg, p.finish());
  put(rig.chip.hbm(), kHbm, a);
  put(rig.chip.hbm(), kHbm + 0x10000, b);
  rig.run();
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp, 4096), a);
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 4096, 4096), b);
  const uint64_t load_busy = rig.busy_cycles(isa::Queue::Load);
  const uint64_t compute_waited = rig.chip.accelerator(0).queue_stats(isa::Queue::Compute).semaphore_cycles;
  if (overlap) {
    // Both loads issue as one transfer of two rows would, and complete as it does.
    EXPECT_EQ(load_busy, cost::dma_issue_cycles(cfg, 2, 4096, kHbm, 0x10000));
    const uint64_t done = rig.chip.accelerator(0).dma().completion(isa::Queue::Load);
    const uint64_t first_issue = done - cost::dma_transfer_cycles(cfg, 2, 4096, kHbm, 0x10000);
    // The compute queue's wait, issued after the loads, ends when the last burst is back.
    EXPECT_GT(compute_waited, 0u);
    EXPECT_LT(first_issue, 64u);  // the program's first cycles set up its registers
    EXPECT_GE(rig.chip.core(0).cycles(), done);
  } else {
    EXPECT_EQ(load_busy, 2 * cost::dma_transfer_cycles(cfg, 1, 4096, kHbm, 0));
    EXPECT_GT(load_busy, cost::dma_transfer_cycles(cfg, 2, 4096, kHbm, 0x10000));
  }
}

TEST(Dma, OverlappedCommandsIssueBackToBackAndSignalOnceComplete) { two_loads_then_signal(1); }
TEST(Dma, CommandsOneAfterTheOtherWithoutOverlap) { two_loads_then_signal(0); }

TEST(Dma, OverlappedGatherWaitsForTheIndexListItsQueueLoads) {
  arch::ArchConfig cfg = config(1);
  cfg.dma.overlap_commands = 1;
  const std::vector<int32_t> list = {2, 0, 1};
  std::vector<uint8_t> table = pattern(3 * 64, 5);
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm + 0x8000, transfer(kSp, 1, 12));  // the index list, from HBM
  p.issue(Op::DmaLoadIndex, index_list(kSp, 3)).issue(Op::DmaGather, kHbm, transfer(kSp + 0x100, 3, 64));
  XcadreRig rig(cfg, p.finish());
  put(rig.chip.hbm(), kHbm, table);
  put(rig.chip.hbm(), kHbm + 0x8000, list);
  rig.run();
  for (int row = 0; row < 3; ++row)
    EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 0x100 + 64 * row, 64),
              std::vector<uint8_t>(table.begin() + 64 * list[row], table.begin() + 64 * (list[row] + 1)));
  // The gather starts once the list's load is back (the list's round trip
  // hides the configuration's cycle), then, the queue's last command, stays
  // until its own bursts are back.
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load),
            cost::dma_transfer_cycles(cfg, 1, 12, kHbm + 0x8000, 0) + cost::dma_transfer_cycles(cfg, 3, 64, kHbm, 64));
}

// On an idle chip every transfer costs what the cost model says, also where
// the closed form above does not apply: partial bursts, strides, RAM, gathers
// and scatter-adds. Configuration commands add their one cycle each.
TEST(Dma, StridedUnalignedLoadCostsWhatTheCostModelSays) {
  const arch::ArchConfig cfg = config(1);
  XcadreProgram p;
  p.issue(Op::DmaLoadConfig, strides(160, 128)).issue(Op::DmaLoad, kHbm + 0x30, transfer(kSp, 5, 100));
  XcadreRig rig(cfg, p.finish());
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load),
            cost::kConfigCycles + cost::dma_transfer_cycles(cfg, 5, 100, kHbm + 0x30, 160));
}

TEST(Dma, StridedStoreCostsWhatTheCostModelSays) {
  const arch::ArchConfig cfg = config(1);
  XcadreProgram p;
  p.issue(Op::DmaStoreConfig, strides(96, 0), 0).issue(Op::DmaStore, kHbm + 0x1010, transfer(kSp, 4, 72));
  XcadreRig rig(cfg, p.finish());
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Store),
            cost::kConfigCycles + cost::dma_transfer_cycles(cfg, 4, 72, kHbm + 0x1010, 96));
}

TEST(Dma, RamLoadCostsWhatTheCostModelSays) {
  const arch::ArchConfig cfg = config(1);
  const uint64_t ram = arch::kRamBase + 0x40000;
  XcadreProgram p;
  p.issue(Op::DmaLoad, ram, transfer(kSp, 2, 256));
  XcadreRig rig(cfg, p.finish());
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load), cost::dma_transfer_cycles(cfg, 2, 256, ram, 0));
}

TEST(Dma, GatherInTableOrderCostsTheLoadOfItsRows) {
  const arch::ArchConfig cfg = config(1);
  XcadreProgram p;
  p.issue(Op::DmaLoadIndex, index_list(kSp, 8)).issue(Op::DmaGather, kHbm, transfer(kSp + 0x100, 4, 48));
  XcadreRig rig(cfg, p.finish());
  put(rig.sp(), kSp, std::vector<int32_t>{0, 1, 2, 3});
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load), cost::kConfigCycles + cost::dma_transfer_cycles(cfg, 4, 48, kHbm, 0));
}

void scatter_add_costs_what_the_cost_model_says(uint32_t rows_in_flight) {
  arch::ArchConfig cfg = config(1);
  cfg.dma.scatter_add_rows_in_flight = rows_in_flight;
  XcadreProgram p;
  p.issue(Op::DmaStoreConfig, strides(0, 0), ops::FormatPair{.src_fmt = 0, .dst_fmt = 0}.encode());
  p.issue(Op::DmaStoreIndex, index_list(kSp, 6), 0);
  p.issue(Op::DmaScatterAdd, kHbm + 0x40, ops::RowUpdate{.local = kSp + 0x100, .rows = 6, .cols = 5}.encode());
  XcadreRig rig(cfg, p.finish());
  put(rig.sp(), kSp, std::vector<int32_t>{0, 1, 2, 3, 4, 5});
  rig.run();
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Store),
            2 * cost::kConfigCycles + cost::dma_scatter_add_cycles(cfg, 6, 5 * 4, kHbm + 0x40, 0));
}

TEST(Dma, ScatterAddCostsWhatTheCostModelSays) { scatter_add_costs_what_the_cost_model_says(1); }
TEST(Dma, ScatterAddWithTwoRowsInFlightCostsWhatTheCostModelSays) { scatter_add_costs_what_the_cost_model_says(2); }
TEST(Dma, ScatterAddWithEightRowsInFlightCostsWhatTheCostModelSays) { scatter_add_costs_what_the_cost_model_says(8); }

TEST(Dma, TwoTilesOnOneChannelTakeLonger) {
  arch::ArchConfig cfg = config(2);
  cfg.hbm.channels = 1;
  cfg.hbm.channel_bandwidth_gb_s = 16;  // a burst holds the channel as long as the link takes to send it
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 2, 4096));
  XcadreRig rig(cfg, p.finish());
  rig.run();
  const uint64_t alone = documented_load_cycles(cfg, 128);
  EXPECT_GT(rig.busy_cycles(isa::Queue::Load, 0), alone);
  EXPECT_GT(rig.busy_cycles(isa::Queue::Load, 1), alone);
  EXPECT_GT(std::max(rig.busy_cycles(isa::Queue::Load, 0), rig.busy_cycles(isa::Queue::Load, 1)), alone * 3 / 2);
}

TEST(Dma, LoadOutsideHbmIsAnError) {
  const arch::ArchConfig cfg = config(1);
  const uint64_t end = arch::hbm_region(cfg).end();
  XcadreProgram p;
  p.issue(Op::DmaLoad, end - 64, transfer(kSp, 2, 64));
  XcadreRig rig(cfg, p.finish());
  const std::string e = rig.error();
  EXPECT_THAT(e, HasSubstr("cdma.ld a3, a4 (pc 0x"));
  EXPECT_THAT(e, HasSubstr(fmt::format("chip address range [{:#x}, {:#x}) is outside RAM and HBM", end, end + 64)));
}

TEST(Dma, GatherIndexOutsideItsTableIsAnError) {
  XcadreProgram p;
  p.issue(Op::DmaLoadIndex, index_list(kSp, 4)).issue(Op::DmaGather, kHbm, transfer(kSp + 0x100, 3, 16));
  XcadreRig rig(config(1), p.finish());
  put(rig.sp(), kSp, std::vector<int32_t>{1, -1, 4});
  const std::string e = rig.error();
  EXPECT_THAT(e, HasSubstr("cdma.gather a3, a4 (pc 0x"));
  EXPECT_THAT(e, HasSubstr("index list entry 2 (at 0x20000008) is 4, outside the table's [0, 4) and not -1"));
}

TEST(Dma, LoadPastTheScratchpadIsAnError) {
  const arch::ArchConfig cfg = config(1);
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp + cfg.scratchpad.bytes - 64, 2, 64));
  XcadreRig rig(cfg, p.finish());
  const std::string e = rig.error();
  EXPECT_THAT(e, HasSubstr("cdma.ld a3, a4 (pc 0x"));
  EXPECT_THAT(e, HasSubstr(fmt::format("DMA destination row [{:#x}, {:#x}) is outside local memory",
                                       kSp + cfg.scratchpad.bytes, kSp + cfg.scratchpad.bytes + 64)));
}

TEST(Dma, StoreOutsideHbmIsAnError) {
  const arch::ArchConfig cfg = config(1);
  const uint64_t end = arch::hbm_region(cfg).end();
  XcadreProgram p;
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0).issue(Op::DmaStore, end - 32, transfer(kSp, 1, 64));
  XcadreRig rig(cfg, p.finish());
  const std::string e = rig.error();
  EXPECT_THAT(e, HasSubstr("cdma.st a3, a4 (pc 0x"));
  EXPECT_THAT(e, HasSubstr(fmt::format("chip address range [{:#x}, {:#x}) is outside RAM and HBM", end, end + 32)));
}

TEST(Dma, ScatterAddIndexOutsideItsTableIsAnError) {
  XcadreProgram p;
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0).issue(Op::DmaStoreIndex, index_list(kSp, 2), 0);
  p.issue(Op::DmaScatterAdd, kHbm, ops::RowUpdate{.local = kSp + 0x100, .rows = 2, .cols = 4}.encode());
  XcadreRig rig(config(1), p.finish());
  put(rig.sp(), kSp, std::vector<int32_t>{-2, 0});
  put(rig.chip.hbm(), kHbm, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
  const std::string e = rig.error();
  EXPECT_THAT(e, HasSubstr("cdma.scatadd a3, a4 (pc 0x"));
  EXPECT_THAT(e, HasSubstr("index list entry 0 (at 0x20000000) is -2, outside the table's [0, 2) and not -1"));
  // Checked before anything moves: the table is untouched.
  EXPECT_EQ(get<float>(rig.chip.hbm(), kHbm, 8), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Dma, ScatterAddRowOutsideHbmIsAnError) {
  const arch::ArchConfig cfg = config(1);
  const uint64_t end = arch::hbm_region(cfg).end();
  XcadreProgram p;
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0).issue(Op::DmaStoreIndex, index_list(kSp, 1000), 0);
  // Row 3 of a table whose rows are 16 bytes, based 32 bytes below the end of HBM.
  p.issue(Op::DmaScatterAdd, end - 32, ops::RowUpdate{.local = kSp + 0x100, .rows = 1, .cols = 4}.encode());
  XcadreRig rig(cfg, p.finish());
  put(rig.sp(), kSp, std::vector<int32_t>{3});
  const std::string e = rig.error();
  EXPECT_THAT(e, HasSubstr("cdma.scatadd a3, a4 (pc 0x"));
  EXPECT_THAT(e, HasSubstr("is outside RAM and HBM"));
}

}  // namespace
}  // namespace cadre::test
