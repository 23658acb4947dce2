// distribute: loops marked `parallel` are split over the tiles, each running
// the same program with its own %tile (docs/compiler.md, "Over the tiles"):
//
// - tokens, columns: contiguous ranges of iterations, as equal as they come;
// - experts, option placement = balanced (default): every tile reads all the
//   offsets and weighs each expert with tokens as its rows (times row_cost)
//   plus the loop's fixed_cost (streaming its weights) for each block of
//   block_rows rows; experts, in order, go to the tile whose share of the
//   total their weight's midpoint falls in, so the tiles agree without
//   talking and experts without tokens cost nothing; a loop over parts of
//   experts (parts = P) reads expert i / P's rows for iteration i;
// - experts with share = G: the same walk over groups of G neighbouring
//   tiles (tile / G of tiles / G), and a loop over the expert's blocks
//   inside (parallel = "blocks") deals them round the group's members, so
//   that G tiles read one expert's weights at about the same time (an L2
//   then serves all but the first);
// - shared (the shared expert's blocks of tokens), placement = balanced: the
//   blocks come first in the experts' walk, each weighing its rows times the
//   loop's row_cost plus its fixed_cost; the expert loop's `preassigned` is
//   their sum, so the routed experts fill the tiles around them;
// - experts, placement = static: expert e on tile e mod tiles; shared blocks
//   in contiguous ranges.
#include <fmt/format.h>

#include <stdexcept>

#include "passes.h"
#include "tile_builder.h"
#include "tile_walk.h"

namespace cadre::compiler {
namespace {

const Expr kTile = Expr::value(std::string(kTileValue));
const Expr kTiles = Expr::value(std::string(kTilesValue));

Stmt let(const std::string& name, Expr v) { return Stmt{LetStmt{name, std::move(v), false}, 0}; }

// for v = lo to hi step s over the tiles: tile t takes iterations [t * per, (t + 1) * per).
// The bounds are the loop's own (read once, at entry), not values that would
// hold a register of the core for the rest of the enclosing block.
void split_contiguous(Block& out, ForStmt f) {
  const Expr count = (f.hi - f.lo + f.step - I(1)) / f.step;
  const Expr per = (count + kTiles - I(1)) / kTiles;
  const Expr lo = f.lo;
  f.lo = lo + kTile * per * f.step;
  f.hi = min(f.hi, lo + (kTile + I(1)) * per * f.step);
  f.attrs.erase("parallel");
  out.push_back(Stmt{std::move(f), 0});
}

// The balanced placement's walk over an expert loop; the shared expert's
// block loops before the first expert loop of a block come first in its walk.
struct Walk {
  std::string var, offsets;  // the expert loop's variable and offsets buffer
  Expr lo, hi, step;
  int64_t fixed = 0, preassigned = 0, row_cost = 1, parts = 1, block_rows = 0, share = 1;
  bool total_emitted = false;
  std::string name(const char* what) const { return var + what; }
  // What the walk places work on: tiles, or groups of `share` tiles.
  Expr who() const { return divide_small(kTile, share); }
  Expr among() const { return divide_small(kTiles, share); }
  // The expert of iteration `i`: iterations are parts of experts.
  Expr expert(const Expr& i) const { return divide_small(i, parts); }
  Expr row_weight(const Expr& rows) const { return row_cost > 1 ? rows * I(row_cost) : rows; }
  // Each block of block_rows rows streams the weights again; a group's
  // members stream them together, once for each round of `share` blocks,
  // and a round takes all of them however few of its blocks there are.
  Expr fixed_weight(const Expr& rows) const {
    const int64_t round = block_rows * share;
    return round > 1 ? divide_small(rows + I(round - 1), round) * I(fixed * share) : I(fixed * share);
  }
  Expr weight(const Expr& rows) const { return row_weight(rows) + fixed_weight(rows); }
  // A loop over every part of experts 0 .. experts() - 1 in order, which the
  // walk can visit an expert at a time: its rows read once, not once a part.
  bool whole_experts() const {
    return parts > 1 && lo.is_const() && lo.constant == 0 && step.is_const() && step.constant == 1 && hi.is_const() &&
           hi.constant % parts == 0;
  }
  int64_t experts() const { return hi.constant / parts; }
  static Walk of(const ForStmt& f) {
    return Walk{f.var, f.attrs.get_string("offsets"), f.lo, f.hi, f.step, f.attrs.get_int("fixed_cost", 0),
                f.attrs.get_int("preassigned", 0), f.attrs.get_int("row_cost", 1), f.attrs.get_int("parts", 1),
                f.attrs.get_int("block_rows", 0), f.attrs.get_int("share", 1), false};
  }
};

const std::vector<const char*> kPlacementAttrs = {"parallel", "offsets", "fixed_cost", "preassigned",
                                                  "row_cost", "parts",   "block_rows", "share"};
void erase_placement(ForStmt& f) {
  for (const char* a : kPlacementAttrs) f.attrs.erase(a);
}

// rows(e) = offsets[e + 1] - offsets[e], read into %<v>_start, _stop, _rows.
void rows_of(const std::string& v, const std::string& offsets, const Expr& e, Block& into) {
  const Expr off = Expr::symbol(offsets);
  into.push_back(Stmt{LoadStmt{v + "_start", Width::Word, off + e * I(4)}, 0});
  into.push_back(Stmt{LoadStmt{v + "_stop", Width::Word, off + e * I(4) + I(4)}, 0});
  into.push_back(let(v + "_rows", Expr::value(v + "_stop") - Expr::value(v + "_start")));
}

// total = preassigned + the weights of the experts (or parts) with rows.
void emit_total(Block& out, Walk& walk) {
  if (walk.total_emitted) return;
  out.push_back(Stmt{LetStmt{walk.name("_total"), I(walk.preassigned), true}, 0});
  // Over whole experts: the parts of one weigh the same.
  const bool by_expert = walk.whole_experts();
  ForStmt sum{walk.name("_s"), walk.lo, by_expert ? I(walk.experts()) : walk.hi, walk.step, {}, {}};
  rows_of(walk.var, walk.offsets, by_expert ? Expr::value(sum.var) : walk.expert(Expr::value(sum.var)), sum.body);
  IfStmt add{Expr::value(walk.name("_rows")), Cmp::Gt, I(0), {}, {}};
  const Expr rows = Expr::value(walk.name("_rows")), total = Expr::value(walk.name("_total"));
  add.then_body.push_back(Stmt{SetStmt{walk.name("_total"), by_expert ? total + walk.weight(rows) * I(walk.parts)
                                                                      : total + walk.row_weight(rows) + walk.fixed_weight(rows)}, 0});
  sum.body.push_back(Stmt{std::move(add), 0});
  out.push_back(Stmt{std::move(sum), 0});
  walk.total_emitted = true;
}

// Work of weight w that starts `before` into the walk is tile t's when
// floor((before + w / 2) * tiles / total) == t: with mid = 2 before + w (both
// sides doubled to stay in integers), when t * 2 total <= mid * tiles <
// (t + 1) * 2 total. Two compares, not a division by the total.
Stmt if_between(const Expr& at, const Expr& from, const Expr& below, Block body) {
  IfStmt below_next{at, Cmp::Lt, below, std::move(body), {}};
  IfStmt from_mine{at, Cmp::Ge, from, {}, {}};
  from_mine.then_body.push_back(Stmt{std::move(below_next), 0});
  return Stmt{std::move(from_mine), 0};
}
Stmt if_mine(const Expr& mid, const Walk& walk, Block body) {
  const Expr total = Expr::value(walk.name("_total")) * I(2);
  return if_between(mid * walk.among(), walk.who() * total, (walk.who() + I(1)) * total, std::move(body));
}

// The walk an expert at a time: for each expert with rows, its parts in
// order, each weighing the same; the tile's share of the doubled total,
// [lo, hi), computed once.
void place_expert_parts(Block& out, ForStmt f, const Walk& walk) {
  const std::string v = f.var;
  const Expr total = Expr::value(walk.name("_total")) * I(2);
  out.push_back(let(v + "_lo", walk.who() * total));
  out.push_back(let(v + "_hi", Expr::value(v + "_lo") + total));
  out.push_back(Stmt{LetStmt{v + "_before", I(walk.preassigned), true}, 0});
  ForStmt each{v + "_e", I(0), I(walk.experts()), I(1), {}, {}};
  rows_of(v, walk.offsets, Expr::value(each.var), each.body);
  IfStmt has_rows{Expr::value(v + "_rows"), Cmp::Gt, I(0), {}, {}};
  has_rows.then_body.push_back(let(v + "_w", walk.weight(Expr::value(v + "_rows"))));
  const Expr w = Expr::value(v + "_w");
  ForStmt part{v, Expr::value(each.var) * I(walk.parts), Expr::value(each.var) * I(walk.parts) + I(walk.parts), I(1),
               f.attrs, {}};
  part.body.push_back(let(v + "_mid", Expr::value(v + "_before") * I(2) + w));
  part.body.push_back(Stmt{SetStmt{v + "_before", Expr::value(v + "_before") + w}, 0});
  part.body.push_back(if_between(Expr::value(v + "_mid") * walk.among(), Expr::value(v + "_lo"), Expr::value(v + "_hi"),
                                 std::move(f.body)));
  has_rows.then_body.push_back(Stmt{std::move(part), 0});
  each.body.push_back(Stmt{std::move(has_rows), 0});
  out.push_back(Stmt{std::move(each), 0});
}

void place_experts(Block& out, ForStmt f, Walk& walk) {
  erase_placement(f);
  emit_total(out, walk);
  if (walk.whole_experts()) return place_expert_parts(out, std::move(f), walk);
  const std::string v = f.var;
  out.push_back(Stmt{LetStmt{v + "_before", I(walk.preassigned), true}, 0});
  ForStmt pick{v, f.lo, f.hi, f.step, f.attrs, {}};
  rows_of(v, walk.offsets, walk.expert(Expr::value(v)), pick.body);
  IfStmt has_rows{Expr::value(v + "_rows"), Cmp::Gt, I(0), {}, {}};
  const Expr weight = walk.weight(Expr::value(v + "_rows"));
  has_rows.then_body.push_back(let(v + "_mid", Expr::value(v + "_before") * I(2) + weight));
  has_rows.then_body.push_back(Stmt{SetStmt{v + "_before", Expr::value(v + "_before") + weight}, 0});
  has_rows.then_body.push_back(if_mine(Expr::value(v + "_mid"), walk, std::move(f.body)));
  pick.body.push_back(Stmt{std::move(has_rows), 0});
  out.push_back(Stmt{std::move(pick), 0});
}

// A shared block loop (for b = lo to hi step s): block b has min(s, hi - b)
// rows and weighs rows * row_cost + fixed_cost; the blocks before it are full.
void place_shared(Block& out, ForStmt f, Walk& walk) {
  if (walk.share > 1)
    throw IrError(fmt::format("loop %{}: parallel = shared in the walk of %{}, which places on groups of {} tiles (each "
                              "member would run every block)", f.var, walk.var, walk.share));
  const Expr row_cost = I(f.attrs.get_int("row_cost", 1)), fixed = I(f.attrs.get_int("fixed_cost", 0));
  erase_placement(f);
  emit_total(out, walk);
  const Expr b = Expr::value(f.var);
  if (!f.step.is_const()) throw IrError(fmt::format("loop %{}: parallel = shared needs a constant step", f.var));
  const Expr before = divide_small(b - f.lo, f.step.constant) * (f.step * row_cost + fixed);
  const Expr weight = min(f.step, f.hi - b) * row_cost + fixed;
  Block body;
  body.push_back(let(f.var + "_mid", before * I(2) + weight));
  body.push_back(if_mine(Expr::value(f.var + "_mid"), walk, std::move(f.body)));
  f.body = std::move(body);
  out.push_back(Stmt{std::move(f), 0});
}

void distribute(Block& block, const std::string& placement, bool one_tile) {
  // Each expert loop's walk; shared blocks go first in the first one's.
  std::vector<Walk> walks;
  for (const Stmt& s : block)
    if (const auto* f = std::get_if<ForStmt>(&s.node); f && f->attrs.get_string("parallel", "") == "experts")
      walks.push_back(Walk::of(*f));
  const auto walk_of = [&](const std::string& var) -> Walk& {
    for (Walk& w : walks)
      if (w.var == var) return w;
    throw std::logic_error("distribute: no walk for %" + var);
  };
  Block out;
  for (Stmt& s : block) {
    if (auto* f = std::get_if<ForStmt>(&s.node)) {
      distribute(f->body, placement, one_tile);
      const std::string over = f->attrs.get_string("parallel", "");
      if (!over.empty()) {
        if (one_tile) {
          erase_placement(*f);
        } else if (over == "experts") {
          if (placement == "static") {
            // Expert e on tile (or group) e mod tiles (or groups).
            const Walk walk = Walk::of(*f);
            erase_placement(*f);
            f->lo = f->lo + walk.who();
            f->step = f->step * walk.among();
          } else {
            Walk& walk = walk_of(f->var);
            place_experts(out, std::move(*f), walk);
            continue;
          }
        } else if (over == "shared") {
          if (walks.empty())
            throw IrError(fmt::format("loop %{}: parallel = shared needs a loop parallel over experts in the same block", f->var));
          if (placement == "static") {
            erase_placement(*f);
            split_contiguous(out, std::move(*f));
          } else {
            place_shared(out, std::move(*f), walks.front());
          }
          continue;
        } else if (over == "blocks") {
          // Member m of a group of G takes blocks m, m + G, ...
          const int64_t share = f->attrs.get_int("share", 1);
          erase_placement(*f);
          if (share > 1) {
            f->lo = f->lo + (kTile - divide_small(kTile, share) * I(share)) * f->step;
            f->step = f->step * I(share);
          }
        } else if (over == "tokens" || over == "columns") {
          split_contiguous(out, std::move(*f));
          continue;
        } else {
          throw IrError(fmt::format("loop %{}: parallel = {} (experts, shared, blocks, tokens or columns)", f->var, over));
        }
      }
    } else if (auto* i = std::get_if<IfStmt>(&s.node)) {
      distribute(i->then_body, placement, one_tile);
      distribute(i->else_body, placement, one_tile);
    }
    out.push_back(std::move(s));
  }
  block = std::move(out);
}

}  // namespace

void pass_Distribute(Module& m, const PassOptions& options, const PassContext& context) {
  if (!m.program) throw IrError("distribute needs a tile program (run the lowering passes)");
  const std::string placement = options.get_string("placement", "balanced");
  if (placement != "balanced" && placement != "static")
    throw IrError(fmt::format("placement = {} (balanced or static)", placement));
  distribute(m.program->body, placement, context.arch.tiles == 1);
}

}  // namespace cadre::compiler
