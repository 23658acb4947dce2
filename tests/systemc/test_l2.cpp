// The L2 in front of the HBM channels (/l2/bytes) on a whole chip: a hit's
// timing against the cost model's formula, one HBM read for tiles that load
// the same lines, least-recently-used replacement, lines a partial write
// makes stale, and the same bytes as without it (docs/accelerator.md, "L2").
#include <gtest/gtest.h>

#include <algorithm>

#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre.h"
#include "cadre/sim/chip.h"
#include "sim_test_util.h"
#include "xcadre_program.h"

namespace cadre::test {
namespace {

using isa::Op;

constexpr uint64_t kSp = arch::kScratchpadBase;
constexpr uint64_t kHbm = arch::kHbmBase;

// `small` (one 32 B-a-cycle channel, 64 B lines) with an L2 of `sets` sets
// whose slice returns 64 B a cycle after 20 cycles.
arch::ArchConfig with_l2(uint32_t tiles, uint64_t sets) {
  arch::ArchConfig cfg = config(tiles);
  cfg.l2 = {sets * arch::kL2Ways * cfg.dma.burst_bytes, 64, 20};
  return cfg;
}

struct Traffic {
  uint64_t channel_accesses = 0, channel_bytes = 0, hits = 0, hit_bytes = 0;
};
Traffic traffic(const XcadreRig& rig) {
  Traffic t;
  for (const sim::HbmChannelStats& c : rig.chip.hbm_model().channel_stats()) {
    t.channel_accesses += c.accesses, t.channel_bytes += c.bytes;
    t.hits += c.l2_hits, t.hit_bytes += c.l2_hit_bytes;
  }
  return t;
}

TEST(L2, HitCycles) {
  // small: link latency 10, 16 B a cycle; a slice of 96 B a cycle over 3 channels is 32 B a cycle.
  arch::ArchConfig cfg = config(1);
  cfg.hbm.channels = 3;
  cfg.l2 = {3 * arch::kL2Ways * 64, 96, 7};
  EXPECT_EQ(cost::l2_hit_burst_cycles(cfg, 64), 10u + 4 + 2 + 7);
  EXPECT_EQ(cost::l2_hit_burst_cycles(cfg, 40), 10u + 3 + 2 + 7);
}

TEST(L2, ALoadOfLinesTheL2HoldsCostsTheHitFormula) {
  arch::ArchConfig cfg = with_l2(1, 16);
  cfg.dma.max_outstanding_bursts = 3;  // round-trip bound, so the round trip shows
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 1, 4096)).issue(Op::DmaLoad, kHbm, transfer(kSp + 4096, 1, 4096));
  XcadreRig rig(cfg, p.finish());
  const std::vector<uint8_t> data = pattern(4096, 3);
  rig.chip.hbm().write(kHbm, data);
  rig.run();
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp, 4096), data);
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 4096, 4096), data);
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Load),
            pipelined_load_cycles(cfg, 64, cost::hbm_burst_cycles(cfg, 64)) +
                pipelined_load_cycles(cfg, 64, cost::l2_hit_burst_cycles(cfg, 64)));
  const Traffic t = traffic(rig);
  EXPECT_EQ(t.channel_accesses, 64u);
  EXPECT_EQ(t.hits, 64u);
  EXPECT_EQ(t.hit_bytes, 4096u);
}

TEST(L2, TilesLoadingTheSameLinesReadHbmOnce) {
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 2, 4096));
  XcadreRig rig(with_l2(2, 16), p.finish());
  const std::vector<uint8_t> data = pattern(8192, 5);
  rig.chip.hbm().write(kHbm, data);
  rig.run();
  EXPECT_EQ(get<uint8_t>(rig.sp(0), kSp, 8192), data);
  EXPECT_EQ(get<uint8_t>(rig.sp(1), kSp, 8192), data);
  const Traffic t = traffic(rig);
  EXPECT_EQ(t.channel_bytes, 8192u);
  EXPECT_EQ(t.hit_bytes, 8192u);
}

TEST(L2, WithoutItBothTilesReadHbm) {
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 2, 4096));
  XcadreRig rig(config(2), p.finish());
  rig.run();
  const Traffic t = traffic(rig);
  EXPECT_EQ(t.channel_bytes, 2 * 8192u);
  EXPECT_EQ(t.hits, 0u);
}

TEST(L2, TheLeastRecentlyUsedLineMakesRoom) {
  // One set of 16 lines: lines 0-16 in order leave 1-16 there.
  XcadreProgram p;
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 1, 17 * 64));
  p.issue(Op::DmaLoad, kHbm + 16 * 64, transfer(kSp + 0x1000, 1, 64));
  p.issue(Op::DmaLoad, kHbm, transfer(kSp + 0x1040, 1, 64));
  XcadreRig rig(with_l2(1, 1), p.finish());
  rig.run();
  const Traffic t = traffic(rig);
  EXPECT_EQ(t.channel_accesses, 18u);
  EXPECT_EQ(t.hits, 1u);
}

TEST(L2, AWholeLineWrittenIsThereAndAPartWrittenMakesItStale) {
  XcadreProgram p;
  // Two lines from HBM to the scratchpad, back over one whole line and half
  // of the other, then both read again.
  p.issue(Op::DmaLoad, kHbm, transfer(kSp, 1, 128)).issue(Op::SignalLoad, 0).issue(Op::WaitStore, 0);
  p.issue(Op::DmaStoreConfig, strides(0, 0), 0).issue(Op::DmaStore, kHbm + 0x1000, transfer(kSp, 1, 64));
  p.issue(Op::DmaStore, kHbm + 64, transfer(kSp + 0x100, 1, 32));
  //.issue(Op::DmaStore, kHbm + 64, transfer(kSp + 0x100, 1, 32));
  p.issue(Op::SignalStore, 1).issue(Op::WaitLoad, 1);
  p.issue(Op::DmaLoad, kHbm + 0x1000, transfer(kSp + 0x200, 1, 64)).issue(Op::DmaLoad, kHbm + 64, transfer(kSp + 0x240, 1, 64));
  XcadreRig rig(with_l2(1, 16), p.finish());
  const std::vector<uint8_t> data = pattern(128, 9), half = pattern(32, 40);
  rig.chip.hbm().write(kHbm, data);
  rig.sp().write(kSp + 0x100, half);
  rig.run();
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 0x200, 64), std::vector<uint8_t>(data.begin(), data.begin() + 64));
  std::vector<uint8_t> second(data.begin() + 64, data.end());
  std::copy(half.begin(), half.end(), second.begin());
  EXPECT_EQ(get<uint8_t>(rig.sp(), kSp + 0x240, 64), second);
  // Reads: 2 lines, then the half-written one again; writes: 64 + 32 bytes.
  const Traffic t = traffic(rig);
  EXPECT_EQ(t.channel_accesses, 5u);
  EXPECT_EQ(t.channel_bytes, 128u + 96 + 64);
  EXPECT_EQ(t.hits, 1u);
}

}  // namespace
}  // namespace cadre::test
