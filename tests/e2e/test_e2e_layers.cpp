// Compiled layers on the simulated chip, every output bit for bit against the
// golden model: six families, decode and prefill, FP8 and BF16, the small and
// default presets, 1, 2 and 4 tiles, both expert placements, experts without
// tokens and one expert with every token.
#include <gtest/gtest.h>

#include "cadre/compiler/compiler.h"
#include "cadre/numerics/convert.h"
#include "cadre/runtime/layer_run.h"
#include "compiler_test_util.h"

namespace cadre {
namespace {

using weights::Role;

// The synthetic layer with a router that sends every token to expert 0 (and,
// by the tie rule, its other picks to experts 1, 2, ...): x is made positive
// and router row 0 all ones, the other rows zero.
class OneExpertTakesAll final : public golden::LayerWeights {
 public:
  explicit OneExpertTakesAll(const golden::LayerWeights& base) : base_(base) {}
  const model::MoeLayerSpec& spec() const override { return base_.spec(); }
  uint32_t tokens() const override { return base_.tokens(); }
  golden::MatrixU16 bf16(weights::TensorRef t) const override {
    golden::MatrixU16 m = base_.bf16(t);
    if (t.role == Role::Input)
      for (golden::Index i = 0; i < m.size(); ++i) m.data()[i] &= 0x7FFF;
    if (t.role == Role::RouterWeight) {
      m.setZero();
      m.row(0).setConstant(num::float_to_bf16(1.0f));
    }
    return m;
  }
  golden::MatrixF fp32(weights::TensorRef t) const override {
    golden::MatrixF m = base_.fp32(t);
    if (t.role == Role::RouterBias) m.setZero();
    return m;
  }
  golden::Fp8Weight fp8(weights::TensorRef t) const override { return base_.fp8(t); }

 private:
  const golden::LayerWeights& base_;
};

struct Case {
  std::string name;
  test::ShrunkLayer layer;
  std::string phase = "decode";
  uint32_t tokens = 8;
  std::string arch = "small";
  std::string precision = "fp8";
  uint32_t tiles = 0;  // 0: the preset's
  std::string pipeline;
  bool one_expert = false;
  // The co-design settings (docs/co-design.md): double-buffered cell weights,
  // this many weight rows preloaded a cycle, overlapped DMA commands.
  uint32_t preload_rows_per_cycle = 0;  // 0: the preset's settings
  uint32_t scatter_add_rows_in_flight = 0;  // 0: the preset's
  bool host_worker = true;  // matrix products on the simulator's second host thread
  uint32_t l2_sets = 0;     // an L2 of this many sets a channel (0: none)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Layer : public testing::TestWithParam<Case> {};

TEST_P(Layer, EveryOutputIsBitIdenticalToTheGoldenModel) {
  const Case& c = GetParam();
  arch::ArchConfig a = arch::load_arch(c.arch);
  if (c.tiles) a.tiles = c.tiles;
  if (c.preload_rows_per_cycle) {
    a.matrix.weight_buffers = 2;
    a.matrix.preload_rows_per_cycle = c.preload_rows_per_cycle;
    a.dma.overlap_commands = 1;
  }
  if (c.scatter_add_rows_in_flight) a.dma.scatter_add_rows_in_flight = c.scatter_add_rows_in_flight;
  if (c.l2_sets) a.l2 = {c.l2_sets * arch::kL2Ways * a.dma.burst_bytes * a.hbm.channels, 256, 30};
  const compiler::LayerRequest request = test::shrunk_request(c.layer, c.phase, c.tokens, c.precision, c.arch);
  compiler::CompileOptions options;
  if (!c.pipeline.empty()) options.pipeline = c.pipeline;
  const compiler::Compiled compiled = compiler::compile_layer(request, a, options);
  const elf::Program program = elf::load_elf(compiled.code.elf, c.name);
  const compiler::ArgumentBlock block = runtime::read_argument_block(program, c.name);

  const golden::SyntheticWeights synthetic(weights::SyntheticLayer(request.spec, 7, c.tokens));
  const OneExpertTakesAll crafted(synthetic);
  const golden::LayerWeights& w = c.one_expert ? static_cast<const golden::LayerWeights&>(crafted) : synthetic;
  const model::Precision precision = c.precision == "fp8" ? model::Precision::Fp8 : model::Precision::Bf16;
  const golden::MoeTrace golden = golden::run_golden(request.spec, w, precision, 1);
  const auto& off = golden.alignment.offsets;
  if (c.one_expert) {
    ASSERT_EQ(off[1] - off[0], static_cast<int32_t>(c.tokens)) << "expert 0 must get every token";
  }
  uint32_t idle = 0;
  for (size_t e = 0; e + 1 < off.size(); ++e) idle += off[e + 1] == off[e] ? 1 : 0;
  const model::RoutingSpec& rt = request.spec.routing;
  if (c.one_expert || c.tokens * rt.top_k < rt.experts) {
    EXPECT_GT(idle, 0u) << "some experts should get no tokens";
  }

  sim::SimOptions so;
  so.echo_output = false;
  so.host_worker = c.host_worker;
  const runtime::LayerRun run = runtime::run_layer(program, block, a, w, &golden, so);
  ASSERT_FALSE(run.sim.error) << run.sim.error->message;
  // Every output the program writes is checked: routing, alignment, the
  // quantised input (FP8), the shared expert (when there is one), the layer's output.
  const size_t outputs = 7 + (c.precision == "fp8" ? 2 : 0) + (request.spec.shared.width ? 1 : 0);
  EXPECT_EQ(run.checks.size(), outputs);
  for (const runtime::TensorCheck& t : run.checks) EXPECT_EQ(t.mismatches, 0u) << t.role << ": " << t.first;
  EXPECT_TRUE(run.bit_exact());
  if (c.l2_sets) {
    uint64_t hits = 0;
    for (const sim::HbmChannelStats& ch : run.sim.hbm_channels) hits += ch.l2_hits;
    EXPECT_GT(hits, 0u) << "the tiles should share some reads through the L2";
  }
  RecordProperty("cycles", std::to_string(run.sim.cycles));
}

// A case: the layer, then what differs from decoding 8 tokens on `small` in FP8.
Case make(std::string name, const test::ShrunkLayer& l, std::string phase = "decode", uint32_t tokens = 8,
          std::string arch = "small", std::string precision = "fp8") {
  Case c;
  c.name = std::move(name);
  c.layer = l;
  c.phase = std::move(phase);
  c.tokens = tokens;
  c.arch = std::move(arch);
  c.precision = std::move(precision);
  return c;
}

std::vector<Case> cases() {
  std::vector<Case> out;
  const std::vector<test::ShrunkLayer> layers = test::shrunk_layers();
  for (const test::ShrunkLayer& l : layers) {
    out.push_back(make(l.name + "DecodeSmall", l));
    out.push_back(make(l.name + "PrefillSmall", l, "prefill", 64));
    out.push_back(make(l.name + "DecodeDefault", l, "decode", 16, "default"));
  }
  const test::ShrunkLayer& dsv3 = layers[0];
  const test::ShrunkLayer& mixtral = layers[2];
  const test::ShrunkLayer& qwen15 = layers[3];
  out.push_back(make("MixtralBf16DecodeSmall", mixtral, "decode", 8, "small", "bf16"));
  out.push_back(make("DeepSeekV3Bf16PrefillDefault", dsv3, "prefill", 64, "default", "bf16"));
  out.push_back(make("Qwen15MoeBf16DecodeSmall", qwen15, "decode", 8, "small", "bf16"));
  for (uint32_t tiles : {1u, 2u, 3u, 4u, 13u}) {  // 3, 13: the barrier's rounds wrap around
    out.push_back(make("DeepSeekV3Tiles" + std::to_string(tiles), dsv3, "decode", 32, "default"));
    out.back().tiles = tiles;
  }
  out.push_back(make("Qwen15MoeOneTileFusedCombine", qwen15, "prefill", 24, "default"));
  out.back().tiles = 1;
  out.push_back(make("MixtralOneExpertTakesAll", mixtral, "prefill", 64));
  out.back().one_expert = true;
  out.push_back(make("DeepSeekV3OneExpertTakesAll", dsv3, "prefill", 40, "default"));
  out.back().one_expert = true;
  out.push_back(make("MixtralOneToken", mixtral, "decode", 1));
  // Every product computed inline, on the simulation's thread.
  out.push_back(make("DeepSeekV3DecodeDefaultNoHostWorker", dsv3, "decode", 16, "default"));
  out.back().host_worker = false;
  out.push_back(make("OlmoeOddTokens", layers[5], "prefill", 37, "default"));
  // The combine's scatter-adds with rows in flight (tokens repeat within a
  // command: each has 8 experts) and without.
  for (uint32_t in_flight : {1u, 16u}) {
    out.push_back(make("OlmoeScatterAddRowsInFlight" + std::to_string(in_flight), layers[5], "prefill", 37, "default"));
    out.back().scatter_add_rows_in_flight = in_flight;
  }
  out.push_back(make("Qwen15MoeOneTileFusedCombineRowsInFlight", qwen15, "prefill", 24, "default"));
  out.back().tiles = 1;
  out.back().scatter_add_rows_in_flight = 16;
  out.push_back(make("DeepSeekV3StaticPlacement", dsv3, "decode", 16, "default"));
  out.back().pipeline =
      "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts,distribute{placement=static},multi-buffer,schedule,allocate";
  // An L2 that holds most of what the tiles share, and one that keeps
  // replacing lines.
  out.push_back(make("Qwen15MoeL2DecodeDefault", qwen15, "decode", 32, "default"));
  out.back().l2_sets = 256;
  out.push_back(make("DeepSeekV3SmallL2PrefillDefault", dsv3, "prefill", 64, "default"));
  out.back().l2_sets = 2;
  out.push_back(make("DeepSeekV3CodesignDecodeDefault", dsv3, "decode", 32, "default"));
  out.back().preload_rows_per_cycle = 4;
  out.push_back(make("MixtralCodesignPrefillSmall", mixtral, "prefill", 64));
  out.back().preload_rows_per_cycle = 2;
  out.push_back(make("Qwen15MoeCodesignBf16Default", qwen15, "decode", 16, "default", "bf16"));
  out.back().preload_rows_per_cycle = 8;
  // Shared experts in many blocks of 5 tokens, placed over four tiles with the
  // routed experts (Qwen1.5's gate computed by the tile that runs each block).
  const std::string five_rows =
      "quantize-fp8,fuse-experts,choose-tiling{rows=5},lower-routing,lower-experts,distribute,multi-buffer,schedule,allocate";
  out.push_back(make("Qwen15MoeSharedBlocksOverTiles", qwen15, "prefill", 64, "default"));
  out.back().pipeline = five_rows;
  out.push_back(make("DeepSeekV2LiteSharedBlocksOverTiles", layers[1], "prefill", 37, "default"));
  out.back().pipeline = five_rows;
  // Experts split over tiles in two parts by columns: phase A's intermediate
  // columns, the activations through HBM, a barrier, phase B's output columns.
  const std::string two_parts = "fuse-experts,choose-tiling{parts=2,slice=128,n_chunk=128},lower-routing,lower-experts,"
                                "distribute,multi-buffer,schedule,allocate";
  out.push_back(make("MixtralExpertsInTwoParts", mixtral, "decode", 16, "default"));
  out.back().pipeline = "quantize-fp8," + two_parts;
  out.push_back(make("DeepSeekV3ExpertsInTwoPartsWithShared", dsv3, "prefill", 40, "default"));
  out.back().pipeline = "quantize-fp8," + two_parts;
  out.push_back(make("Qwen15MoeBf16ExpertsInTwoParts", qwen15, "prefill", 24, "default", "bf16"));
  out.back().pipeline = two_parts;
  out.push_back(make("MixtralExpertsInTwoPartsStatic", mixtral, "prefill", 64, "default"));
  out.back().pipeline = "quantize-fp8,fuse-experts,choose-tiling{parts=2,slice=128,n_chunk=128},lower-routing,lower-experts,"
                        "distribute{placement=static},multi-buffer,schedule,allocate";
  // A case on the default passes (FP8: after quantize-fp8) with choose-tiling's options.
  const auto tiled = [](Case c, const std::string& options) {
    c.pipeline = std::string(c.precision == "fp8" ? "quantize-fp8," : "") + "fuse-experts,choose-tiling{" + options +
                 "},lower-routing,lower-experts,distribute,multi-buffer,schedule,allocate";
    return c;
  };
  // The activations through HBM a slice at a time (stream_h): routed experts
  // over tiles, one tile with the fused combine, the shared expert (Qwen1.5's
  // gated, in BF16), and experts split in parts.
  out.push_back(tiled(make("MixtralStreamH", mixtral, "prefill", 64, "default"), "stream_h=1"));
  out.push_back(tiled(make("DeepSeekV3StreamHWithShared", dsv3, "prefill", 40, "default"), "stream_h=1"));
  out.push_back(tiled(make("Qwen15MoeBf16StreamHGatedShared", qwen15, "decode", 16, "default", "bf16"), "stream_h=1"));
  out.push_back(tiled(make("Qwen15MoeOneTileFusedCombineStreamH", qwen15, "prefill", 24, "default"), "stream_h=1"));
  out.back().tiles = 1;
  out.push_back(tiled(make("MixtralStreamHInTwoParts", mixtral, "decode", 16, "default"), "stream_h=1,parts=2,slice=128,n_chunk=128"));
  // x through the stream a K chunk at a time (stream_x): gathered routed rows
  // (FP8 with scales, and BF16), the shared expert's contiguous rows, gate and
  // up as separate tiles (split), one tile with the fused combine, and with h
  // streamed too, in parts.
  out.push_back(tiled(make("MixtralStreamX", mixtral, "prefill", 64, "default"), "stream_x=1"));
  out.push_back(tiled(make("MixtralBf16StreamXSplit", mixtral, "decode", 16, "default", "bf16"), "stream_x=1,split=1"));
  out.push_back(tiled(make("DeepSeekV3StreamXAndHWithShared", dsv3, "prefill", 40, "default"), "stream_x=1,stream_h=1"));
  out.push_back(tiled(make("Qwen15MoeOneTileFusedCombineStreamX", qwen15, "prefill", 24, "default"), "stream_x=1"));
  out.back().tiles = 1;
  out.push_back(tiled(make("Qwen15MoeStreamXAndHInParts", qwen15, "decode", 16, "default"),
                      "stream_x=1,stream_h=1,parts=2,shared_parts=2,slice=128,n_chunk=128"));
  // The combine by tokens (each tile its tokens' FP32 sums in its accumulator,
  // its rows found in the token list and gathered): from the shared rows (DeepSeek-V3,
  // FP8; on 13 tiles, tokens not a multiple of them), from zeros (Mixtral,
  // no shared expert), in BF16 (OLMoE).
  out.push_back(tiled(make("DeepSeekV3CombineByTokens", dsv3, "decode", 32, "default"), "combine_by=tokens"));
  out.push_back(tiled(make("DeepSeekV3CombineByTokensTiles13", dsv3, "decode", 32, "default"), "combine_by=tokens"));
  out.back().tiles = 13;
  out.push_back(tiled(make("MixtralCombineByTokens", mixtral, "decode", 16, "default"), "combine_by=tokens"));
  out.push_back(tiled(make("OlmoeBf16CombineByTokens", layers[5], "decode", 16, "default", "bf16"), "combine_by=tokens"));
  // The tile's rows found both ways (a binary search in each expert's rows,
  // a scan of the list) and gathered a few at a time (several gathers a
  // tile), and found by search after an alignment in chunks of 5 tokens,
  // whose experts' rows must still be in token order.
  out.push_back(tiled(make("DeepSeekV3CombineByTokensSearch", dsv3, "decode", 32, "default"),
                      "combine_by=tokens,combine_find=search,combine_gather_rows=3"));
  out.push_back(tiled(make("DeepSeekV3CombineByTokensSearchTiles13", dsv3, "decode", 32, "default"),
                      "combine_by=tokens,combine_find=search"));
  out.back().tiles = 13;
  out.push_back(tiled(make("MixtralCombineByTokensScanOneRowAGather", mixtral, "decode", 16, "default"),
                      "combine_by=tokens,combine_find=scan,combine_gather_rows=1"));
  out.push_back(tiled(make("OlmoeBf16CombineByTokensSearch", layers[5], "decode", 16, "default", "bf16"),
                      "combine_by=tokens,combine_find=search,combine_gather_rows=2"));
  // The tile's rows placed by counting the picks of the tokens before its
  // own (top-k's ids a few tokens at a time), several passes of a few
  // tokens a tile: from the shared rows on 13 tiles, from zeros with
  // one expert taking every token, after an alignment in chunks.
  out.push_back(tiled(make("OlmoeCombineByCounting", layers[5], "prefill", 64, "default"),
                      "combine_by=tokens,combine_find=count,combine_tokens=5,combine_count_tokens=7,combine_gather_rows=3"));
  out.push_back(tiled(make("DeepSeekV3CombineByCountingTiles13", dsv3, "prefill", 37, "default"),
                      "combine_by=tokens,combine_find=count,combine_tokens=2,combine_count_tokens=3"));
  out.back().tiles = 13;
  out.push_back(tiled(make("MixtralCombineByCountingOneExpertTakesAll", mixtral, "prefill", 64, "default"),
                      "combine_by=tokens,combine_find=count,combine_tokens=6,combine_count_tokens=64"));
  out.back().one_expert = true;
  out.push_back(tiled(make("DeepSeekV3AlignedInChunksCombineByCounting", dsv3, "prefill", 37, "default"),
                      "align_tokens=5,combine_by=tokens,combine_find=count,combine_tokens=4,combine_count_tokens=9"));
  out.push_back(tiled(make("DeepSeekV3AlignedInChunksCombineByTokensSearch", dsv3, "decode", 37, "default"),
                      "align_tokens=5,combine_by=tokens,combine_find=search"));
  // Shared blocks split by columns over the tiles (phase A's parts, a barrier,
  // phase B's parts): Qwen1.5's gated shared expert in three uneven parts of
  // its 8 slices and 8 output chunks; DeepSeek-V3's beside routed experts in
  // parts; with the activations streamed.
  out.push_back(tiled(make("Qwen15MoeBf16SharedInThreeParts", qwen15, "prefill", 24, "default", "bf16"),
                      "shared_parts=3,rows=5,slice=32,n_chunk=32"));
  out.push_back(tiled(make("DeepSeekV3SharedAndExpertsInTwoParts", dsv3, "prefill", 40, "default"),
                      "parts=2,shared_parts=2,slice=128,n_chunk=128"));
  out.push_back(tiled(make("Qwen15MoeSharedInPartsStreamH", qwen15, "decode", 16, "default"), "shared_parts=2,stream_h=1,rows=5"));
  // Alignment in chunks of tokens on tile 0 (what a scratchpad too small for
  // every assignment gets): chunks of 5 of 37 tokens end on a short one, and
  // DeepSeek-V3's 8 picks over its experts leave experts without rows in a chunk.
  const std::string chunks_of_five = "quantize-fp8,fuse-experts,choose-tiling{align_tokens=5},lower-routing,lower-experts,"
                                     "distribute,multi-buffer,schedule,allocate";
  out.push_back(make("DeepSeekV3AlignedInChunks", dsv3, "prefill", 37, "default"));
  out.back().pipeline = chunks_of_five;
  out.push_back(make("MixtralAlignedInChunksOneExpertTakesAll", mixtral, "prefill", 37));
  out.back().pipeline = chunks_of_five;
  out.back().one_expert = true;
  // Groups of tiles that run each expert's blocks together (share_tiles),
  // member m taking blocks m, m + G, ...: with an L2 serving the members'
  // common reads, whole experts and experts in two parts (the activations
  // through HBM between the groups' phases); groups placed statically.
  out.push_back(tiled(make("OlmoeL2GroupsOfTwo", layers[5], "prefill", 64, "default"), "rows=8,share_tiles=2"));
  out.back().l2_sets = 256;
  out.push_back(tiled(make("MixtralL2GroupsOfFourInTwoParts", mixtral, "prefill", 64, "default"),
                      "parts=2,slice=128,n_chunk=128,rows=8,share_tiles=4"));
  out.back().l2_sets = 256;
  out.push_back(make("MixtralGroupsOfTwoStatic", mixtral, "prefill", 64, "default"));
  out.back().pipeline = "quantize-fp8,fuse-experts,choose-tiling{rows=8,share_tiles=2},lower-routing,lower-experts,"
                        "distribute{placement=static},multi-buffer,schedule,allocate";
  out.push_back(make("MixtralSingleBufferedStream", mixtral));
  out.back().pipeline = "quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts,distribute,multi-buffer{depth=1},allocate";
  return out;
}

INSTANTIATE_TEST_SUITE_P(Compiled, Layer, testing::ValuesIn(cases()), [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace cadre
