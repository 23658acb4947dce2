// choose-tiling: the block sizes of every kernel, chosen against the tile's
// scratchpad and accumulator and the cost model (cadre_cost), and written as
// attributes the lowering passes read. Options fix any of them (a search
// varies them): rows, slice, k_chunk, n_chunk, split, stream_h, stream_x for the expert MLPs,
// shared_parts (the parts of a shared block over the tiles), share_tiles
// (the tiles of a group that runs an expert's blocks together),
// router_rows, router_k_chunk, quant_rows, out_rows, combine_cols,
// combine_rows, combine_convert_rows, combine_by (auto, columns or tokens),
// combine_find (auto, scan, search or count), combine_tokens and
// combine_count_tokens (counting: the tokens a pass, the picks a count),
// align_tokens (the tokens aligned at a time).
//
// The stream's weight tiles stay resident all program long (two slots, as
// multi-buffer makes them), and so do the expert offsets; each phase
// (routing, alignment, shared expert, experts, combine) must fit beside
// them, since the allocator reuses memory between phases.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "expert_mlp_lowering.h"
#include "graph_util.h"
#include "mlp_cost.h"
#include "passes.h"
#include "cadre/common/int_math.h"

namespace cadre::compiler {
namespace {

constexpr uint64_t kStreamSlots = 2;
// The most rows of any block (well within a DMA command's 16-bit row count).
constexpr uint64_t kMostRows = 16383;
uint64_t round64(uint64_t v) { return (v + 63) / 64 * 64; }
using common::ceil_div;

// Multiples of `granule` that divide n, up to `most`.
std::vector<uint64_t> chunks_of(uint64_t n, uint64_t most, uint64_t granule = 128) {
  std::vector<uint64_t> v;
  for (uint64_t c = granule; c <= std::min(n, most); c += granule)
    if (n % c == 0) v.push_back(c);
  return v;
}

// Bytes other buffers hold while an MLP runs.
struct Resident {
  uint64_t scratchpad = 0, accumulator = 0;
};

// Each more streamed kind must save a twentieth on the one it replaces: the
// model favours the larger blocks more than the simulated chip does (Mixtral
// decode 256 on `default`: 76.5 % of roofline in 36-row blocks, 71.6 % in 64
// with h streamed; decode 64 on `h100-class`: 89.7 % with h streamed, 83.7 %
// with x too).
constexpr double kStreamMustSave = 0.95;

class Tiler {
 public:
  // `stream_cap`: the most bytes the stream's slots may take (the alignment
  // of every assignment must fit beside them).
  Tiler(const arch::ArchConfig& arch, const PassOptions& opt, uint64_t stream_cap)
      : a_(arch), opt_(opt), stream_cap_(stream_cap) {}

  double load_cycles(uint64_t rows, uint64_t row_bytes) const { return weight_load_cycles(a_, rows, row_bytes); }
  double mlp_cycles(const MlpShape& s, const MlpTiling& t, uint64_t r) const { return compiler::mlp_cycles(a_, s, t, r); }
  // An expert's cycles as its tilings are judged: experts get more and fewer
  // rows than the average, so at the average and at twice it (weighted 2:1),
  // so that the busier experts' rows still fit one block (their weights
  // stream once).
  double expert_cycles(const MlpShape& s, const MlpTiling& t, uint64_t average) const {
    return (mlp_cycles(s, t, average) + mlp_cycles(s, t, 2 * average) / 2) / 1.5;
  }

  // The fastest tiling of an MLP that fits beside the resident buffers.
  // `rows` says what r is: the average rows of an expert, or every row the
  // MLP runs (the shared expert's tokens). `most_rows` caps the rows of a
  // block (room left for another MLP).
  enum class Rows { Average, Total };
  MlpTiling mlp(const MlpShape& s, uint64_t r, Rows rows_are, Resident res, uint64_t stream_floor, const char* what,
                uint64_t most_rows = kMostRows) const {
    const MlpTiling best = fastest(s, r, rows_are, res, stream_floor, what, std::nullopt, most_rows);
    if (best.rows == 0) throw no_tiling(s, res, what);
    return best;
  }

  // The error of an MLP that no tiling fits.
  IrError no_tiling(const MlpShape& s, Resident res, const char* what) const {
    return IrError(fmt::format("{}: no tiling of the expert MLP (hidden {}, width {}) fits a tile's {} bytes of scratchpad "
                               "({} taken by buffers that stay resident) and {} bytes of accumulator ({} taken)",
                               what, s.hidden, s.width, a_.scratchpad.bytes, res.scratchpad, a_.accumulator.bytes,
                               res.accumulator));
  }

  // As mlp(), but no tiling is rows 0 rather than an error. With
  // `in_stream_of` the stream is another MLP's: candidates whose weight tiles
  // would outgrow it (stream_floor) are skipped, and the buffers it lists
  // (the other MLP's, of the same names: each counts at its larger size;
  // none where this MLP's buffers are its own) are beside this one's.
  // `only_kind` >= 0 asks for the fastest of that kind (bit 0 h streamed,
  // bit 1 x streamed) rather than the one the margins below choose.
  MlpTiling fastest(const MlpShape& s, uint64_t r, Rows rows_are, Resident res, uint64_t stream_floor, const char* what,
                    const std::optional<std::vector<MlpBuffer>>& in_stream_of = std::nullopt,
                    uint64_t most_rows = kMostRows, int only_kind = -1) const {
    const uint64_t resident = res.scratchpad;
    const uint64_t H = s.hidden, W = s.width;
    if (H % 128 || W % 128)
      throw IrError(fmt::format("{}: Cadre's lowering needs the hidden size ({}) and the width ({}) to be multiples of 128", what, H, W));
    // The fastest tiling with x and h resident [0], h streamed [1], x streamed [2], both [3].
    constexpr double kNone = std::numeric_limits<double>::infinity();
    MlpTiling best[4];
    double best_cycles[4] = {kNone, kNone, kNone, kNone};
    const uint64_t g = s.fp8 ? 128 : 32;
    const auto choices = [&](const char* key, uint64_t n, uint64_t most) {
      return opt_.has(key) ? std::vector<uint64_t>{static_cast<uint64_t>(opt_.get_int(key, 0))} : chunks_of(n, most, g);
    };
    const std::vector<uint64_t> slices = choices("slice", W, 256), kcs = choices("k_chunk", H, 2048),
                                ncs = choices("n_chunk", H, 2048);
    const auto flags = [&](const char* key) {
      return opt_.has(key) ? std::vector<bool>{opt_.get_int(key, 0) != 0} : std::vector<bool>{false, true};
    };
    // The variants to try: bit 0 h streamed, bit 1 x streamed (bits 0-1 are
    // the kind, best[] above), bit 2 gate and up split.
    std::vector<int> variants;
    for (bool split : flags("split"))
      for (bool stream_h : flags("stream_h"))
        for (bool stream_x : flags("stream_x")) variants.push_back((stream_h ? 1 : 0) + (stream_x ? 2 : 0) + (split ? 4 : 0));
    // Whether a tiling's buffers and stream fit; with stream_h the stream grows with the rows.
    const std::vector<MlpBuffer> other = in_stream_of.value_or(std::vector<MlpBuffer>{});
    const auto fits = [&](const MlpTiling& t) {
      if (in_stream_of && mlp_stream_tile(s, t) > stream_floor) return false;
      const uint64_t stream =
          kStreamSlots * (round64(std::max(mlp_stream_tile(s, t), stream_floor)) + round64(mlp_stream_scales(s, t)));
      const LocalFootprint f = footprint({mlp_buffers(s, t), other});
      return stream <= stream_cap_ && f.scratchpad + resident + stream <= a_.scratchpad.bytes &&
             f.accumulator + res.accumulator <= a_.accumulator.bytes;
    };
    for (uint64_t S : slices)
      for (uint64_t KC : kcs)
        for (uint64_t NC : ncs)
          for (int v : variants) {
            const int kind = v & 3;
            MlpTiling t{1, S, KC, NC, (v & 4) != 0, (kind & 1) != 0, (kind & 2) != 0};
            if (!opt_.has("rows") && !fits(t)) continue;
            // No block needs more rows than the MLP has (an expert gets each token once).
            t.rows = opt_.has("rows") ? static_cast<uint64_t>(opt_.get_int("rows", 0))
                                      : std::min<uint64_t>({largest_rows(t, fits), most_rows, s.table_rows});
            if (t.rows == 0 || !fits(t)) continue;
            // An expert's tiling is judged as expert_cycles says; all of an
            // MLP's rows as they are: each block streams the weights.
            const uint64_t avg = std::max<uint64_t>(r, 1);
            const double c = rows_are == Rows::Total ? mlp_cycles(s, t, avg) : expert_cycles(s, t, avg);
            if (c < best_cycles[kind]) best_cycles[kind] = c, best[kind] = t;
          }
    if (only_kind >= 0) return best[only_kind];
    int chosen = 0;
    const int one = best_cycles[1] <= best_cycles[2] ? 1 : 2;
    if (best_cycles[one] < kStreamMustSave * best_cycles[chosen]) chosen = one;
    if (best_cycles[3] < kStreamMustSave * best_cycles[chosen]) chosen = 3;
    return best[chosen];
  }

 private:
  // The most rows with which `fits` holds (it holds for fewer whenever it holds for more).
  template <class Fits>
  static uint64_t largest_rows(MlpTiling t, const Fits& fits) {
    uint64_t lo = 0, hi = kMostRows;
    while (lo < hi) {
      t.rows = (lo + hi + 1) / 2;
      if (fits(t)) lo = t.rows;
      else hi = t.rows - 1;
    }
    return lo;
  }

  const arch::ArchConfig& a_;
  const PassOptions& opt_;
  uint64_t stream_cap_;
};

}  // namespace

void pass_ChooseTiling(Module& m, const PassOptions& options, const PassContext& context) {
  if (!m.graph) throw IrError("choose-tiling needs a graph");
  Graph& g = *m.graph;
  const arch::ArchConfig& a = context.arch;
  const uint64_t SP = a.scratchpad.bytes, ACC = a.accumulator.bytes;

  GraphOp* router = first_op(g, GraphOpKind::RouterGemm);
  GraphOp* topk = first_op(g, GraphOpKind::TopK);
  GraphOp* mlp = first_op(g, GraphOpKind::ExpertMlp);
  if (!router || !topk || !mlp) throw IrError("choose-tiling needs router_gemm, topk and a fused expert_mlp (run fuse-experts)");
  const TensorType& x = find_value(g, router->operands[0])->type;
  const uint64_t T = x.shape[0], H = x.shape[1], E = find_value(g, router->operands[1])->type.shape[0];
  const uint64_t K = static_cast<uint64_t>(topk->attrs.get_int("k"));
  const uint64_t per_tile_tokens = ceil_div(T, a.tiles);
  const uint64_t offsets = round64((E + 1) * 4);
  // Alignment holds every assignment at once, beside the stream, where that
  // takes at most 3/4 of the scratchpad; else tile 0 aligns chunks of tokens
  // (lower-routing), each at most 1/8 of it.
  const auto align_bytes_of = [&](uint64_t tokens, bool chunked) {
    return round64(tokens * K * 8) + round64((E + 1) * 4 + 2 * tokens * K * 4) +
           (chunked ? round64(E * 4) + round64((E + 1) * 4) : 0);
  };
  uint64_t align_tokens = static_cast<uint64_t>(options.get_int("align_tokens", 0));
  if (align_tokens == 0 && align_bytes_of(T, false) > SP / 4 * 3)
    for (align_tokens = std::min<uint64_t>(T - 1, kMostRows); align_tokens > 1; --align_tokens)
      if (align_bytes_of(align_tokens, true) <= SP / 8) break;
  const bool chunked = align_tokens > 0 && align_tokens < T;
  const uint64_t aligned_at_once = chunked ? align_tokens : T;
  const auto align_too_big = [&](uint64_t bytes) {
    return IrError(fmt::format("aligning {} tokens x {} experts needs {} bytes of scratchpad, a tile has {}",
                               aligned_at_once, K, bytes, SP));
  };
  const uint64_t align_fixed = align_bytes_of(aligned_at_once, chunked);
  if (align_fixed >= SP) throw align_too_big(align_fixed);
  if (GraphOp* align = first_op(g, GraphOpKind::Align); align && chunked)
    align->attrs.set("chunk_tokens", static_cast<int64_t>(align_tokens));
  const Tiler tiler(a, options, SP - align_fixed);

  // Routing: K chunks of the router weights, then as many tokens a block as fit.
  uint64_t rkc = static_cast<uint64_t>(options.get_int("router_k_chunk", 0));
  if (rkc == 0)  // BF16 router weights: any 32 columns make whole DMA bursts
    for (uint64_t c : chunks_of(H, 4096, 32))
      if (kStreamSlots * E * c * 2 <= std::min(SP / 4, SP - align_fixed)) rkc = c;
  if (rkc == 0 || H % rkc) throw IrError(fmt::format("no router K chunk fits (hidden {}, {} experts)", H, E));
  uint64_t stream_floor = E * rkc * 2;
  // Conversions between the FP32 output and BF16 rows move whole rows, in
  // (scratchpad) and out (accumulator) at once; with the combine fused they
  // run between the shared expert and the routed ones, beside their buffers.
  const ExpertOperands eo = ExpertOperands::of(*mlp);
  const bool scatter = !eo.row_weights.empty();
  uint64_t tb = static_cast<uint64_t>(options.get_int("out_rows", 0));
  if (tb == 0) tb = std::max<uint64_t>(1, std::min<uint64_t>(ACC / 4 / (H * 4), T));
  if (tb * H * 4 > ACC) throw IrError(fmt::format("one output row in FP32 ({} bytes) does not fit the accumulator", H * 4));
  mlp->attrs.set("out_rows", static_cast<int64_t>(tb));
  const Resident beside_mlp{offsets + (scatter ? round64(tb * H * 4) : 0), scatter ? round64(tb * H * 4) : 0};

  // Experts: their rows, as routing spreads T x k assignments over E experts.
  const uint64_t W = find_value(g, eo.gate)->type.shape[1];
  const MlpShape shape{eo.fp8, T, H, W, true, scatter, false};
  const uint64_t rows_per_expert = ceil_div(T * K, E);
  GraphOp* sh = first_op(g, GraphOpKind::SharedExpert);
  const std::optional<MlpShape> shared_shape = [&]() -> std::optional<MlpShape> {
    if (!sh) return std::nullopt;
    const SharedOperands so = SharedOperands::of(*sh);
    return MlpShape{so.fp8, T, H, static_cast<uint64_t>(sh->attrs.get_int("width")), false, false, !so.expert_gate.empty()};
  }();
  // The routed experts' tiling is chosen in a pair with the shared MLP's,
  // tiled to fit beside the routed buffers at their sizes; where not one
  // block of it fits, the routed experts' blocks are capped to leave it room.
  const auto tile_routed = [&](uint64_t most_rows) {
    return tiler.mlp(shape, rows_per_expert, Tiler::Rows::Average, beside_mlp, stream_floor, "expert_mlp", most_rows);
  };
  const auto tile_shared = [&](const MlpTiling& routed) {  // rows 0: none fits
    const uint64_t floor = std::max(stream_floor, mlp_stream_tile(shape, routed));
    return tiler.fastest(*shared_shape, T, Tiler::Rows::Total, beside_mlp, floor, "shared_expert", mlp_buffers(shape, routed));
  };
  MlpTiling mt = tile_routed(kMostRows), st;
  if (shared_shape) {
    st = tile_shared(mt);
    if (!options.has("rows")) {
      // The pair that runs fastest (every expert as its tilings are judged,
      // the shared expert over every token), over caps on the routed blocks
      // a quarter apart: the routed experts' largest blocks can leave the
      // shared expert few rows a block, each streaming all of its weights.
      const auto pair_cycles = [&](const MlpTiling& routed, const MlpTiling& shared) {
        return static_cast<double>(E) * tiler.expert_cycles(shape, routed, rows_per_expert) +
               tiler.mlp_cycles(*shared_shape, shared, T);
      };
      // A capped block streams the weights of a busy expert twice, and
      // routing spreads rows more unevenly than twice the average shows: a
      // cap must save a tenth of the pair's cycles.
      constexpr double kCapMustSave = 0.9;
      double best = st.rows ? kCapMustSave * pair_cycles(mt, st) : std::numeric_limits<double>::infinity();
      for (uint64_t cap = mt.rows - 1; cap > 0; cap = cap * 3 / 4) {
        const MlpTiling routed = tile_routed(cap), shared = tile_shared(routed);
        if (shared.rows == 0) continue;
        const double cycles = pair_cycles(routed, shared);
        if (cycles < best) best = cycles, mt = routed, st = shared;
      }
      // A more streamed kind of the routed experts keeps less of them
      // resident, which leaves the shared expert room for larger blocks, each
      // streaming all its weights (DeepSeek-V3 decode 256 on `h100-class`:
      // the routed experts' x streamed, 66-row shared blocks rather than 18).
      // The pair is judged as a whole, with the margin of a more streamed
      // kind, each kind's routed blocks capped a quarter apart as above.
      if (st.rows) {
        double chosen = pair_cycles(mt, st);
        for (int kind = 1; kind < 4; ++kind)
          for (uint64_t cap = kMostRows; cap > 0;) {
            const MlpTiling routed = tiler.fastest(shape, rows_per_expert, Tiler::Rows::Average, beside_mlp,
                                                   stream_floor, "expert_mlp", std::nullopt, cap, kind);
            if (routed.rows == 0) break;
            cap = routed.rows * 3 / 4;
            const MlpTiling shared = tile_shared(routed);
            if (shared.rows == 0) continue;
            const double cycles = pair_cycles(routed, shared);
            if (cycles < kStreamMustSave * chosen) chosen = cycles, mt = routed, st = shared;
          }
      }
    }
    if (st.rows == 0) throw tiler.no_tiling(*shared_shape, beside_mlp, "shared_expert");
    // The shared MLP has buffers of its own, which the routed experts' are
    // not beside (the two run one after the other): it is tiled again in
    // the scratchpad its buffers may take alone, in the routed experts'
    // stream. The pair above still chooses the routed tiling: judged with
    // the shared buffers of its own, it took DeepSeek-V3 decode 256 on
    // `h100-class` to 18-row blocks, its busiest experts in two (86.9 % of
    // roofline against 90.3 %).
    const MlpTiling own = tiler.fastest(*shared_shape, T, Tiler::Rows::Total, beside_mlp,
                                        std::max(stream_floor, mlp_stream_tile(shape, mt)), "shared_expert",
                                        std::vector<MlpBuffer>{});
    if (own.rows && tiler.mlp_cycles(*shared_shape, own, T) < tiler.mlp_cycles(*shared_shape, st, T)) st = own;
  }
  mt.write(mlp->attrs);
  stream_floor = std::max(stream_floor, mlp_stream_tile(shape, mt));
  // The balanced distribution weighs an expert as its rows plus this many: streaming its weights.
  // A row costs the slope of the model's cycles from 1 row to an average
  // expert's rows (at most a block): at prefill sizes that is the GEMM's,
  // which the shared blocks' weights below are measured against too.
  const uint64_t slope_rows = std::max<uint64_t>(2, std::min<uint64_t>(rows_per_expert, mt.rows));
  const double per_row = (tiler.mlp_cycles(shape, mt, slope_rows) - tiler.mlp_cycles(shape, mt, 1)) /
                         static_cast<double>(slope_rows - 1);
  const double weights = tiler.load_cycles(3 * W, H * (eo.fp8 ? 1 : 2));
  mlp->attrs.set("fixed_cost", static_cast<int64_t>(per_row > 0 ? weights / per_row : 0));
  // With fewer than 2 experts a tile, whole experts leave some tiles
  // streaming two or three times the bytes of others: each expert is split
  // into parts (phase A's slices and phase B's output chunks divided evenly),
  // the fewest that give 4 parts a tile. (At 2 a tile whole experts balance,
  // and the exchange of the activations through HBM costs more than it saves.)
  uint64_t parts = static_cast<uint64_t>(options.get_int("parts", 0));
  const uint64_t common = std::gcd(W / mt.slice, H / mt.n_chunk);
  if (parts == 0) {
    parts = 1;
    if (a.tiles > 1 && !scatter && E < 2 * a.tiles)
      for (uint64_t p = 2; p <= common; ++p)
        if (common % p == 0) {
          parts = p;
          if (E * p >= 4 * a.tiles) break;
        }
  }
  if (parts > 1 && (scatter || common % parts != 0))
    throw IrError(fmt::format("choose-tiling: {} parts of an expert must divide its {} slices and {} output chunks{}", parts,
                              W / mt.slice, H / mt.n_chunk, scatter ? " (and the combine must not be fused)" : ""));
  mlp->attrs.set("parts", static_cast<int64_t>(parts));

  if (sh) {
    const SharedOperands so = SharedOperands::of(*sh);
    const MlpShape& ss = *shared_shape;
    st.write(sh->attrs);
    // The balanced placement weighs each block of the shared expert in the
    // routed experts' units (routed rows): a cost per row and one per block.
    // A block's cycles on the line through the model's cycles of 1 row and of a full block.
    const double one = tiler.mlp_cycles(ss, st, 1), full = tiler.mlp_cycles(ss, st, st.rows);
    const double shared_per_row = st.rows > 1 ? (full - one) / static_cast<double>(st.rows - 1) : 0;
    sh->attrs.set("row_cost", per_row > 0 ? std::max<int64_t>(1, std::llround(shared_per_row / per_row)) : 1);
    sh->attrs.set("fixed_cost", static_cast<int64_t>(per_row > 0 ? std::max(0.0, one - shared_per_row) / per_row : 0));
    // A shared block that is more than a third of a tile's share of the
    // layer's work leaves the placement too coarse to balance the tiles (the
    // tile that takes it ends late): then each block is split by columns into
    // parts (lower-experts), enough for every tile to take one. Measured:
    // DeepSeek-V3 decode 64 on `h100-class` (44 MB blocks, 67 MB a tile)
    // 86.2 % of roofline whole, 91.1 % in parts; Qwen1.5-MoE decode 64 on
    // `default` (35 MB, 147 MB) 84.2 % whole, 82.9 % in parts (the barrier).
    // Blocks over a sixth of a share whose number the tiles do not divide
    // skew the tiles as well (the model underrates a shared block against
    // the routed experts): then as many parts as make the units a multiple
    // of the tiles. Qwen1.5-MoE decode 256 on `default` (6 blocks of 43 rows,
    // 4 tiles): 66.7 % whole, 73.7 % in 2 parts.
    const uint64_t shared_blocks = ceil_div(T, st.rows);
    uint64_t shared_parts = static_cast<uint64_t>(options.get_int("shared_parts", 0));
    if (shared_parts == 0 && a.tiles > 1) {
      const double routed = static_cast<double>(std::min(E, T * K)) * tiler.mlp_cycles(shape, mt, rows_per_expert);
      const double layer = routed + tiler.mlp_cycles(ss, st, T);
      const double tile_share = layer / static_cast<double>(a.tiles);
      if (3 * full > tile_share) shared_parts = ceil_div(a.tiles, shared_blocks);
      else if (6 * full > tile_share && shared_blocks > a.tiles && shared_blocks % a.tiles)
        shared_parts = a.tiles / std::gcd(shared_blocks, a.tiles);
    }
    if (a.tiles == 1) shared_parts = 1;
    sh->attrs.set("gate_up_parts", static_cast<int64_t>(std::clamp<uint64_t>(shared_parts, 1, ss.width / st.slice)));
    sh->attrs.set("down_parts", static_cast<int64_t>(std::clamp<uint64_t>(shared_parts, 1, H / st.n_chunk)));
    if (!so.expert_gate.empty()) {
      // The gate's token blocks, before the shared MLP: x in BF16, its gate row, logits and values.
      const uint64_t free = SP - offsets - round64(H * 2) - kStreamSlots * (round64(stream_floor) + round64(mlp_stream_scales(shape, mt)));
      const uint64_t gate_rows = std::min<uint64_t>({st.rows, free / (H * 2 + 128), ACC / 64, kMostRows});
      if (gate_rows == 0) throw IrError(fmt::format("not one token of the shared expert's gate (hidden {}) fits a tile", H));
      sh->attrs.set("gate_rows", static_cast<int64_t>(gate_rows));
    }
  }

  // With an L2, groups of `share` neighbouring tiles take the experts
  // together, an expert's blocks dealt round a group's members, so that the
  // members read each weight tile at about the same time and the L2 serves
  // all but the first read: as many members as an average expert has
  // blocks, a divisor of the tiles. Without an L2 each member would read
  // from HBM as a tile alone does, and a group is idle beside an expert of
  // fewer blocks than members: one tile a group. The shared expert's whole
  // blocks, placed in the experts' walk, would run on every member: then
  // no groups either.
  uint64_t share = static_cast<uint64_t>(options.get_int("share_tiles", 0));
  const bool shared_in_walk = sh && sh->attrs.get_int("gate_up_parts", 1) == 1 && sh->attrs.get_int("down_parts", 1) == 1;
  if (share == 0) {
    share = 1;
    if (a.l2.bytes > 0 && !scatter && !shared_in_walk)
      for (uint64_t gsz = std::min<uint64_t>(rows_per_expert / mt.rows, a.tiles); gsz > 1; --gsz)
        if (a.tiles % gsz == 0) {
          share = gsz;
          break;
        }
  }
  if (share > 1 && (a.tiles % share != 0 || scatter || shared_in_walk))
    throw IrError(fmt::format("choose-tiling: groups of {} tiles need a divisor of the {} tiles, no fused combine and the "
                              "shared expert's blocks in parts", share, a.tiles));
  if (share > 1) mlp->attrs.set("share", static_cast<int64_t>(share));

  // The stream's two slots hold the largest weight tile and scales of any GEMM.
  uint64_t scales_floor = mlp_stream_scales(shape, mt);
  if (shared_shape) {
    stream_floor = std::max(stream_floor, mlp_stream_tile(*shared_shape, st));
    scales_floor = std::max(scales_floor, mlp_stream_scales(*shared_shape, st));
  }
  const uint64_t stream = kStreamSlots * (round64(stream_floor) + round64(std::max<uint64_t>(scales_floor, 4)));

  GraphOp* quant = first_op(g, GraphOpKind::InputQuant);
  uint64_t qb = static_cast<uint64_t>(options.get_int("quant_rows", 0));
  if (quant && qb == 0) qb = std::max<uint64_t>(1, std::min<uint64_t>(ACC / 2 / (H * 4), per_tile_tokens));
  if (quant && qb * H * 4 > ACC) throw IrError(fmt::format("one row of x in FP32 ({} bytes) does not fit the accumulator", H * 4));
  // Routing's token blocks and the alignment fit beside the stream at its final size.
  // Each tile that routes a block streams the whole router, so the blocks go
  // to the fewest tiles that keep HBM busy: a tile's link moves
  // interconnect.bytes_per_cycle, so HBM's bytes a cycle over that many tiles
  // read the router in the time one does (DeepSeek-V3 decode 64 on
  // `h100-class`: 22 blocks of 3 tokens, 81 MB of router reads, not 64 of 1
  // and 235 MB). Where that spares fewer than half the tiles (`default`: 3 of
  // 4), the reads saved are few and the tokens' own work on fewer tiles costs
  // more (0.03 points of roofline at decode 64): every tile routes its share.
  uint64_t routing_tiles = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(arch::hbm_bytes_per_cycle(a) / a.interconnect.bytes_per_cycle)), 1, a.tiles);
  if (2 * routing_tiles > a.tiles) routing_tiles = a.tiles;
  uint64_t rb = static_cast<uint64_t>(options.get_int("router_rows", 0));
  if (rb == 0) {
    for (rb = std::min<uint64_t>(std::max(per_tile_tokens, ceil_div(T, routing_tiles)), 4096); rb > 0; --rb) {
      const uint64_t sp = stream + round64(E * 4) + round64(rb * H * 2) + round64(rb * E * 4) + round64(rb * K * 8) +
                          (quant ? round64(rb * H) + round64(rb * (H / 128) * 4) : 0);
      const uint64_t acc = round64(rb * E * 4) + (quant ? round64(qb * H * 4) : 0);
      if (sp <= SP && acc <= ACC) break;
    }
  }
  if (rb == 0) throw IrError(fmt::format("not one token of the router ({} experts, hidden {}) fits a tile", E, H));
  router->attrs.set("rows", static_cast<int64_t>(rb));
  router->attrs.set("k_chunk", static_cast<int64_t>(rkc));
  if (quant) quant->attrs.set("rows", static_cast<int64_t>(qb));

  const uint64_t align_bytes = align_fixed + stream;
  if (align_bytes > SP) throw align_too_big(align_bytes);

  if (GraphOp* combine = first_op(g, GraphOpKind::Combine)) {
    uint64_t cc = static_cast<uint64_t>(options.get_int("combine_cols", 0));
    // Every tile a range of columns, in whole bursts of FP32: the
    // scatter-add's rows are then as short as they can be, and its tiles
    // share the rows' round trips (OLMoE prefill 4096 on h100-class, 16
    // columns a tile on 128 tiles: 2 419 746 cycles, against 2 614 297 with
    // 128 columns on 16).
    const uint64_t burst_words = std::max<uint64_t>(1, a.dma.burst_bytes / 4);
    if (cc == 0) cc = std::min<uint64_t>(H, ceil_div(ceil_div(H, a.tiles), burst_words) * burst_words);
    // The conversions before and after the scatter-add (the shared rows to
    // FP32, the FP32 sums to BF16) move blocks of rows of the tile's columns,
    // in through the scratchpad and out of the accumulator: as many rows as
    // fit the accumulator and half the scratchpad left, the scatter-add's
    // rows the other half. A block is a round trip to HBM, so few rows a
    // block make the conversions a long serial chain.
    const uint64_t left = SP - offsets - stream;
    uint64_t ctb = static_cast<uint64_t>(options.get_int("combine_convert_rows", 0));
    if (ctb == 0) {
      ctb = std::max<uint64_t>(1, std::min<uint64_t>({T, ACC / (cc * 4), left / 2 / (cc * 4)}));
      ctb = ceil_div(T, ceil_div(T, ctb));  // blocks of equal rows
    }
    if (ctb * cc * 4 > std::min(ACC, left))
      throw IrError(fmt::format("the combine's {} rows of {} columns in FP32 do not fit beside the rest ({} bytes)", ctb,
                                cc, ctb * cc * 4));
    const uint64_t free = left - round64(ctb * cc * 4);
    uint64_t crb = static_cast<uint64_t>(options.get_int("combine_rows", 0));
    if (crb == 0) crb = std::max<uint64_t>(1, std::min<uint64_t>(free / (cc * 2 + 8), kMostRows));
    combine->attrs.set("cols", static_cast<int64_t>(cc));
    combine->attrs.set("rows", static_cast<int64_t>(crb));
    combine->attrs.set("convert_rows", static_cast<int64_t>(ctb));

    // By tokens: each tile takes ceil(T / tiles) tokens, keeps their FP32
    // sums in its accumulator, and finds their rows in the token list,
    // which come in gathers of up to `gather_rows` and are converted,
    // weighted and added on the vector unit: no partial sums in HBM. The
    // column split's scatter-add reads and writes back an FP32 row a routed
    // row, and each of its tiles takes every row, a round trip per rows in
    // flight; the token split costs the core's finding of the tile's rows, a
    // round trip a gather with its rows at the link's width, and for each of
    // its rows three vector ops and the core issuing them. The core finds
    // the rows by a scan of the list (a row a step) or by a binary search in
    // each expert's rows (E x bit_width(T) steps, each about 1.5 of a scan's:
    // DeepSeek-V3 decode 256, 2304 steps against 2048 rows, scans faster;
    // OLMoE's 576 against 2048, searches).
    const uint64_t tt = ceil_div(T, a.tiles), rows = T * K, tile_rows = tt * K;
    const double hbm = arch::hbm_bytes_per_cycle(a), link = a.interconnect.bytes_per_cycle;
    const double round_trip = 2.0 * a.interconnect.latency_cycles + a.hbm.latency_ns * a.clock_ghz;
    constexpr double kScanCyclesPerRow = 8, kSearchStepRows = 1.5, kCoreCyclesPerRow = 150;
    const std::string find = options.get_string("combine_find", "auto");
    if (find != "auto" && find != "scan" && find != "search" && find != "count")
      throw IrError(fmt::format("combine_find = {} (auto, scan, search or count)", find));
    const double search_rows = kSearchStepRows * static_cast<double>(E * std::bit_width(T));
    const bool search = find == "search" || (find == "auto" && search_rows < static_cast<double>(rows));
    const double by_columns =
        std::max(static_cast<double>(rows * H * 10 + T * H * 12) / hbm,
                 static_cast<double>(rows) * round_trip / static_cast<double>(a.dma.scatter_add_rows_in_flight));
    // The tile's own lists (row numbers, weights, tokens), its tokens' rows
    // in and out, and the list and its weights; the gathered rows get what is left.
    // A pass's rows, `of` of them beside `fixed` bytes: gathers of as many
    // as fit the scratchpad left (option combine_gather_rows), a round trip
    // each, and each row across the link, through three vector ops and the
    // core's issue; never faster than HBM moves every row and the output.
    const auto gather_rows_beside = [&](uint64_t fixed, uint64_t of) -> uint64_t {
      const auto forced = static_cast<uint64_t>(options.get_int("combine_gather_rows", 0));
      if (forced) return forced;
      return fixed < left ? std::min<uint64_t>(of, (left - fixed) / (H * 2)) : 0;
    };
    const auto gathered_cycles = [&](uint64_t of, uint64_t gather) {
      return static_cast<double>(ceil_div(of, std::max<uint64_t>(gather, 1))) * round_trip +
             static_cast<double>(of) * (static_cast<double>(H * 2) / link +
                                        3.0 * static_cast<double>(ceil_div(H, a.vector.lanes)) + kCoreCyclesPerRow);
    };
    const double tokens_hbm = static_cast<double>(rows * H * 2 + T * H * 4) / hbm;
    const uint64_t fixed = 2 * tt * H * 2 + 2 * round64(rows * 4) + 3 * round64(tile_rows * 4);
    const uint64_t gather_rows = gather_rows_beside(fixed, tile_rows);
    const double by_tokens =
        std::max(kScanCyclesPerRow * (search ? search_rows : static_cast<double>(rows)) + gathered_cycles(tile_rows, gather_rows),
                 tokens_hbm);
    const bool fits = find != "count" && H % 2 == 0 && (tt + 1) * H * 4 <= ACC && gather_rows > 0 &&
                      fixed + gather_rows * H * 2 <= left;
    // Where the whole list or the tile's tokens do not fit (prefill), the
    // tile takes its tokens `count_tokens` at a time (as many as the
    // accumulator holds beside a row) and finds their rows by counting
    // the picks of the tokens before them: a round trip and a pass of the
    // core over the experts for each `count_tokens` tokens of top-k's ids
    // (half the layer's tokens on average), then two DMA commands and the
    // core's writing of the row numbers for each expert.
    uint64_t ct_tokens = std::min<uint64_t>(tt, ACC / (H * 4) > 1 ? ACC / (H * 4) - 1 : 0);
    if (options.has("combine_tokens")) {
      ct_tokens = std::min<uint64_t>(ct_tokens, options.get_int("combine_tokens", 1));
    } else if (ct_tokens > 0) {
      // The passes go to the tiles in contiguous ranges of equal length:
      // the fewest tokens a pass that keep that many passes a tile, so that
      // every tile takes some (OLMoE prefill 4096 on `h100-class`: 3 passes
      // of 11 tokens on 125 tiles, not 3 of 15 on 92).
      const uint64_t per_tile = ceil_div(ceil_div(T, ct_tokens), a.tiles);
      ct_tokens = ceil_div(T, per_tile * a.tiles);
    }
    const uint64_t ct_rows = ct_tokens * K;
    uint64_t count_tokens = static_cast<uint64_t>(options.get_int("combine_count_tokens", 0));
    if (count_tokens == 0) count_tokens = std::clamp<uint64_t>(left / 8 / (K * 4), 1, T);
    const uint64_t count_fixed = 2 * ct_tokens * H * 2 + 3 * round64(ct_rows * 4) + round64(count_tokens * K * 4) +
                                 2 * round64(E * 4);
    const uint64_t count_gather = gather_rows_beside(count_fixed, ct_rows);
    const bool count_fits = (find == "auto" || find == "count") && H % 2 == 0 && ct_tokens > 0 && count_gather > 0 &&
                            count_fixed + count_gather * H * 2 <= left;
    const double passes = static_cast<double>(ceil_div(ceil_div(T, std::max<uint64_t>(ct_tokens, 1)), a.tiles));
    constexpr double kCoreCyclesPerExpert = 8, kCountCyclesPerExpert = 30;
    const double count_pass =
        static_cast<double>(ceil_div(T / 2, count_tokens) + 1) * (round_trip + kCoreCyclesPerExpert * static_cast<double>(E)) +
        kCountCyclesPerExpert * static_cast<double>(E) + gathered_cycles(ct_rows, count_gather);
    const double by_counting = std::max(passes * count_pass, tokens_hbm);
    const std::string by = options.get_string("combine_by", "auto");
    if (by != "auto" && by != "columns" && by != "tokens")
      throw IrError(fmt::format("combine_by = {} (auto, columns or tokens)", by));
    if (by == "tokens" && !fits && !count_fits)
      throw IrError(fmt::format("the combine by tokens: {} tokens' FP32 rows of {} do not fit a tile", tt, H));
    const bool whole = fits && (by == "tokens" || (by == "auto" && by_tokens < by_columns));
    // Counting must be predicted at under 0.4 of the columns' cycles: on a
    // few tiles, each with many passes, it measured no faster than columns
    // where predicted at 0.46-0.81 (prefill 4096 on `default`: Qwen3
    // 48 396 669 cycles against 47 833 224, predicted at 0.81; DeepSeek-V3
    // 444 916 216 against 443 958 352, at 0.64); on `h100-class`,
    // predicted at 0.26-0.36, every layer ran faster (docs/co-design.md,
    // thirteenth round).
    constexpr double kCountMustSave = 0.4;
    const bool counting = !whole && count_fits && (by == "tokens" || (by == "auto" && by_counting < kCountMustSave * by_columns));
    combine->attrs.set("by", std::string(whole || counting ? "tokens" : "columns"));
    if (whole) {
      combine->attrs.set("tokens", static_cast<int64_t>(tt));
      combine->attrs.set("tile_rows", static_cast<int64_t>(tile_rows));
      combine->attrs.set("gather_rows", static_cast<int64_t>(gather_rows));
      combine->attrs.set("find", std::string(search ? "search" : "scan"));
    } else if (counting) {
      combine->attrs.set("tokens", static_cast<int64_t>(ct_tokens));
      combine->attrs.set("tile_rows", static_cast<int64_t>(ct_rows));
      combine->attrs.set("gather_rows", static_cast<int64_t>(count_gather));
      combine->attrs.set("find", std::string("count"));
      combine->attrs.set("count_tokens", static_cast<int64_t>(count_tokens));
    }
  }
}

}  // namespace cadre::compiler
