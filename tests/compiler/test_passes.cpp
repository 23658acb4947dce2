// Each pass alone, on real layers: what it must guarantee beyond what the
// FileCheck tests (lit/) show of its output.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "cadre/arch/memory_map.h"
#include "cadre/compiler/compiler.h"
#include "cadre/compiler/estimate.h"
#include "cadre/compiler/verify.h"
#include "compiler_test_util.h"

namespace cadre::compiler {
namespace {

Module run(const test::ShrunkLayer& l, const std::string& arch_name, const std::string& pipeline, uint32_t tokens = 8,
           const std::string& precision = "fp8", const std::string& phase = "decode") {
  Module m = build_layer(test::shrunk_request(l, phase, tokens, precision, arch_name));
  run_pipeline(parse_pipeline(pipeline), m, PassContext{arch::load_arch(arch_name)});
  return m;
}

const GraphOp* find(const Module& m, GraphOpKind k) {
  for (const GraphOp& op : m.graph->ops)
    if (op.kind == k) return &op;
  return nullptr;
}

const test::ShrunkLayer& layer(const std::string& name) {
  static const std::vector<test::ShrunkLayer> all = test::shrunk_layers();
  for (const auto& l : all)
    if (l.name == name) return l;
  throw std::logic_error(name);
}

TEST(QuantizeFp8, MakesTheWeightsE4M3WithBlockScalesAndQuantisesTheActivations) {
  const Module m = run(layer("DeepSeekV3"), "small", "quantize-fp8");
  std::set<std::string> scale_roles;
  for (const GraphOp& op : m.graph->ops) {
    if (op.kind != GraphOpKind::Param) continue;
    const std::string role = op.attrs.get_string("role");
    if (role.starts_with("expert_") || role.starts_with("shared_")) {
      if (role.ends_with("_scale")) {
        scale_roles.insert(role);
        EXPECT_EQ(op.results[0].type.dtype, num::Format::FP32) << role;
        EXPECT_EQ(op.results[0].type.shape[1], 2u) << role;  // 256 / 128 blocks
      } else {
        EXPECT_EQ(op.results[0].type.dtype, num::Format::E4M3) << role;
      }
    }
  }
  EXPECT_EQ(scale_roles.size(), 6u);
  ASSERT_TRUE(find(m, GraphOpKind::InputQuant));
  EXPECT_EQ(find(m, GraphOpKind::SiluMulQuant)->attrs.get_string("format"), "e4m3");
  EXPECT_EQ(find(m, GraphOpKind::Permute)->results[0].type.dtype, num::Format::E4M3);
  EXPECT_EQ(m.attrs.get_string("precision"), "fp8");
  // Running it again changes nothing.
  Module again = m;
  run_pass({PassId::QuantizeFp8, {}}, again, PassContext{arch::load_arch("small")});
  EXPECT_TRUE(again == m);
}

TEST(FuseExperts, FusesTheCombineOnlyWhereItsOrderHolds) {
  arch::ArchConfig one = arch::load_arch("default");
  one.tiles = 1;
  Module m = build_layer(test::shrunk_request(layer("Mixtral"), "decode", 8, "fp8", "default"));
  run_pipeline(parse_pipeline("quantize-fp8,fuse-experts"), m, PassContext{one});
  EXPECT_EQ(find(m, GraphOpKind::ExpertMlp)->attrs.get_string("epilogue"), "scatter_add");
  EXPECT_FALSE(find(m, GraphOpKind::Combine));
  EXPECT_FALSE(find(m, GraphOpKind::Permute));

  const Module four = run(layer("Mixtral"), "default", "quantize-fp8,fuse-experts");
  EXPECT_EQ(find(four, GraphOpKind::ExpertMlp)->attrs.get_string("epilogue"), "store");
  EXPECT_TRUE(find(four, GraphOpKind::Combine));

  Module off = build_layer(test::shrunk_request(layer("Mixtral"), "decode", 8, "fp8", "default"));
  run_pipeline(parse_pipeline("quantize-fp8,fuse-experts{scatter=off}"), off, PassContext{one});
  EXPECT_EQ(find(off, GraphOpKind::ExpertMlp)->attrs.get_string("epilogue"), "store");
}

TEST(ChooseTiling, FitsEveryPresetAndFollowsItsOptions) {
  for (const auto& l : test::shrunk_layers())
    for (const std::string a : {"small", "default", "h100-class"}) {
      const Module m = run(l, a, "quantize-fp8,fuse-experts,choose-tiling");
      const GraphOp* mlp = find(m, GraphOpKind::ExpertMlp);
      EXPECT_GT(mlp->attrs.get_int("rows"), 0) << l.name << " " << a;
      EXPECT_EQ(mlp->attrs.get_int("slice") % 128, 0);
    }
  const Module m = run(layer("Mixtral"), "default", "quantize-fp8,fuse-experts,choose-tiling{rows=3,k_chunk=128,n_chunk=256}");
  const GraphOp* mlp = find(m, GraphOpKind::ExpertMlp);
  EXPECT_EQ(mlp->attrs.get_int("rows"), 3);
  EXPECT_EQ(mlp->attrs.get_int("k_chunk"), 128);
  EXPECT_EQ(mlp->attrs.get_int("n_chunk"), 256);
}

TEST(ChooseTiling, WithOverlappedDmaAWeightTileAmortisesTheRoundTripItsFullSignalWaitsFor) {
  // A weight tile's full signal waits for its last burst, so the load queue
  // holds the next tile behind a round trip: the chosen tiles (full-size
  // Qwen1.5-MoE, 4 tiles on `default`) stream for at least 8 round trips at
  // the tile's share of HBM, so that tail costs at most an eighth.
  const arch::ArchConfig a = arch::load_arch("default");
  ASSERT_TRUE(a.dma.overlap_commands);
  const Module m = run({"Qwen15MoeFull", "qwen1.5-moe-a2.7b", {}}, "default", "quantize-fp8,fuse-experts,choose-tiling", 64);
  const GraphOp* mlp = find(m, GraphOpKind::ExpertMlp);
  const uint64_t S = static_cast<uint64_t>(mlp->attrs.get_int("slice")), KC = static_cast<uint64_t>(mlp->attrs.get_int("k_chunk"));
  const uint64_t NC = static_cast<uint64_t>(mlp->attrs.get_int("n_chunk"));
  const uint64_t gate_up = (mlp->attrs.get_int("split") ? 1 : 2) * S * KC, down = NC * S;  // FP8 bytes
  const double round_trip = static_cast<double>(arch::hbm_latency_cycles(a) + 2 * a.interconnect.latency_cycles);
  const double in_flight = round_trip * arch::hbm_bytes_per_cycle(a) / a.tiles;
  EXPECT_GE(static_cast<double>(gate_up), 8 * in_flight) << gate_up;
  EXPECT_GE(static_cast<double>(down), 8 * in_flight) << down;
}

TEST(ChooseTiling, SplitsExpertsInPartsWhenATileWouldGetFewerThanTwo) {
  const test::ShrunkLayer dsv3{"DeepSeekV3Full", "deepseek-v3", {}};
  // 256 experts on 132 tiles: the fewest parts that give every tile 4 (divisors of the slices and output chunks).
  const Module h100 = run(dsv3, "h100-class", "quantize-fp8,fuse-experts,choose-tiling", 256);
  const GraphOp* mlp = find(h100, GraphOpKind::ExpertMlp);
  const int64_t parts = mlp->attrs.get_int("parts");
  EXPECT_GE(256 * parts, 4 * 132);
  EXPECT_EQ((mlp->attrs.get_int("width") / mlp->attrs.get_int("slice")) % parts, 0);
  EXPECT_EQ((7168 / mlp->attrs.get_int("n_chunk")) % parts, 0);
  // 64 experts a tile on `default`, and Mixtral's 2: whole experts.
  EXPECT_EQ(find(run(dsv3, "default", "quantize-fp8,fuse-experts,choose-tiling", 256), GraphOpKind::ExpertMlp)->attrs.get_int("parts"), 1);
  const Module mixtral = run({"MixtralFull", "mixtral-8x7b", {}}, "default", "quantize-fp8,fuse-experts,choose-tiling", 64);
  EXPECT_EQ(find(mixtral, GraphOpKind::ExpertMlp)->attrs.get_int("parts"), 1);
  try {
    run(layer("Mixtral"), "default", "quantize-fp8,fuse-experts,choose-tiling{parts=3,slice=128,n_chunk=128}");
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("3 parts of an expert must divide its 2 slices and 2 output chunks"), std::string::npos)
        << e.what();
  }
}

// Phase A's [gate | up] slice and phase B's output chunk share one space of
// the accumulator, which only the compute queue (in order) touches: full-size
// Mixtral decode 256 on `h100-class` takes 128-row blocks (every expert's 64
// rows on average, and twice that, in one block: its weights stream once),
// where two spaces of 64 rows x 256 FP32 columns each would leave 64.
TEST(ChooseTiling, TheGateUpSliceAndTheOutputChunkShareTheAccumulator) {
  const arch::ArchConfig a = arch::load_arch("h100-class");
  const Module m = run({"MixtralFull", "mixtral-8x7b", {}}, "h100-class", "quantize-fp8,fuse-experts,choose-tiling", 256);
  const GraphOp* mlp = find(m, GraphOpKind::ExpertMlp);
  const uint64_t rows = static_cast<uint64_t>(mlp->attrs.get_int("rows")), S = static_cast<uint64_t>(mlp->attrs.get_int("slice"));
  const uint64_t NC = static_cast<uint64_t>(mlp->attrs.get_int("n_chunk"));
  EXPECT_EQ(rows, 128u);
  EXPECT_LE(rows * std::max(2 * S, NC) * 4, a.accumulator.bytes);
  EXPECT_GT(rows * (2 * S + NC) * 4, a.accumulator.bytes);
  // Lowered, the two are one buffer: the accumulator holds it and nothing else of the MLP.
  const Module low = run({"MixtralFull", "mixtral-8x7b", {}}, "h100-class",
                         "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts", 256);
  uint64_t accumulator = 0;
  for (const BufferDecl& b : low.program->buffers)
    if (b.memory == Memory::Accumulator && b.name.ends_with("acc")) accumulator = std::max(accumulator, b.bytes);
  EXPECT_EQ(accumulator, rows * std::max(2 * S, NC) * 4);
}

// The combine by tokens where its rows cost less than the column split's
// FP32 partial sums through HBM: a full-size layer's decode on `h100-class`
// (2 tokens a tile), and on `default`'s 4 tiles at decode 64 (16 tokens a
// tile, their 128 rows in 2 gathers; measured within 0.1 point of the
// columns there), not where a tile's tokens' FP32 rows and a gather of
// their rows do not fit (Qwen3 decode 256 on `default`). Prefill's lists do
// not fit a tile: on `h100-class` its rows are found by counting, 11
// tokens a pass; on `default` counting is not predicted to save enough.
TEST(ChooseTiling, CombinesByTokensWhereThatIsPredictedFaster) {
  const std::string tiling = "quantize-fp8,fuse-experts,choose-tiling";
  const auto by = [&](const std::string& model, const std::string& arch, uint32_t tokens, const std::string& phase) {
    const Module m = run({"Full", model, {}}, arch, tiling, tokens, "fp8", phase);
    return find(m, GraphOpKind::Combine)->attrs.get_string("by");
  };
  EXPECT_EQ(by("deepseek-v3", "h100-class", 256, "decode"), "tokens");
  EXPECT_EQ(by("olmoe-1b-7b", "h100-class", 64, "decode"), "tokens");
  EXPECT_EQ(by("olmoe-1b-7b", "default", 64, "decode"), "tokens");
  EXPECT_EQ(by("qwen3-30b-a3b", "default", 256, "decode"), "columns");
  EXPECT_EQ(by("olmoe-1b-7b", "h100-class", 4096, "prefill"), "tokens");
  EXPECT_EQ(by("olmoe-1b-7b", "default", 4096, "prefill"), "columns");
  const Module prefill = run({"Full", "olmoe-1b-7b", {}}, "h100-class", tiling, 4096, "fp8", "prefill");
  const GraphOp* counted = find(prefill, GraphOpKind::Combine);
  EXPECT_EQ(counted->attrs.get_string("find"), "count");
  // 15 FP32 rows of 8 KB and one more fit the accumulator's 128 KB: 274
  // passes, 3 a tile; 11 tokens a pass keep 3 a tile on 125 of 132 tiles.
  EXPECT_EQ(counted->attrs.get_int("tokens"), 11);
  EXPECT_EQ(counted->attrs.get_int("tile_rows"), 11 * 8);
  const Module m = run({"Full", "deepseek-v3", {}}, "h100-class", tiling, 256);
  const GraphOp* combine = find(m, GraphOpKind::Combine);
  EXPECT_EQ(combine->attrs.get_int("tokens"), 2);
  // 2 tokens' 16 rows of 14 KB: gathers of 3 rows fit beside the rest.
  EXPECT_EQ(combine->attrs.get_int("tile_rows"), 16);
  EXPECT_EQ(combine->attrs.get_int("gather_rows"), 3);
  // Its 256 experts take 9 halvings each, more than a scan of 2048 rows;
  // OLMoE's 64 experts, fewer.
  EXPECT_EQ(combine->attrs.get_string("find"), "scan");
  const Module olmoe = run({"Full", "olmoe-1b-7b", {}}, "h100-class", tiling, 256);
  EXPECT_EQ(find(olmoe, GraphOpKind::Combine)->attrs.get_string("find"), "search");
  try {
    run({"Full", "olmoe-1b-7b", {}}, "default", "quantize-fp8,fuse-experts,choose-tiling{combine_by=tokens,combine_find=scan}",
        1024);
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("the combine by tokens: 256 tokens' FP32 rows of 2048 do not fit a tile"),
              std::string::npos)
        << e.what();
  }
}

TEST(EstimateExpertPhase, SplitsTheWorkOverTheTilesAndNamesBadOffsets) {
  const arch::ArchConfig a = arch::load_arch("default");
  const Module m = run(layer("Mixtral"), "default", "quantize-fp8,fuse-experts,choose-tiling", 64);
  // 8 experts, 16 rows each: two on each of the 4 tiles, the same cycles on each.
  std::vector<int32_t> offsets;
  for (int32_t e = 0; e <= 8; ++e) offsets.push_back(16 * e);
  const ExpertPhaseEstimate est = estimate_expert_phase(m, a, offsets);
  ASSERT_EQ(est.tile_cycles.size(), 4u);
  for (double t : est.tile_cycles) EXPECT_DOUBLE_EQ(t, est.cycles);
  EXPECT_GT(est.cycles, 0);
  try {
    estimate_expert_phase(m, a, {0, 16});
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("2 offsets for 8 experts"), std::string::npos) << e.what();
  }
}

// With share = G the estimate places on groups, as distribute does: each
// member of a group runs its blocks of every expert the group takes, and
// the group's time is its first member's.
TEST(EstimateExpertPhase, GroupsOfTilesTakeEachExpertTogether) {
  const arch::ArchConfig a = arch::load_arch("default");
  std::vector<int32_t> offsets;  // 8 experts, 16 rows each: two blocks of 8
  for (int32_t e = 0; e <= 8; ++e) offsets.push_back(16 * e);
  const auto estimate = [&](int share) {
    const std::string tiling = fmt::format("quantize-fp8,fuse-experts,choose-tiling{{rows=8,share_tiles={}}}", share);
    const Module m = run(layer("Mixtral"), "default", tiling, 64);
    EXPECT_EQ(find(m, GraphOpKind::ExpertMlp)->attrs.get_int("share", 1), share);
    return estimate_expert_phase(m, a, offsets);
  };
  // Two groups of two: four experts a group, a block of each on each member.
  // One group of four: all eight experts, a block of each on members 0 and 1.
  const ExpertPhaseEstimate two = estimate(2), four = estimate(4);
  ASSERT_EQ(two.tile_cycles.size(), 4u);
  for (double t : two.tile_cycles) EXPECT_DOUBLE_EQ(t, two.cycles);
  for (double t : four.tile_cycles) EXPECT_DOUBLE_EQ(t, four.cycles);
  EXPECT_NEAR(four.cycles / two.cycles, 2.0, 1e-9);
}

TEST(Allocate, NeverOverlapsLiveBuffersOrPassesCapacity) {
  for (const auto& l : test::shrunk_layers())
    for (const std::string a : {"small", "default"}) {
      const arch::ArchConfig cfg = arch::load_arch(a);
      const Module m = run(l, a, print_pipeline(default_pipeline(build_layer(test::shrunk_request(l, "decode", 8, "fp8", a)))));
      verify(m, &cfg);
      for (const BufferDecl& b : m.program->buffers) {
        if (!b.address) continue;
        const uint64_t base = b.memory == Memory::Scratchpad ? arch::kScratchpadBase : arch::kAccumulatorBase;
        const uint64_t size = b.memory == Memory::Scratchpad ? cfg.scratchpad.bytes : cfg.accumulator.bytes;
        EXPECT_LE(*b.address + slot_stride(b) * b.slots, base + size) << b.name;
        EXPECT_EQ(*b.address % 64, 0u) << b.name;
      }
      uint32_t sems = 0;
      for (const SemDecl& s : m.program->semaphores) sems = std::max(sems, *s.number + s.slots);
      EXPECT_LE(sems, cfg.semaphores);
    }
}

TEST(Allocate, AnImpossibleFitNamesTheBufferAndItsBytes) {
  Module m = parse_module(
      "module \"m\"\nprogram {\n  buffer @a : scratchpad[40000]\n  buffer @b : scratchpad[30000]\n  body {\n"
      "    cvec.add src_a = @a, src_b = @b, dst = @a, n = 4\n  }\n}\n",
      "fit.ir");
  try {
    run_pass({PassId::Allocate, {}}, m, PassContext{arch::load_arch("small")});
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("buffer @b needs 30016 bytes of scratchpad, but only 25536 of its 65536 bytes are free beside @a (40000 bytes)"),
              std::string::npos) << e.what();
  }
  // With one buffer dead before the other is used, both fit.
  m = parse_module(
      "module \"m\"\nprogram {\n  buffer @a : scratchpad[40000]\n  buffer @b : scratchpad[30000]\n  body {\n"
      "    cvec.muls src = @a, dst = @a, n = 4, scalar = 0\n    cvec.muls src = @b, dst = @b, n = 4, scalar = 0\n  }\n}\n",
      "fit.ir");
  run_pass({PassId::Allocate, {}}, m, PassContext{arch::load_arch("small")});
  EXPECT_EQ(*m.program->buffer("a")->address, *m.program->buffer("b")->address);
}

TEST(MultiBufferAndSchedule, GiveTheStreamItsSlotsAndPipelineIt) {
  const std::string lower = "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts,distribute";
  const Module three = run(layer("Olmoe"), "default", lower + ",multi-buffer{depth=3},schedule");
  EXPECT_EQ(three.program->buffer("w")->slots, 3u);
  EXPECT_EQ(three.program->semaphore("w_full")->slots, 3u);
  EXPECT_EQ(three.program->semaphore("w_empty")->slots, 3u);
  const std::string text = print(three);
  EXPECT_NE(text.find("pipelined = 1"), std::string::npos);
  EXPECT_NE(text.find("@w_empty[%wc + 1]"), std::string::npos);
  try {
    run(layer("Olmoe"), "default", lower + ",schedule");
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("run multi-buffer first"), std::string::npos) << e.what();
  }
}

TEST(Distribute, LeavesNoParallelLoopAndPlacesExpertsEitherWay) {
  const std::string lower = "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts";
  for (const std::string placement : {"static", "balanced"}) {
    const Module m = run(layer("DeepSeekV3"), "default", lower + ",distribute{placement=" + placement + "}");
    const std::string text = print(m);
    EXPECT_EQ(text.find("parallel ="), std::string::npos) << placement;
    EXPECT_EQ(text.find("%e_mid") != std::string::npos, placement == "balanced");
  }
}

TEST(ChooseTiling, RunsTheSharedExpertInAsFewBlocksAsFitAndNoBlockHasMoreRowsThanTokens) {
  for (const std::string name : {"Qwen15Moe", "DeepSeekV2Lite"}) {
    const Module m = run(layer(name), "default", "quantize-fp8,fuse-experts,choose-tiling", 64);
    // 64 tokens of 256-wide shared and routed experts fit one block each.
    EXPECT_EQ(find(m, GraphOpKind::SharedExpert)->attrs.get_int("rows"), 64) << name;
    EXPECT_EQ(find(m, GraphOpKind::ExpertMlp)->attrs.get_int("rows"), 64) << name;
    // Its weight in the placement: a row costs at least a routed row, a block streams the shared weights.
    EXPECT_GE(find(m, GraphOpKind::SharedExpert)->attrs.get_int("row_cost"), 1) << name;
    EXPECT_GT(find(m, GraphOpKind::SharedExpert)->attrs.get_int("fixed_cost"), 0) << name;
  }
}

TEST(ChooseTiling, ShrinksTheRoutedBlocksUntilTheSharedExpertFitsBesideThem) {
  // Full-size Qwen1.5-MoE prefill: the routed experts' largest blocks leave
  // the 5632-wide shared expert not one row of the scratchpad.
  const test::ShrunkLayer qwen{"Qwen15MoeFull", "qwen1.5-moe-a2.7b", {}};
  const Module m = run(qwen, "default", "quantize-fp8,fuse-experts,choose-tiling", 4096, "fp8", "prefill");
  const GraphOp* mlp = find(m, GraphOpKind::ExpertMlp);
  const GraphOp* shared = find(m, GraphOpKind::SharedExpert);
  EXPECT_GT(shared->attrs.get_int("rows"), 0);
  EXPECT_GT(mlp->attrs.get_int("rows"), 0);
  // ...and the whole pipeline places every buffer.
  const Module all = run(qwen, "default", "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts,distribute,"
                                           "multi-buffer,schedule,allocate", 4096, "fp8", "prefill");
  EXPECT_TRUE(all.program.has_value());
}

TEST(ChooseTiling, AlignsInChunksWhereEveryAssignmentDoesNotFitATile) {
  // Full-size DeepSeek-V3 prefill 4096 on h100-class: 4096 x 8 assignments
  // take 512 KB to align at once, the scratchpad has 256 KB.
  const test::ShrunkLayer dsv3{"DeepSeekV3Full", "deepseek-v3", {}};
  const arch::ArchConfig h100 = arch::load_arch("h100-class");
  const Module m = run(dsv3, "h100-class", "quantize-fp8,fuse-experts,choose-tiling", 4096, "fp8", "prefill");
  const int64_t chunk = find(m, GraphOpKind::Align)->attrs.get_int("chunk_tokens", 0);
  EXPECT_GT(chunk, 0);
  EXPECT_LT(chunk, 4096);
  // A chunk's buffers (ids and weights in; offsets, tokens, weights out; counts, next rows) take at most 1/8.
  const uint64_t n = static_cast<uint64_t>(chunk) * 8;
  const auto round64 = [](uint64_t v) { return (v + 63) / 64 * 64; };
  EXPECT_LE(round64(n * 8) + round64(257 * 4 + n * 8) + round64(256 * 4) + round64(257 * 4), h100.scratchpad.bytes / 8);
  // Where the assignments fit (decode 64 on default) they are aligned at once.
  const Module decode = run(dsv3, "default", "quantize-fp8,fuse-experts,choose-tiling", 64, "fp8", "decode");
  EXPECT_FALSE(find(decode, GraphOpKind::Align)->attrs.has("chunk_tokens"));
  // The whole pipeline places every buffer; tile 0 counts, then aligns, chunk by chunk.
  const Module all = run(dsv3, "h100-class", "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts,"
                                              "distribute,multi-buffer,schedule,allocate", 4096, "fp8", "prefill");
  const std::string text = print(all);
  EXPECT_NE(text.find("cvec.count"), std::string::npos);
  EXPECT_NE(text.find("cvec.align"), std::string::npos);
}

TEST(Distribute, PlacesTheSharedBlocksFirstInTheExpertsWalk) {
  const std::string lower = "quantize-fp8,fuse-experts,choose-tiling{rows=5},lower-routing,lower-experts";
  const Module lowered = run(layer("Qwen15Moe"), "default", lower, 64, "fp8", "prefill");
  // The expert loop's preassigned weight is every shared block's: rows x row_cost + fixed_cost each.
  int64_t preassigned = 0, row_cost = 0, block_cost = 0, blocks = 0;
  for (const Stmt& s : lowered.program->body) {
    const auto* f = std::get_if<ForStmt>(&s.node);
    if (!f) continue;
    if (f->attrs.get_string("parallel", "") == "experts") preassigned = f->attrs.get_int("preassigned", 0);
    if (f->var == "st") {
      EXPECT_EQ(f->attrs.get_string("parallel", ""), "shared");
      row_cost = f->attrs.get_int("row_cost"), block_cost = f->attrs.get_int("fixed_cost");
      blocks = (64 + 4) / 5;
    }
  }
  ASSERT_GT(blocks, 0);
  EXPECT_EQ(preassigned, 64 * row_cost + blocks * block_cost);

  const Module placed = run(layer("Qwen15Moe"), "default", lower + ",distribute", 64, "fp8", "prefill");
  const std::string text = print(placed);
  EXPECT_EQ(text.find("parallel ="), std::string::npos);
  EXPECT_EQ(text.find("preassigned"), std::string::npos);
  // Each shared loop (gates, MLP) places its blocks against the same total, computed once.
  EXPECT_NE(text.find("let %gs_mid"), std::string::npos);
  EXPECT_NE(text.find("let %st_mid"), std::string::npos);
  EXPECT_EQ(text.find("var %e_total"), text.rfind("var %e_total"));
  EXPECT_LT(text.find("var %e_total"), text.find("let %gs_mid"));
  EXPECT_NE(text.find(fmt::format("var %e_before = {}", preassigned)), std::string::npos);
}

}  // namespace
}  // namespace cadre::compiler
