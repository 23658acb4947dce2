#include "lowering.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "graph_util.h"

namespace cadre::compiler {

int64_t code(num::Format f) { return num::info(f).code; }

void declare_stream(TileBuilder& b, uint64_t tile_bytes, uint64_t scale_bytes) {
  Attrs a;
  a.set("full", std::string(kStreamFull));
  a.set("empty", std::string(kStreamEmpty));
  a.set("counter", std::string(kStreamCounter));
  b.buffer(kStreamBuffer, Memory::Scratchpad, tile_bytes, a);
  b.buffer(kStreamScales, Memory::Scratchpad, std::max<uint64_t>(scale_bytes, 4), a);
  b.sem(kStreamFull);
  initially_signalled(b, kStreamEmpty);
  Program& p = b.program();
  const bool has_counter = std::any_of(p.body.begin(), p.body.end(), [](const Stmt& s) {
    const auto* l = std::get_if<LetStmt>(&s.node);
    return l && l->var == kStreamCounter;
  });
  if (!has_counter) p.body.insert(p.body.begin(), Stmt{LetStmt{kStreamCounter, Expr::lit(0), true}, 0});
}

void stream_element(TileBuilder& b, const std::function<void(Expr, Expr)>& load,
                    const std::function<void(Expr, Expr)>& compute) {
  const Expr wc = Expr::value(kStreamCounter);
  const Expr w = Expr::symbol(kStreamBuffer, wc), ws = Expr::symbol(kStreamScales, wc);
  b.wait(isa::Queue::Load, Expr::symbol(kStreamEmpty, wc));
  load(w, ws);
  b.signal(isa::Queue::Load, Expr::symbol(kStreamFull, wc));
  b.wait(isa::Queue::Compute, Expr::symbol(kStreamFull, wc));
  compute(w, ws);
  b.signal(isa::Queue::Compute, Expr::symbol(kStreamEmpty, wc));
  b.set(kStreamCounter, wc + 1);
}

Expr initially_signalled(TileBuilder& b, const std::string& name) {
  const Expr sem = b.sem(name);
  Program& p = b.program();
  for (const Stmt& s : p.body)
    if (const auto* f = std::get_if<ForStmt>(&s.node); f && f->attrs.get_string("init", "") == name) return sem;
  Attrs a;
  a.set("init", name);
  ForStmt f{"i_" + name, Expr::lit(0), Expr::lit(1), Expr::lit(1), a, {}};
  f.body.push_back(Stmt{CommandStmt{isa::Op::SignalCore, {{"sem", Expr::symbol(name, Expr::value(f.var))}}, ""}, 0});
  // After the stream counter (if any), before everything else.
  auto at = p.body.begin();
  while (at != p.body.end() && (std::holds_alternative<LetStmt>(at->node) ||
                                (std::holds_alternative<ForStmt>(at->node) &&
                                 std::get<ForStmt>(at->node).attrs.has("init"))))
    ++at;
  p.body.insert(at, Stmt{std::move(f), 0});
  return sem;
}

Expr hbm_of(TileBuilder& b, const GraphValue& v, const std::string& role, const std::string& io) {
  if (b.program().tensor(v.name)) return Expr::symbol(v.name);
  Attrs a;
  a.set("role", role);
  a.set("io", io);
  return b.hbm(v.name, v.type, a);
}

void leave_in_hbm(Graph& g, size_t op_index) {
  GraphOp op = g.ops[op_index];
  std::vector<GraphOp> repl;
  for (const GraphValue& r : op.results) {
    Attrs a;
    a.set("symbol", r.name);
    repl.push_back({GraphOpKind::Hbm, {r}, {}, a, 0});
  }
  g.ops.erase(g.ops.begin() + static_cast<std::ptrdiff_t>(op_index));
  g.ops.insert(g.ops.begin() + static_cast<std::ptrdiff_t>(op_index), repl.begin(), repl.end());
}

void drop_lowered(Module& m) {
  Graph& g = *m.graph;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g.ops.size(); ++i) {
      const GraphOp& op = g.ops[i];
      if (op.kind != GraphOpKind::Param && op.kind != GraphOpKind::Hbm) continue;
      if (!users(g, op.results[0].name).empty() || is_output(g, op.results[0].name)) continue;
      g.ops.erase(g.ops.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
      break;
    }
  }
  const bool all_lowered = std::all_of(g.ops.begin(), g.ops.end(), [](const GraphOp& op) {
    return op.kind == GraphOpKind::Param || op.kind == GraphOpKind::Hbm;
  });
  if (all_lowered) m.graph.reset();
}

void declare_barrier(TileBuilder& b, const arch::ArchConfig& arch) {
  Attrs a;
  a.set("role", std::string("barrier"));
  a.set("io", std::string("scratch"));
  // One doubleword a tile for each of the dissemination barrier's ceil(log2 tiles) rounds.
  const uint64_t rounds = std::max<uint64_t>(1, std::bit_width(arch.tiles - 1u));
  b.hbm("barrier", {num::Format::I32, {2ull * arch.tiles * rounds}}, a);
}

void count_picks(TileBuilder& b, const Expr& ids, uint64_t K, uint64_t E, const Expr& from, const Expr& n,
                 const Expr& buffer, const Expr& counts) {
  b.cmd(isa::Op::DmaLoad, {{"hbm", ids + from * I(K * 4)}, {"local", buffer}, {"rows", n}, {"row_bytes", I(K * 4)}});
  b.fence(1);
  b.cmd(isa::Op::VecCount, {{"src", buffer}, {"dst", counts}, {"n", n * I(K)}, {"experts", I(E)}});
  b.fence(2);
}

void add_picks(TileBuilder& b, const std::string& v, const Expr& ids, uint64_t K, uint64_t E, const Expr& from,
               const Expr& to, uint64_t piece, const Expr& buffer, const Expr& counts, const std::vector<PickSums>& sums) {
  b.loop(v, from, to, I(piece), {}, [&](Expr first) {
    count_picks(b, ids, K, E, first, b.let(v + "_tokens", min(I(piece), to - first)), buffer, counts);
    b.loop(v + "e", I(0), I(E), I(1), {}, [&](Expr e) {
      const Expr here = b.load_word(v + "e_here", word(counts, e));
      for (const PickSums& sum : sums) {
        const Expr at = word(sum.base, sum.skip ? e + I(sum.skip) : e);
        b.store_word(at, b.load_word(v + "e_" + sum.name, at) + here);
      }
    });
  });
}

}  // namespace cadre::compiler
