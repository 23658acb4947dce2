// lower-routing: the router and everything up to the expert-sorted row lists
// runs on the chip (docs/compiler.md, "Routing on the chip"):
//
//   each tile, for its share of the tokens, in blocks of `rows` tokens:
//     x rows -> router GEMM on the matrix engine (BF16, K chunks streamed)
//     -> sigmoid or softmax -> (grouped) top-k on the vector unit
//     -> (FP8) x quantised to E4M3 1x128 in sub-blocks
//     -> logits, ids, weights, x_q, x_scale stored to HBM
//   barrier; every tile aligns all assignments (cvec.align), tile 0 stores
//   the offsets, token list and row weights; barrier. Where all assignments
//   do not fit a tile at once (align's `chunk_tokens` attribute, set by
//   choose-tiling), the tiles align them in chunks of that many tokens,
//   the chunks split over them.
#include <fmt/format.h>

#include <bit>

#include "graph_util.h"
#include "lowering.h"
#include "passes.h"

namespace cadre::compiler {
namespace {

using isa::Op;
using num::Format;

int64_t float_bits(double v) { return static_cast<int64_t>(std::bit_cast<uint32_t>(static_cast<float>(v))); }

// The alignment's HBM tensors and shape.
struct Alignment {
  Expr offsets, tokens, row_weights;  // outputs
  Expr ids, weights;                  // top-k's, T x K each
  uint64_t T, K, E, capacity;
};

// Every tile sorts all assignments by expert itself; tile 0 stores them.
void align_at_once(TileBuilder& b, const Alignment& al) {
  const uint64_t T = al.T, K = al.K, E = al.E, C = al.capacity;
  const Expr a_in = b.buffer("a_in", Memory::Scratchpad, T * K * 8);
  const Expr a_out = b.buffer("a_out", Memory::Scratchpad, (E + 1) * 4 + 2 * C * 4);
  b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
  b.cmd(Op::DmaLoad, {{"hbm", al.ids}, {"local", a_in}, {"rows", I(T)}, {"row_bytes", I(K * 4)}});
  b.cmd(Op::DmaLoad, {{"hbm", al.weights}, {"local", a_in + I(T * K * 4)}, {"rows", I(T)}, {"row_bytes", I(K * 4)}});
  b.fence(1);
  b.cmd(Op::VecAlign, {{"src", a_in}, {"dst", a_out}, {"tokens", I(T)}, {"k", I(K)}, {"experts", I(E)}, {"block", I(1)}});
  b.fence(2);
  b.when(Expr::value(std::string(kTileValue)), Cmp::Eq, I(0), [&] {
    b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
    b.cmd(Op::DmaStore, {{"hbm", al.offsets}, {"local", a_out}, {"rows", I(1)}, {"row_bytes", I((E + 1) * 4)}});
    b.cmd(Op::DmaStore, {{"hbm", al.tokens}, {"local", a_out + I((E + 1) * 4)}, {"rows", I(T)}, {"row_bytes", I(K * 4)}});
    b.cmd(Op::DmaStore, {{"hbm", al.row_weights}, {"local", a_out + I((E + 1) * 4 + C * 4)}, {"rows", I(T)},
                         {"row_bytes", I(K * 4)}});
  });
}

// When every assignment does not fit a tile at once: the tiles align `chunk`
// tokens at a time, the chunks split over them. For each of its chunks a
// tile counts the assignments of every token (cvec.count, two chunks at a
// time): all of them give the offsets, and those before its chunk tell
// where its chunk's rows of each expert go. It then aligns its chunk (cvec.align),
// makes the chunk-local token numbers the layer's, and stores each expert's
// rows there: experts in order, tokens in order within each, as aligning all
// at once would. The tile of the first chunk stores the offsets.
void align_in_chunks(TileBuilder& b, const Alignment& al, uint64_t chunk) {
  const uint64_t T = al.T, K = al.K, E = al.E;
  const Expr a_in = b.buffer("a_in", Memory::Scratchpad, chunk * K * 8);
  const Expr a_out = b.buffer("a_out", Memory::Scratchpad, (E + 1) * 4 + 2 * chunk * K * 4);
  const Expr a_count = b.buffer("a_count", Memory::Scratchpad, E * 4);
  const Expr a_next = b.buffer("a_next", Memory::Scratchpad, (E + 1) * 4);
  const Expr a_before = b.buffer("a_before", Memory::Scratchpad, E * 4);
  b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
  b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
  Attrs over_tiles;
  over_tiles.set("parallel", std::string("tokens"));
  b.loop("ac2", I(0), I(T), I(chunk), over_tiles, [&](Expr c) {
    // a_next[e + 1] counts expert e's assignments, a_before[e] those in the
    // chunks before c. The ids alone take half of a_in, so the counts go
    // two chunks at a time, the tokens before c and then those from c on,
    // with one pass of the core over the experts a count: every tile makes
    // about as many, whichever its chunk.
    b.loop("az", I(0), I(E + 1), I(1), {}, [&](Expr e) { b.store_word(word(a_next, e), I(0)); });
    b.loop("azb", I(0), I(E), I(1), {}, [&](Expr e) { b.store_word(word(a_before, e), I(0)); });
    add_picks(b, "acb", al.ids, K, E, I(0), c, 2 * chunk, a_in, a_count, {{"next", a_next, 1}, {"before", a_before}});
    add_picks(b, "aca", al.ids, K, E, c, I(T), 2 * chunk, a_in, a_count, {{"next", a_next, 1}});
    b.loop("aps", I(1), I(E + 1), I(1), {}, [&](Expr e) {
      const Expr below = b.load_word("aps_below", word(a_next, e - I(1)));
      const Expr own = b.load_word("aps_own", word(a_next, e));
      b.store_word(word(a_next, e), below + own);
    });
    b.when(c, Cmp::Eq, I(0), [&] {
      b.cmd(Op::DmaStore, {{"hbm", al.offsets}, {"local", a_next}, {"rows", I(1)}, {"row_bytes", I((E + 1) * 4)}});
      b.fence(4);  // the offsets leave before a_next moves on
    });
    // Where the chunk's rows of each expert start.
    b.loop("anx", I(0), I(E), I(1), {}, [&](Expr e) {
      const Expr start = b.load_word("anx_start", word(a_next, e));
      const Expr before = b.load_word("anx_before", word(a_before, e));
      b.store_word(word(a_next, e), start + before);
    });
    const Expr rc = b.let("ac2_tokens", min(I(chunk), I(T) - c));
    const Expr n = b.let("ac2_rows", rc * I(K));
    b.cmd(Op::DmaLoad, {{"hbm", al.ids + c * I(K * 4)}, {"local", a_in}, {"rows", rc}, {"row_bytes", I(K * 4)}});
    b.cmd(Op::DmaLoad, {{"hbm", al.weights + c * I(K * 4)}, {"local", a_in + n * I(4)}, {"rows", rc}, {"row_bytes", I(K * 4)}});
    b.fence(1);
    b.cmd(Op::VecAlign, {{"src", a_in}, {"dst", a_out}, {"tokens", rc}, {"k", I(K)}, {"experts", I(E)}, {"block", I(1)}});
    b.fence(2);
    const Expr list = a_out + I((E + 1) * 4);
    b.loop("atk", I(0), n, I(1), {}, [&](Expr i) {
      const Expr t = b.load_word("atk_token", word(list, i));
      b.store_word(word(list, i), t + c);
    });
    const Expr row_weights = list + n * I(4);
    b.loop("aex", I(0), I(E), I(1), {}, [&](Expr e) {
      const Expr lo = b.load_word("aex_lo", word(a_out, e));
      const Expr hi = b.load_word("aex_hi", word(a_out, e + I(1)));
      b.when(hi, Cmp::Gt, lo, [&] {
        const Expr at = b.load_word("aex_at", word(a_next, e));
        const Expr bytes = b.let("aex_bytes", (hi - lo) * I(4));
        b.cmd(Op::DmaStore, {{"hbm", word(al.tokens, at)}, {"local", word(list, lo)}, {"rows", I(1)}, {"row_bytes", bytes}});
        b.cmd(Op::DmaStore, {{"hbm", word(al.row_weights, at)}, {"local", word(row_weights, lo)}, {"rows", I(1)},
                             {"row_bytes", bytes}});
      });
    });
    b.fence(4);  // the chunk's rows leave before the tile's next chunk overwrites them
  });
}

}  // namespace

void pass_LowerRouting(Module& m, const PassOptions&, const PassContext& context) {
  if (!m.graph) throw IrError("lower-routing needs a graph");
  Graph& g = *m.graph;
  GraphOp* router_op = first_op(g, GraphOpKind::RouterGemm);
  GraphOp* topk_op = first_op(g, GraphOpKind::TopK);
  GraphOp* align_op = first_op(g, GraphOpKind::Align);
  if (!router_op && !topk_op && !align_op) return;  // already lowered
  if (!router_op || !topk_op || !align_op) throw IrError("lower-routing needs router_gemm, topk and align together");
  GraphOp* quant_op = first_op(g, GraphOpKind::InputQuant);
  if (!m.program) m.program = Program{};
  TileBuilder b(*m.program);
  const arch::ArchConfig& arch = context.arch;

  const GraphValue& x_v = *find_value(g, router_op->operands[0]);
  const GraphValue& router_v = *find_value(g, router_op->operands[1]);
  const uint64_t T = x_v.type.shape[0], H = x_v.type.shape[1], E = router_v.type.shape[0];
  const uint64_t K = static_cast<uint64_t>(topk_op->attrs.get_int("k"));
  const uint64_t RB = static_cast<uint64_t>(router_op->attrs.get_int("rows"));
  const uint64_t KC = static_cast<uint64_t>(router_op->attrs.get_int("k_chunk"));
  if (H % KC != 0) throw IrError(fmt::format("router_gemm: k_chunk {} does not divide the hidden size {}", KC, H));
  if (align_op->attrs.get_int("block") != 1) throw IrError("Cadre's lowering aligns with block = 1");
  const uint64_t HB = (H + 127) / 128;

  const Expr x = hbm_of(b, x_v, "input", "input");
  const Expr router = hbm_of(b, router_v, "router_weight", "weight");
  Expr bias = Expr::lit(0);
  const GraphValue& logits_v = router_op->results[0];
  const GraphValue& ids_v = topk_op->results[0];
  const GraphValue& weights_v = topk_op->results[1];
  const Expr logits = hbm_of(b, logits_v, "router_gemm", "output");
  const Expr ids = hbm_of(b, ids_v, kTopkIdsRole, "output");
  const Expr weights = hbm_of(b, weights_v, "topk.weights", "output");
  Expr x_q, x_scale;
  if (quant_op) {
    x_q = hbm_of(b, quant_op->results[0], "input_quant", "output");
    x_scale = hbm_of(b, quant_op->results[1], "input_quant.scales", "output");
  }

  // Local buffers of one token block.
  const Expr l_x = b.buffer("r_x", Memory::Scratchpad, RB * H * 2);
  const Expr l_logits = b.buffer("r_logits", Memory::Accumulator, RB * E * 4);
  const Expr l_scores = b.buffer("r_scores", Memory::Scratchpad, RB * E * 4);
  const Expr l_topk = b.buffer("r_topk", Memory::Scratchpad, RB * K * 8);
  declare_stream(b, E * KC * 2, 0);
  declare_barrier(b, arch);

  using model::Kernel;
  if (topk_op->operands.size() == 2) {
    b.kernel(Kernel::TopK);  // the selection bias top-k adds
    bias = b.buffer("r_bias", Memory::Scratchpad, E * 4);
    const Expr bias_hbm = hbm_of(b, *find_value(g, topk_op->operands[1]), "router_bias", "weight");
    b.cmd(Op::DmaLoadConfig, {{"hbm_stride", Expr::lit(0)}, {"local_stride", Expr::lit(0)}});
    b.cmd(Op::DmaLoad, {{"hbm", bias_hbm}, {"local", bias}, {"rows", Expr::lit(1)}, {"row_bytes", Expr::lit(static_cast<int64_t>(E * 4))}});
    b.fence(1);
  }

  Attrs par;
  par.set("parallel", std::string("tokens"));
  b.loop("tb", I(0), I(T), I(RB), par, [&](Expr tb) {
    const Expr rb = b.let("rb", min(I(RB), I(T) - tb));
    b.kernel(Kernel::RouterGemm);
    b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
    b.cmd(Op::DmaLoad, {{"hbm", x + tb * I(H * 2)}, {"local", l_x}, {"rows", rb}, {"row_bytes", I(H * 2)}});
    b.fence(1);  // the routing is a small part of the layer: fences order its phases

    // Router GEMM: logits[rb, E] = x[rb, H] * router[E, H]^T, BF16, K in chunks.
    b.cmd(Op::MatrixConfig, {{"a_fmt", I(code(Format::BF16))}, {"b_fmt", I(code(Format::BF16))}, {"c_stride", I(0)},
                             {"a_stride", I(H * 2)}, {"b_stride", I(0)}});
    b.loop("kc", I(0), I(H), I(KC), {}, [&](Expr kc) {
      stream_element(
          b,
          [&](Expr w, Expr) {
            b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(H * 2)}, {"local_stride", I(0)}});
            b.cmd(Op::DmaLoad, {{"hbm", router + kc * 2}, {"local", w}, {"rows", I(E)}, {"row_bytes", I(KC * 2)}});
          },
          [&](Expr w, Expr) {
            b.cmd(Op::MatrixPreload, {{"tile", w}, {"scales", I(0)}, {"k", I(KC)}, {"n", I(E)}});
            const std::vector<Field> a = {{"tile", l_x + kc * 2}, {"scales", I(0)}, {"acc", l_logits}, {"m", rb}};
            b.when(kc, Cmp::Eq, I(0), [&] { b.cmd(Op::MatrixMul, a); }, [&] { b.cmd(Op::MatrixMulAcc, a); });
          });
    });

    // Scores, then the routing rule of the family.
    b.kernel(Kernel::TopK);
    if (topk_op->attrs.get_string("scoring") == "sigmoid")
      b.cmd(Op::VecSigmoid, {{"src", l_logits}, {"dst", l_scores}, {"n", rb * I(E)}});
    else
      b.cmd(Op::VecSoftmax, {{"src", l_logits}, {"dst", l_scores}, {"rows", rb}, {"cols", I(E)}});
    const double eps = topk_op->attrs.get_float("epsilon");
    if (eps != 0.0 && static_cast<float>(eps) != 1e-20f)
      throw IrError(fmt::format("topk: epsilon {} (the vector unit adds 0 or 1e-20)", eps));
    const std::string group_score = topk_op->attrs.get_string("group_score");
    const int64_t flags = (topk_op->attrs.get_int("normalise") ? 1 : 0) | (group_score == "max" ? 2 : 0) |
                          (eps != 0.0 ? 4 : 0);
    const int64_t n_group = topk_op->attrs.get_int("n_group"), topk_group = topk_op->attrs.get_int("topk_group");
    b.cmd(Op::VecRouteConfig, {{"bias", bias}, {"flags", Expr::lit(flags)}, {"scale", Expr::lit(float_bits(topk_op->attrs.get_float("scaling")))},
                               {"n_group", Expr::lit(n_group)}, {"topk_group", Expr::lit(topk_group)}});
    b.cmd(group_score == "none" ? Op::VecTopK : Op::VecGroupTopK,
          {{"src", l_scores}, {"dst", l_topk}, {"rows", rb}, {"cols", I(E)}, {"k", I(K)}});

    Expr l_xq, l_xs;
    if (quant_op) {
      b.kernel(Kernel::InputQuant);
      const uint64_t QB = static_cast<uint64_t>(quant_op->attrs.get_int("rows"));
      l_xq = b.buffer("r_xq", Memory::Scratchpad, RB * H);
      l_xs = b.buffer("r_xs", Memory::Scratchpad, RB * HB * 4);
      const Expr l_xf = b.buffer("r_xf", Memory::Accumulator, QB * H * 4);
      b.loop("q", I(0), rb, I(QB), {}, [&](Expr q) {
        const Expr qm = b.let("qm", min(I(QB), rb - q));
        b.cmd(Op::VecConvert, {{"src", l_x + q * I(H * 2)}, {"dst", l_xf}, {"n", qm * I(H)},
                               {"src_fmt", I(code(Format::BF16))}, {"dst_fmt", I(code(Format::FP32))}});
        b.cmd(Op::VecQuantConfig, {{"scales", l_xs + q * I(HB * 4)}, {"fmt", I(code(Format::E4M3))}});
        b.cmd(Op::VecQuant, {{"src", l_xf}, {"dst", l_xq + q * I(H)}, {"rows", qm}, {"cols", I(H)}});
      });
    }

    b.fence(2);
    b.kernel(Kernel::RouterGemm);
    b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
    b.cmd(Op::DmaStore, {{"hbm", logits + tb * I(E * 4)}, {"local", l_logits}, {"rows", rb}, {"row_bytes", I(E * 4)}});
    b.kernel(Kernel::TopK);
    b.cmd(Op::DmaStore, {{"hbm", ids + tb * I(K * 4)}, {"local", l_topk}, {"rows", rb}, {"row_bytes", I(K * 4)}});
    b.cmd(Op::DmaStore, {{"hbm", weights + tb * I(K * 4)}, {"local", l_topk + rb * I(K * 4)}, {"rows", rb}, {"row_bytes", I(K * 4)}});
    if (quant_op) {
      b.kernel(Kernel::InputQuant);
      b.cmd(Op::DmaStore, {{"hbm", x_q + tb * I(H)}, {"local", l_xq}, {"rows", rb}, {"row_bytes", I(H)}});
      b.cmd(Op::DmaStore, {{"hbm", x_scale + tb * I(HB * 4)}, {"local", l_xs}, {"rows", rb}, {"row_bytes", I(HB * 4)}});
    }
    b.fence(7);
  });
  b.barrier();

  // Alignment, into the offsets, token list and row weights in HBM.
  const GraphValue& tokens_v = align_op->results[1];
  const Alignment al{hbm_of(b, align_op->results[0], "align.offsets", "output"),
                     hbm_of(b, tokens_v, "align.tokens", "output"),
                     hbm_of(b, align_op->results[2], "align.row_weights", "output"),
                     ids, weights, T, K, E, tokens_v.type.shape[0]};
  b.kernel(Kernel::Align);
  const uint64_t chunk = static_cast<uint64_t>(align_op->attrs.get_int("chunk_tokens", 0));
  if (chunk == 0 || chunk >= T) align_at_once(b, al);
  else align_in_chunks(b, al, chunk);
  b.barrier();

  // The lowered ops' results now live in HBM.
  for (GraphOpKind k : {GraphOpKind::RouterGemm, GraphOpKind::TopK, GraphOpKind::Align, GraphOpKind::InputQuant})
    if (GraphOp* op = first_op(g, k)) leave_in_hbm(g, index_of(g, op));
  drop_lowered(m);
}

}  // namespace cadre::compiler
