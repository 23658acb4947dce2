// lower-experts: the expert MLPs, the shared expert and the combine run on
// the chip (docs/compiler.md):
//
//   shared expert: blocks of tokens, placed over the tiles with the routed
//     experts (Qwen2-MoE: the sigmoid gate of each block's tokens first, on
//     the matrix engine and the vector unit);
//   routed experts: a loop over the experts reading each one's row range
//     from the offsets at run time, so experts without tokens cost nothing,
//     each expert's rows in blocks through the expert MLP (expert_mlp_lowering.h);
//   combine: with the scatter-add fused (one tile), the FP32 output starts
//     from the shared expert's rows and every expert adds its rows into it in
//     increasing expert order; otherwise each expert stores its rows, and
//     after a barrier each tile adds all rows, in order, into its own columns.
//   Either way the output is the FP32 sums rounded to BF16 once.
#include <fmt/format.h>

#include <bit>

#include "expert_mlp_lowering.h"
#include "graph_util.h"
#include "lowering.h"
#include "passes.h"

namespace cadre::compiler {
namespace {

using isa::Op;
using isa::Queue;
using num::Format;

Attrs parallel(const std::string& over) {
  Attrs a;
  a.set("parallel", over);
  return a;
}

// Copies rows [t0, t0 + m) x [col, col + cols) of an HBM tensor in one
// element format to another tensor in another format, through local memory.
struct RowConverter {
  TileBuilder& b;
  std::string prefix;
  uint64_t rows, cols;  // the block's most rows and columns
  void run(const Expr& src, Format src_fmt, const Expr& dst, Format dst_fmt, uint64_t hidden, const Expr& t0,
           const Expr& m, const Expr& col, const Expr& width) {
    const uint64_t sb = num::info(src_fmt).bytes, db = num::info(dst_fmt).bytes;
    const Expr in = b.buffer(prefix + "in", Memory::Scratchpad, rows * cols * sb);
    const Expr out = b.buffer(prefix + "out", Memory::Accumulator, rows * cols * db);
    b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(hidden * sb)}, {"local_stride", I(cols * sb)}});
    b.cmd(Op::DmaLoad, {{"hbm", src + (t0 * I(hidden) + col) * I(sb)}, {"local", in}, {"rows", m}, {"row_bytes", width * I(sb)}});
    b.fence(1);  // conversions are a small part of the layer: fences order them
    b.cmd(Op::VecConvert, {{"src", in}, {"dst", out}, {"n", m * I(cols)}, {"src_fmt", I(num::info(src_fmt).code)},
                           {"dst_fmt", I(num::info(dst_fmt).code)}});
    b.fence(2);
    b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(hidden * db)}, {"local_stride", I(cols * db)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
    b.cmd(Op::DmaStore, {{"hbm", dst + (t0 * I(hidden) + col) * I(db)}, {"local", out}, {"rows", m}, {"row_bytes", width * I(db)}});
    b.fence(7);
  }
};

Expr scratch(TileBuilder& b, const std::string& name, const TensorType& type) {
  Attrs a;
  a.set("role", name);
  a.set("io", std::string("scratch"));
  return b.hbm(name, type, a);
}

struct CombineOperands {
  Expr shared;
  bool has_shared;
  Expr y, out, offsets, tokens, row_weights;  // offsets: the local copy
  Expr ids;                                   // top-k's expert numbers, T x K (HBM)
  uint64_t T, H, E, K;
};

// How the combine by tokens finds its tokens' rows: a scan of the whole
// token list, a binary search in each expert's rows of it, or by counting
// the top-k picks of the tokens before the tile's (its rows of expert e
// start that many rows into e's), for lists too long for a tile.
enum class Find { Scan, Search, Count };

// The combine by columns: each tile its columns of an FP32 sum in HBM, from
// float(shared) (or zeros), then every row of every expert scatter-added in
// order; then BF16.
void combine_by_columns(TileBuilder& b, const CombineOperands& c, uint64_t cols, uint64_t rows, uint64_t convert_rows) {
  const uint64_t CC = cols, RB = rows, T = c.T, H = c.H;
  const Expr out_acc = scratch(b, "out_acc", {Format::FP32, {T, H}});
  const Expr c_tok = b.buffer("c_tok", Memory::Scratchpad, RB * 4), c_rw = b.buffer("c_rw", Memory::Scratchpad, RB * 4);
  const Expr c_y = b.buffer("c_y", Memory::Scratchpad, RB * CC * 2);
  const Expr c_full = b.sem("c_full");
  RowConverter conv{b, "c_", convert_rows, CC};
  b.loop("cc", I(0), I(H), I(CC), parallel("columns"), [&](Expr cc) {
    const Expr cw = b.let("cw", min(I(CC), I(H) - cc));
    if (c.has_shared)
      b.loop("ct", I(0), I(T), I(conv.rows), {}, [&](Expr t0) {
        conv.run(c.shared, Format::BF16, out_acc, Format::FP32, H, t0, b.let("cm", min(I(conv.rows), I(T) - t0)), cc, cw);
      });
    const Expr c_empty = initially_signalled(b, "c_empty");
    const Expr total = b.load_word("c_rows", c.offsets + I(c.E * 4));
    b.loop("cr", I(0), total, I(RB), {}, [&](Expr r0) {
      const Expr rm = b.let("rm", min(I(RB), total - r0));
      b.wait(Queue::Load, c_empty);
      b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
      b.cmd(Op::DmaLoad, {{"hbm", c.tokens + r0 * 4}, {"local", c_tok}, {"rows", I(1)}, {"row_bytes", rm * 4}});
      b.cmd(Op::DmaLoad, {{"hbm", c.row_weights + r0 * 4}, {"local", c_rw}, {"rows", I(1)}, {"row_bytes", rm * 4}});
      b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(H * 2)}, {"local_stride", I(CC * 2)}});
      b.cmd(Op::DmaLoad, {{"hbm", c.y + (r0 * I(H) + cc) * 2}, {"local", c_y}, {"rows", rm}, {"row_bytes", cw * 2}});
      b.signal(Queue::Load, c_full);
      b.wait(Queue::Store, c_full);
      b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(H * 4)}, {"local_stride", I(CC * 2)}, {"src_fmt", I(code(Format::BF16))},
                                 {"dst_fmt", I(code(Format::FP32))}});
      b.cmd(Op::DmaStoreIndex, {{"list", c_tok}, {"table_rows", I(T)}, {"weights", c_rw}});
      b.cmd(Op::DmaScatterAdd, {{"hbm", out_acc + cc * 4}, {"local", c_y}, {"rows", rm}, {"cols", cw}});
      b.signal(Queue::Store, c_empty);
    });
    b.fence(7);
    b.loop("co", I(0), I(T), I(conv.rows), {}, [&](Expr t0) {
      conv.run(out_acc, Format::FP32, c.out, Format::BF16, H, t0, b.let("com", min(I(conv.rows), I(T) - t0)), cc, cw);
    });
  });
}

// The combine by tokens: each tile its tokens' FP32 sums in the accumulator,
// from float(shared) (or zeros), then every row of the token list that is
// one of its tokens', in list order (experts in increasing order, as the
// golden model adds them): converted, multiplied by its weight and added,
// each rounding as the golden model's; then BF16. The core finds the tile's
// rows (`search`: a binary search in each expert's rows; else a scan of the
// list) and writes their numbers, weights and tokens to lists of its own;
// the rows then come in gathers of `gather_rows`, one round trip each, and
// the compute queue, in order, takes them one after another.
// With Find::Count the whole list never comes in: for each expert the
// tile counts the picks of every token before its own (`count_tokens` at a
// time, cvec.count) and of its own, which place its rows of that expert, a
// contiguous run in token order; their tokens and weights come in by
// DMA and their numbers are the run's.
// `capacity`: the token list's rows; `rows_a_tile`: the most a tile's tokens have.
void combine_by_tokens(TileBuilder& b, const CombineOperands& c, uint64_t tokens_a_tile, uint64_t rows_a_tile,
                       uint64_t gather_rows, Find find, uint64_t capacity, uint64_t count_tokens) {
  const uint64_t TT = tokens_a_tile, H = c.H, G = gather_rows, E = c.E, K = c.K;
  const Expr c_acc = b.buffer("c_acc", Memory::Accumulator, TT * H * 4);
  const Expr c_rowf = b.buffer("c_rowf", Memory::Accumulator, H * 4);
  const Expr c_in = b.buffer("c_in", Memory::Scratchpad, TT * H * 2);
  const Expr c_gathered = b.buffer("c_gathered", Memory::Scratchpad, G * H * 2);
  const bool whole_list = find != Find::Count;
  const Expr c_tok = whole_list ? b.buffer("c_tok", Memory::Scratchpad, capacity * 4) : Expr{};
  const Expr c_rw = whole_list ? b.buffer("c_rw", Memory::Scratchpad, capacity * 4) : Expr{};
  const Expr c_ids = whole_list ? Expr{} : b.buffer("c_ids", Memory::Scratchpad, count_tokens * K * 4);
  const Expr c_count = whole_list ? Expr{} : b.buffer("c_count", Memory::Scratchpad, E * 4);
  const Expr c_before = whole_list ? Expr{} : b.buffer("c_before", Memory::Scratchpad, E * 4);
  const Expr c_mine = b.buffer("c_mine", Memory::Scratchpad, rows_a_tile * 4);
  const Expr c_mine_w = b.buffer("c_mine_w", Memory::Scratchpad, rows_a_tile * 4);
  const Expr c_mine_t = b.buffer("c_mine_t", Memory::Scratchpad, rows_a_tile * 4);
  b.loop("ct", I(0), I(c.T), I(TT), parallel("tokens"), [&](Expr t0) {
    const Expr tm = b.let("ctm", min(I(TT), I(c.T) - t0));
    b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
    if (c.has_shared) {
      b.cmd(Op::DmaLoad, {{"hbm", c.shared + t0 * I(H * 2)}, {"local", c_in}, {"rows", tm}, {"row_bytes", I(H * 2)}});
      b.fence(1);
      b.cmd(Op::VecConvert, {{"src", c_in}, {"dst", c_acc}, {"n", tm * I(H)}, {"src_fmt", I(code(Format::BF16))},
                             {"dst_fmt", I(code(Format::FP32))}});
    } else {
      const Expr zeros = scratch(b, "c_zero", {Format::FP32, {TT, H}});
      b.cmd(Op::DmaLoad, {{"hbm", zeros}, {"local", c_acc}, {"rows", tm}, {"row_bytes", I(H * 4)}});
    }
    Expr total;  // the list's rows, where it comes in whole
    if (whole_list) {
      total = b.load_word("c_rows", c.offsets + I(c.E * 4));
      b.cmd(Op::DmaLoad, {{"hbm", c.tokens}, {"local", c_tok}, {"rows", I(1)}, {"row_bytes", total * 4}});
      b.cmd(Op::DmaLoad, {{"hbm", c.row_weights}, {"local", c_rw}, {"rows", I(1)}, {"row_bytes", total * 4}});
    }
    b.fence(3);
    // The tile's rows go to lists of its own: their numbers, weights and tokens.
    const Expr t1 = b.let("ct_end", t0 + tm);
    const Expr mine = b.var("cn", I(0));
    const auto keep = [&](const Expr& r, const Expr& r4, const Expr& t) {
      const Expr n4 = b.let("cr_n4", mine * I(4));
      b.store_word(c_mine + n4, r);
      b.store_word(c_mine_w + n4, b.load_word("cr_weight", c_rw + r4));
      b.store_word(c_mine_t + n4, t - t0);
      b.set("cn", mine + I(1));
    };
    if (find == Find::Count) {
      b.loop("cz", I(0), I(E), I(1), {}, [&](Expr e) { b.store_word(word(c_before, e), I(0)); });
      add_picks(b, "cb", c.ids, K, E, I(0), t0, count_tokens, c_ids, c_count, {{"before", c_before}});
      count_picks(b, c.ids, K, E, t0, tm, c_ids, c_count);
      // Expert e's rows of the tile's tokens: a run from offsets[e] + before[e].
      b.loop("ce", I(0), I(E), I(1), {}, [&](Expr e) {
        const Expr n = b.load_word("ce_n", word(c_count, e));
        b.when(n, Cmp::Gt, I(0), [&] {
          const Expr first =
              b.let("ce_first", b.load_word("ce_off", word(c.offsets, e)) + b.load_word("ce_before", word(c_before, e)));
          b.cmd(Op::DmaLoad, {{"hbm", word(c.tokens, first)}, {"local", word(c_mine_t, mine)}, {"rows", I(1)},
                              {"row_bytes", n * I(4)}});
          b.cmd(Op::DmaLoad, {{"hbm", word(c.row_weights, first)}, {"local", word(c_mine_w, mine)}, {"rows", I(1)},
                              {"row_bytes", n * I(4)}});
          b.loop("cei", I(0), n, I(1), {}, [&](Expr i) { b.store_word(word(c_mine, mine + i), first + i); });
          b.set("cn", mine + n);
        });
      });
      b.fence(1);
      b.loop("cnt", I(0), mine, I(1), {}, [&](Expr j) {
        b.store_word(word(c_mine_t, j), b.load_word("cnt_token", word(c_mine_t, j)) - t0);
      });
    } else if (find == Find::Search) {
      // Each expert's rows are in token order, so the tile's tokens' rows
      // are a run of at most TT in each: a binary search for the run's first
      // row (enough halvings for T rows), then its rows. They go to the
      // lists in expert order, which is each token's order.
      const uint64_t halvings = std::bit_width(c.T);
      b.loop("ce", I(0), I(c.E), I(1), {}, [&](Expr e) {
        const Expr lo = b.var("ce_lo", b.load_word("ce_first", c.offsets + e * I(4)));
        const Expr end = b.load_word("ce_end", c.offsets + e * I(4) + I(4));
        const Expr hi = b.var("ce_hi", end);
        b.loop("cs", I(0), I(halvings), I(1), {}, [&](Expr) {
          b.when(lo, Cmp::Lt, hi, [&] {
            const Expr mid = b.let("cs_mid", Expr::binary(Expr::Kind::Shr, lo + hi, I(1)));
            b.when(b.load_word("cs_token", c_tok + mid * I(4)), Cmp::Lt, t0, [&] { b.set("ce_lo", mid + I(1)); },
                   [&] { b.set("ce_hi", mid); });
          });
        });
        b.loop("cr", lo, min(lo + I(TT), end), I(1), {}, [&](Expr r) {
          const Expr r4 = b.let("cr_r4", r * I(4));
          const Expr t = b.load_word("cr_token", c_tok + r4);
          b.when(t, Cmp::Lt, t1, [&] { keep(r, r4, t); });
        });
      });
    } else {
      // A scan of the whole list, walking its addresses: a load and two
      // compares a row on the core. The rows go in list order.
      b.loop("cr", c_tok, c_tok + total * I(4), I(4), {}, [&](Expr at) {
        const Expr t = b.load_word("cr_token", at);
        b.when(t, Cmp::Ge, t0, [&] {
          b.when(t, Cmp::Lt, t1, [&] {
            const Expr r4 = b.let("cr_r4", at - c_tok);  // 4 x the row's number
            keep(Expr::binary(Expr::Kind::Shr, r4, I(2)), r4, t);
          });
        });
      });
    }
    b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(H * 2)}, {"local_stride", I(0)}});
    b.loop("cg", I(0), mine, I(G), {}, [&](Expr g0) {
      const Expr gm = b.let("cgm", min(I(G), mine - g0));
      b.cmd(Op::DmaLoadIndex, {{"list", c_mine + g0 * I(4)}, {"table_rows", I(capacity)}});
      b.cmd(Op::DmaGather, {{"hbm", c.y}, {"local", c_gathered}, {"rows", gm}, {"row_bytes", I(H * 2)}});
      b.fence(1);
      b.loop("cj", I(0), gm, I(1), {}, [&](Expr j) {
        const Expr j4 = b.let("cj4", (g0 + j) * I(4));
        const Expr w = b.load_word("cj_weight", c_mine_w + j4);
        const Expr sum = c_acc + b.load_word("cj_token", c_mine_t + j4) * I(H * 4);
        b.cmd(Op::VecConvert, {{"src", c_gathered + j * I(H * 2)}, {"dst", c_rowf}, {"n", I(H)},
                               {"src_fmt", I(code(Format::BF16))}, {"dst_fmt", I(code(Format::FP32))}});
        b.cmd(Op::VecMulScalar, {{"src", c_rowf}, {"dst", c_rowf}, {"n", I(H)}, {"scalar", w & I(0xFFFF'FFFF)}});
        b.cmd(Op::VecAdd, {{"src_a", sum}, {"src_b", c_rowf}, {"dst", sum}, {"n", I(H)}});
      });
      b.fence(2);  // the gathered rows are read before the next gather writes them
    });
    b.cmd(Op::VecConvert, {{"src", c_acc}, {"dst", c_in}, {"n", tm * I(H)}, {"src_fmt", I(code(Format::FP32))},
                           {"dst_fmt", I(code(Format::BF16))}});
    b.fence(2);
    b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
    b.cmd(Op::DmaStore, {{"hbm", c.out + t0 * I(H * 2)}, {"local", c_in}, {"rows", tm}, {"row_bytes", I(H * 2)}});
    b.fence(7);
  });
}

}  // namespace

void pass_LowerExperts(Module& m, const PassOptions&, const PassContext& context) {
  if (!m.graph) return;  // already lowered
  Graph& g = *m.graph;
  GraphOp* mlp_op = first_op(g, GraphOpKind::ExpertMlp);
  if (!mlp_op) {
    if (first_op(g, GraphOpKind::Permute)) throw IrError("lower-experts needs fuse-experts first");
    return;
  }
  for (GraphOpKind k : {GraphOpKind::RouterGemm, GraphOpKind::TopK, GraphOpKind::Align, GraphOpKind::InputQuant})
    if (first_op(g, k)) throw IrError("lower-experts needs lower-routing first");
  if (!m.program) throw IrError("lower-experts needs the routing's tile program");
  TileBuilder b(*m.program);
  const arch::ArchConfig& arch = context.arch;

  const ExpertOperands e = ExpertOperands::of(*mlp_op);
  const bool scatter = !e.row_weights.empty();
  if (scatter && arch.tiles != 1)
    throw IrError(fmt::format("expert_mlp with epilogue = scatter_add keeps the combine's order only on one tile; "
                              "architecture '{}' has {} (run fuse-experts with scatter = off)", arch.name, arch.tiles));
  const auto tensor = [&](const std::string& v, const std::string& role) {
    return hbm_of(b, *find_value(g, v), role, "weight");
  };
  const auto value = [&](const std::string& v) { return Expr::symbol(v); };
  const TensorType& gate_t = find_value(g, e.gate)->type;
  const TensorType& x_t = find_value(g, e.x)->type;
  const uint64_t E = gate_t.shape[0], W = gate_t.shape[1], H = gate_t.shape[2], T = x_t.shape[0];
  const MlpTiling tiling = MlpTiling::of(mlp_op->attrs);
  const uint64_t parts = static_cast<uint64_t>(mlp_op->attrs.get_int("parts", 1));

  MlpOperands ops;
  ops.x = value(e.x);
  ops.gate = tensor(e.gate, "expert_gate"), ops.up = tensor(e.up, "expert_up"), ops.down = tensor(e.down, "expert_down");
  if (e.fp8) {
    ops.x_scale = value(e.x_scale);
    ops.gate_scale = tensor(e.gate_scale, "expert_gate_scale"), ops.up_scale = tensor(e.up_scale, "expert_up_scale");
    ops.down_scale = tensor(e.down_scale, "expert_down_scale");
  }
  ops.tokens = value(e.tokens);
  const GraphValue& out_v = mlp_op->results[0];
  // The activations between phase A and phase B, in HBM for experts split in
  // parts and for blocks that stream them (stream_h): one row per aligned row.
  if (parts > 1 || tiling.stream_h) {
    const uint64_t R = find_value(g, e.tokens)->type.shape[0];
    ops.h = scratch(b, "h_all", {e.fp8 ? Format::E4M3 : Format::BF16, {R, W}});
    if (e.fp8) ops.h_scale = scratch(b, "h_all_scale", {Format::FP32, {R, W / 128}});
  }

  // Offsets in local memory: the control core reads each expert's row range.
  b.kernel(model::Kernel::Permute);
  const Expr e_off = b.buffer("e_off", Memory::Scratchpad, (E + 1) * 4);
  b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
  b.cmd(Op::DmaLoad, {{"hbm", value(e.offsets)}, {"local", e_off}, {"rows", I(1)}, {"row_bytes", I((E + 1) * 4)}});
  b.fence(1);

  // The shared expert in blocks of its tiling's rows; distribute places the
  // blocks with the routed experts, as work that comes before them. Or, where
  // a block is more than a tile's share of the layer (gate_up_parts,
  // down_parts > 1), each block split by columns as routed experts' parts
  // are, its units in contiguous ranges over the tiles, before the routed experts.
  Expr shared;
  int64_t shared_weight = 0;  // every block's weight in the placement's units
  if (GraphOp* sh_op = first_op(g, GraphOpKind::SharedExpert)) {
    b.kernel(model::Kernel::SharedExpert);
    const SharedOperands s = SharedOperands::of(*sh_op);
    const MlpTiling st = MlpTiling::of(sh_op->attrs);
    const uint64_t S = static_cast<uint64_t>(sh_op->attrs.get_int("width"));
    // With experts split in parts the walk counts in 1/(3 parts) of a routed row (below).
    const int64_t scale = parts > 1 ? 3 * static_cast<int64_t>(parts) : 1;
    const int64_t row_cost = scale * sh_op->attrs.get_int("row_cost", 1), block_cost = scale * sh_op->attrs.get_int("fixed_cost", 0);
    const uint64_t parts_a = static_cast<uint64_t>(sh_op->attrs.get_int("gate_up_parts", 1));
    const uint64_t parts_b = static_cast<uint64_t>(sh_op->attrs.get_int("down_parts", 1));
    const bool in_parts = parts_a > 1 || parts_b > 1;
    const uint64_t shared_blocks = (T + st.rows - 1) / st.rows;
    Attrs blocks = parallel(in_parts ? "tokens" : "shared");
    if (!in_parts) {
      blocks.set("row_cost", row_cost);
      blocks.set("fixed_cost", block_cost);
      shared_weight = static_cast<int64_t>(T) * row_cost + static_cast<int64_t>(shared_blocks) * block_cost;
    }
    shared = hbm_of(b, sh_op->results[0], "shared_expert", "output");
    MlpOperands so;
    so.x = s.fp8 ? value(s.x_q) : value(s.x);
    so.x_scale = s.fp8 ? value(s.x_scale) : Expr{};
    so.gate = tensor(s.gate, "shared_gate"), so.up = tensor(s.up, "shared_up"), so.down = tensor(s.down, "shared_down");
    if (s.fp8)
      so.gate_scale = tensor(s.gate_scale, "shared_gate_scale"), so.up_scale = tensor(s.up_scale, "shared_up_scale"),
      so.down_scale = tensor(s.down_scale, "shared_down_scale");
    so.out = shared;
    if (st.stream_h || in_parts) {
      so.h = scratch(b, "shared_h", {s.fp8 ? Format::E4M3 : Format::BF16, {T, S}});
      if (s.fp8) so.h_scale = scratch(b, "shared_h_scale", {Format::FP32, {T, S / 128}});
    }
    if (!s.expert_gate.empty()) {
      // gate[t] = sigmoid(x[t] . Wg): a BF16 GEMM with one output column.
      const Expr wg = tensor(s.expert_gate, "shared_expert_gate");
      so.gate_values = scratch(b, "shared_gate_values", {Format::FP32, {T}});
      const uint64_t TB = static_cast<uint64_t>(sh_op->attrs.get_int("gate_rows"));
      const Expr gx = b.buffer("sg_x", Memory::Scratchpad, TB * H * 2), gw = b.buffer("sg_w", Memory::Scratchpad, H * 2);
      const Expr gl = b.buffer("sg_l", Memory::Accumulator, TB * 4), gvb = b.buffer("sg_v", Memory::Scratchpad, TB * 4);
      b.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
      b.cmd(Op::DmaLoad, {{"hbm", wg}, {"local", gw}, {"rows", I(1)}, {"row_bytes", I(H * 2)}});
      // Each tile computes the gates of the tokens of its own shared blocks.
      b.loop("gs", I(0), I(T), I(st.rows), blocks, [&](Expr s0) {
        const Expr s_end = b.let("gs_end", min(s0 + I(st.rows), I(T)));
        b.loop("gt", s0, s_end, I(TB), {}, [&](Expr t0) {
          const Expr tm = b.let("gm", min(I(TB), s_end - t0));
          b.cmd(Op::DmaLoad, {{"hbm", value(s.x) + t0 * I(H * 2)}, {"local", gx}, {"rows", tm}, {"row_bytes", I(H * 2)}});
          b.fence(1);
          b.cmd(Op::MatrixConfig, {{"a_fmt", I(num::info(Format::BF16).code)}, {"b_fmt", I(num::info(Format::BF16).code)},
                                   {"c_stride", I(0)}, {"a_stride", I(0)}, {"b_stride", I(0)}});
          b.cmd(Op::MatrixPreload, {{"tile", gw}, {"scales", I(0)}, {"k", I(H)}, {"n", I(1)}});
          b.cmd(Op::MatrixMul, {{"tile", gx}, {"scales", I(0)}, {"acc", gl}, {"m", tm}});
          b.cmd(Op::VecSigmoid, {{"src", gl}, {"dst", gvb}, {"n", tm}});
          b.fence(2);
          b.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
          b.cmd(Op::DmaStore, {{"hbm", so.gate_values + t0 * 4}, {"local", gvb}, {"rows", I(1)}, {"row_bytes", tm * 4}});
          b.fence(7);
        });
      });
    }
    MlpShape shape{s.fp8, T, H, S, /*gather=*/false, /*scatter=*/false, /*gated=*/!s.expert_gate.empty()};
    // Buffers of its own (prefix s_), the routed experts' semaphores: the two run one after the other.
    ExpertMlpLowering mlp(b, shape, st, "s_", /*routed=*/false);
    if (!in_parts) {
      b.loop("st", I(0), I(T), I(st.rows), blocks, [&](Expr t0) {
        mlp.block(so, t0, b.let("sm", min(I(st.rows), I(T) - t0)));
      });
      b.fence(7);
    } else {
      // Unit u: block u / parts, and of its `chunks` column chunks of `chunk`
      // columns those from p * chunks / parts to (p + 1) * chunks / parts.
      const auto units = [&](const char* name, uint64_t unit_parts, uint64_t chunk, uint64_t chunks, bool gate_up) {
        const std::string v = name;
        b.loop(v, I(0), I(shared_blocks * unit_parts), I(1), parallel("tokens"), [&](Expr u) {
          // (The part's number is not a value of its own: the core has registers for few.)
          const Expr t0 = b.let(v + "_t0", u / I(unit_parts) * I(st.rows));
          const Expr rows = b.let(v + "_m", min(I(st.rows), I(T) - t0));
          const Expr c0 = b.let(v + "_c0", u % I(unit_parts) * I(chunks) / I(unit_parts) * I(chunk));
          const Expr c1 = b.let(v + "_c1", (u % I(unit_parts) + I(1)) * I(chunks) / I(unit_parts) * I(chunk));
          if (gate_up) mlp.gate_up_part(so, t0, rows, c0, c1);
          else mlp.down_part(so, t0, rows, c0, c1);
        });
        b.fence(7);
      };
      // The gate values (above) and every part's activations are in HBM before any phase-B unit reads them.
      units("sa", parts_a, st.slice, S / st.slice, true);
      b.barrier();
      units("sb", parts_b, st.n_chunk, H / st.n_chunk, false);
    }
    leave_in_hbm(g, index_of(g, sh_op));
  }

  const uint64_t TB = static_cast<uint64_t>(mlp_op->attrs.get_int("out_rows"));
  Attrs experts = parallel("experts");
  experts.set("offsets", std::string("e_off"));
  experts.set("fixed_cost", mlp_op->attrs.get_int("fixed_cost", 0));
  if (shared_weight) experts.set("preassigned", shared_weight);
  experts.set("block_rows", static_cast<int64_t>(tiling.rows));
  // With share = G, groups of G tiles take the experts, and an expert's
  // blocks go round the group's members (distribute).
  const int64_t share = mlp_op->attrs.get_int("share", 1);
  Attrs blocks_of_expert;
  if (share > 1) {
    experts.set("share", share);
    blocks_of_expert = parallel("blocks");
    blocks_of_expert.set("share", share);
  }
  const auto expert_loop = [&](const MlpShape& shape) {
    ExpertMlpLowering mlp(b, shape, tiling, "e_", /*routed=*/true);
    b.loop("e", I(0), I(E), I(1), experts, [&](Expr ex) {
      const Expr begin = b.load_word("e_begin", e_off + ex * 4);
      const Expr end = b.load_word("e_end", e_off + ex * 4 + 4);
      b.loop("e_r0", begin, end, I(tiling.rows), blocks_of_expert, [&](Expr r0) {
        MlpOperands o = ops;
        o.expert = ex;
        mlp.block(o, r0, b.let("e_m", min(I(tiling.rows), end - r0)));
      });
    });
    b.fence(7);
  };

  const bool has_shared = shared.kind == Expr::Kind::Symbol;
  if (scatter) {
    const Expr out_acc = scratch(b, "out_acc", {Format::FP32, {T, H}});
    // One tile: out_acc = float(shared), then each expert's rows added in increasing expert order.
    const Expr out = hbm_of(b, out_v, "combine", "output");
    RowConverter conv{b, "f_", TB, H};
    b.kernel(model::Kernel::Combine);
    if (has_shared)
      b.loop("ft", I(0), I(T), I(TB), {}, [&](Expr t0) {
        conv.run(shared, Format::BF16, out_acc, Format::FP32, H, t0, b.let("fm", min(I(TB), I(T) - t0)), I(0), I(H));
      });
    ops.row_weights = value(e.row_weights);
    ops.out = out_acc;
    expert_loop({e.fp8, T, H, W, true, true, false});
    b.kernel(model::Kernel::Combine);
    b.loop("ot", I(0), I(T), I(TB), {}, [&](Expr t0) {
      conv.run(out_acc, Format::FP32, out, Format::BF16, H, t0, b.let("om", min(I(TB), I(T) - t0)), I(0), I(H));
    });
  } else {
    GraphOp* combine = first_op(g, GraphOpKind::Combine);
    if (!combine) throw IrError("expert_mlp stores its rows, but no combine reads them");
    const Expr y = scratch(b, out_v.name, out_v.type);
    ops.out = y;
    if (parts == 1) {
      expert_loop({e.fp8, T, H, W, true, false, false});
    } else {
      // Each expert in `parts` units of columns: phase A's intermediate
      // columns, then (after a barrier) phase B's output columns, so that
      // the tiles stream about equal bytes when experts are few a tile.
      ExpertMlpLowering mlp(b, {e.fp8, T, H, W, true, false, false}, tiling, "e_", /*routed=*/true);
      // A phase-A unit is 2/3 of an expert's work over `parts`, a shared block
      // a whole MLP's: both walks count in units of 1/(3 parts) of a routed row.
      const auto units = [&](Expr u, const char* name, uint64_t width, bool gate_up) {
        const std::string v = name;
        const Expr ex = b.let(v + "_x", u / I(parts));
        const Expr part = b.let(v + "_p", u % I(parts));
        const Expr begin = b.load_word(v + "_begin", e_off + ex * 4);
        const Expr end = b.load_word(v + "_end", e_off + ex * 4 + 4);
        b.loop(v + "_r0", begin, end, I(tiling.rows), blocks_of_expert, [&](Expr r0) {
          MlpOperands o = ops;
          o.expert = ex;
          const Expr rows = b.let(v + "_m", min(I(tiling.rows), end - r0));
          const Expr c0 = b.let(v + "_c0", part * I(width / parts));
          if (gate_up) mlp.gate_up_part(o, r0, rows, c0, c0 + I(width / parts));
          else mlp.down_part(o, r0, rows, c0, c0 + I(width / parts));
        });
      };
      Attrs a_units = experts, b_units = experts;
      const int64_t fixed = mlp_op->attrs.get_int("fixed_cost", 0);
      a_units.set("parts", static_cast<int64_t>(parts));
      a_units.set("row_cost", int64_t{2});
      a_units.set("fixed_cost", 2 * fixed);
      b_units.set("parts", static_cast<int64_t>(parts));
      b_units.erase("preassigned");
      b.loop("ea", I(0), I(E * parts), I(1), a_units, [&](Expr u) { units(u, "ea", W, true); });
      b.fence(7);
      b.barrier();
      b.loop("eb", I(0), I(E * parts), I(1), b_units, [&](Expr u) { units(u, "eb", H, false); });
      b.fence(7);
    }
    b.barrier();
    b.kernel(model::Kernel::Combine);
    const Expr out_c = hbm_of(b, combine->results[0], "combine", "output");
    // Top-k's expert numbers, which lower-routing left in HBM.
    const HbmDecl* ids = nullptr;
    for (const HbmDecl& t : m.program->tensors)
      if (t.attrs.get_string("role", "") == kTopkIdsRole) ids = &t;
    const CombineOperands c{shared, has_shared, y, out_c, e_off, value(e.tokens), value(combine->operands[2]),
                            ids ? Expr::symbol(ids->name) : Expr{}, T, H, E, ids ? ids->type.shape[1] : 0};
    const std::string find = combine->attrs.get_string("find", "scan");
    if (find == "count" && !ids) throw IrError("the combine by tokens with find = count needs top-k's ids in HBM");
    if (combine->attrs.get_string("by", "columns") == "tokens")
      combine_by_tokens(b, c, static_cast<uint64_t>(combine->attrs.get_int("tokens")),
                        static_cast<uint64_t>(combine->attrs.get_int("tile_rows")),
                        static_cast<uint64_t>(combine->attrs.get_int("gather_rows")),
                        find == "count" ? Find::Count : find == "search" ? Find::Search : Find::Scan,
                        find_value(g, e.tokens)->type.shape[0],
                        static_cast<uint64_t>(combine->attrs.get_int("count_tokens", 1)));
    else
      combine_by_columns(b, c, static_cast<uint64_t>(combine->attrs.get_int("cols")),
                         static_cast<uint64_t>(combine->attrs.get_int("rows")),
                         static_cast<uint64_t>(combine->attrs.get_int("convert_rows")));
    leave_in_hbm(g, index_of(g, combine));
  }
  leave_in_hbm(g, index_of(g, first_op(g, GraphOpKind::ExpertMlp)));
  drop_lowered(m);
}

}  // namespace cadre::compiler
