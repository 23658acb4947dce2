// The command tag CSR and the statistics kept per tag: a hand-assembled
// program tags a BF16 matmul and a DMA load with different tags, and the
// run's per-tag MACs, bytes, busy cycles, instructions and attributed cycles
// add up to what the program did (docs/accelerator.md, "Per-tag statistics").
#include <gtest/gtest.h>

#include <numeric>

#include "accel_test_util.h"
#include "cadre/arch/memory_map.h"
#include "cadre/cost/cost.h"
#include "cadre/numerics/format.h"
#include "cadre/sim/simulate.h"
#include "xcadre_program.h"

namespace cadre::test {
namespace {

namespace ops = isa::operands;
using isa::Op;

constexpr uint32_t kMatmulTag = 3, kLoadTag = 5;
constexpr uint64_t kA = kSp, kB = kSp + 16384, kC = kAcc;  // small: 16 KiB scratchpad banks
constexpr uint64_t kLoadBytes = 4 * 256;

Rv64Insn set_tag(uint32_t tag) { return {Rv64Op::Csrrwi, {}, 0, 0, 0, isa::kTagCsr, tag}; }

// Where the program writes its tags: the instruction indices.
struct TagWrites {
  size_t matmul = 0, load = 0, untagged = 0;
};

// Tag 3: an 8 x 8 x 8 BF16 matmul on the small preset's 8 x 8 array; tag 5:
// a 4-row load of 256-byte rows from HBM; untagged: the fence and the exit.
// Every tile runs it.
elf::Program tagged_program(TagWrites* at = nullptr) {
  XcadreProgram p;
  TagWrites w;
  const int64_t bf16 = num::info(num::Format::BF16).code;
  w.matmul = p.code.words.size();
  p.code << set_tag(kMatmulTag);
  p.issue(Op::MatrixConfig, ops::MatrixFormats{.a_fmt = static_cast<uint64_t>(bf16), .b_fmt = static_cast<uint64_t>(bf16)}.encode(),
          ops::OperandStrides{}.encode());
  p.issue(Op::MatrixPreload, ops::TileWithScales{.tile = kB}.encode(), ops::WeightShape{.k = 8, .n = 8}.encode());
  p.issue(Op::MatrixMul, ops::TileWithScales{.tile = kA}.encode(), ops::MatmulOut{.acc = kC, .m = 8}.encode());
  w.load = p.code.words.size();
  p.code << set_tag(kLoadTag);
  p.issue(Op::DmaLoad, arch::kHbmBase, ops::Transfer{.local = kSp + 32768, .rows = 4, .row_bytes = 256}.encode());
  w.untagged = p.code.words.size();
  p.code << set_tag(0);
  if (at) *at = w;
  return program(p.finish());
}

sim::SimResult run(const elf::Program& prog) {
  sim::SimOptions o;
  o.echo_output = false;
  return sim::simulate(arch::load_arch("small"), prog, o);
}

TEST(Tags, EachTagGetsItsCommandsWork) {
  const sim::SimResult r = run(tagged_program());
  ASSERT_FALSE(r.error) << r.error->message;
  const sim::TileResult& t = r.tiles[0];
  const sim::TagStats& mm = t.tags[kMatmulTag];
  EXPECT_EQ(mm.commands, 3u);  // cmx.cfg, cmx.preload, cmx.mm
  EXPECT_EQ(mm.work.macs, 512u);
  EXPECT_EQ(mm.work.bf16_macs, 512u);
  // One fold: A and B read once (8 x 8 BF16 each), C written once (8 x 8 FP32).
  EXPECT_EQ(mm.work.scratchpad_bytes, 2u * 128);
  EXPECT_EQ(mm.work.accumulator_bytes, 256u);
  EXPECT_EQ(mm.work.dma_bytes_read, 0u);
  const arch::ArchConfig cfg = arch::load_arch("small");
  EXPECT_EQ(mm.matrix_busy_cycles, 2 * cost::kConfigCycles + cost::matmul_timing(cfg, 8, 8, 8).total());
  EXPECT_EQ(mm.queue_busy_cycles[1], mm.matrix_busy_cycles);
  EXPECT_EQ(mm.vector_busy_cycles, 0u);

  const sim::TagStats& ld = t.tags[kLoadTag];
  EXPECT_EQ(ld.commands, 1u);
  EXPECT_EQ(ld.work.dma_bytes_read, kLoadBytes);
  EXPECT_EQ(ld.work.scratchpad_bytes, kLoadBytes);  // written into the scratchpad
  EXPECT_EQ(ld.work.macs, 0u);
  EXPECT_EQ(ld.queue_busy_cycles[0], t.accelerator.queues[0].busy_cycles);
  EXPECT_LE(ld.first_cycle, ld.last_cycle);
  EXPECT_EQ(ld.last_cycle - ld.first_cycle, ld.queue_busy_cycles[0]);

  // The tags' work is all the units did.
  uint64_t macs = 0, dma = 0;
  double attributed = 0;
  for (const sim::TagStats& s : t.tags) {
    macs += s.work.macs;
    dma += s.work.dma_bytes_read + s.work.dma_bytes_written;
    attributed += s.attributed_cycles;
  }
  EXPECT_EQ(macs, t.accelerator.matrix.macs);
  EXPECT_EQ(dma, t.accelerator.dma.bytes_read + t.accelerator.dma.bytes_written);
  // Every cycle of the tile is some tag's or idle.
  EXPECT_DOUBLE_EQ(attributed + static_cast<double>(t.idle_cycles), static_cast<double>(t.cycles));
  EXPECT_GT(t.tags[kMatmulTag].attributed_cycles, 0.0);
  EXPECT_GT(t.tags[kLoadTag].attributed_cycles, 0.0);
  EXPECT_EQ(t.tags[0].commands, 0u);
}

TEST(Tags, InstructionsAreCountedUnderTheTagTheyRanWith) {
  TagWrites w;
  const sim::SimResult r = run(tagged_program(&w));
  ASSERT_FALSE(r.error) << r.error->message;
  const sim::CoreStats& s = r.tiles[0].stats;
  EXPECT_EQ(std::accumulate(s.instructions_by_tag.begin(), s.instructions_by_tag.end(), uint64_t{0}), s.instructions);
  // A straight-line program: a tag's instructions run from the one after its
  // tag write to the next tag write, which is the old tag's last.
  EXPECT_EQ(s.instructions_by_tag[kMatmulTag], w.load - w.matmul);
  EXPECT_EQ(s.instructions_by_tag[kLoadTag], w.untagged - w.load);
  EXPECT_EQ(s.instructions_by_tag[0], s.instructions - (w.untagged - w.matmul));
}

TEST(Tags, TheUtilisationTimelineHoldsEveryBusyCycle) {
  const sim::SimResult r = run(tagged_program());
  ASSERT_FALSE(r.error) << r.error->message;
  uint64_t matrix = 0, load = 0;
  for (const auto& bin : r.utilisation.bins()) {
    matrix += bin[static_cast<size_t>(sim::ActivityUnit::Matrix)];
    load += bin[static_cast<size_t>(sim::ActivityUnit::DmaLoad)];
  }
  uint64_t matrix_busy = 0, load_busy = 0;  // over the tiles
  for (const sim::TileResult& t : r.tiles) {
    matrix_busy += t.accelerator.matrix.busy_cycles;
    load_busy += t.accelerator.queues[0].busy_cycles;
  }
  ASSERT_EQ(r.tiles.size(), 2u);
  EXPECT_EQ(matrix, matrix_busy);
  EXPECT_EQ(load, load_busy);
  EXPECT_LE(r.utilisation.bins().size() * r.utilisation.bin_cycles(), r.cycles + r.utilisation.bin_cycles());
}

TEST(Tags, ATagOutOfRangeIsAnIllegalInstruction) {
  XcadreProgram p;
  p.code << set_tag(0) << i(Rv64Op::Addi, a3, zero, 64) << Rv64Insn{Rv64Op::Csrrw, {}, 0, a3, 0, isa::kTagCsr, 0};
  const sim::SimResult r = run(program(p.finish()));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, sim::SimErrorKind::IllegalInstruction);
  EXPECT_NE(r.error->message.find("command tag 64 is out of range (0 to 63)"), std::string::npos) << r.error->message;
}

TEST(UtilisationTimeline, BinsDoubleAndKeepEveryCycle) {
  sim::UtilisationTimeline u;
  u.add(sim::ActivityUnit::Vector, 10, 100);
  EXPECT_EQ(u.bin_cycles(), sim::UtilisationTimeline::kFirstBinCycles);
  const uint64_t far = sim::UtilisationTimeline::kFirstBinCycles * sim::UtilisationTimeline::kMaxBins * 3;
  u.add(sim::ActivityUnit::Vector, far - 50, far);
  EXPECT_EQ(u.bin_cycles(), 4 * sim::UtilisationTimeline::kFirstBinCycles);
  EXPECT_LE(u.bins().size(), sim::UtilisationTimeline::kMaxBins);
  uint64_t total = 0;
  for (const auto& bin : u.bins()) total += bin[static_cast<size_t>(sim::ActivityUnit::Vector)];
  EXPECT_EQ(total, 90u + 50u);
  EXPECT_EQ(u.bins()[0][static_cast<size_t>(sim::ActivityUnit::Vector)], 90u);
}

TEST(TagTimeline, SharesCyclesEquallyAmongRunningTags) {
  sim::TagTimeline t;
  t.begin(1, 0);
  t.begin(2, 10);   // [0, 10): tag 1 alone
  t.end(1, 20);     // [10, 20): tags 1 and 2, 5 each
  t.end(2, 30);     // [20, 30): tag 2 alone
  t.finish(40);     // [30, 40): idle
  EXPECT_DOUBLE_EQ(t.attributed(1), 15.0);
  EXPECT_DOUBLE_EQ(t.attributed(2), 15.0);
  EXPECT_EQ(t.idle_cycles(), 10u);
}

}  // namespace
}  // namespace cadre::test
