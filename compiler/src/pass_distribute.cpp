// distribute: loops marked `parallel` are split over the tiles, each running
// the same program with its own %tile (docs/compiler.md, "Over the tiles"):
//
// - tokens, columns: contiguous ranges of iterations, as equal as they come;
// - experts, option placement = balanced (default): every tile reads all the
//   offsets and weighs each expert with tokens as its rows plus the loop's
//   fixed_cost (streaming its weights); experts, in order, go to the tile
//   whose share of the total their weight's midpoint falls in, so the tiles
//   agree without talking and experts without tokens cost nothing;
// - experts, placement = static: expert e on tile e mod tiles.
#include <fmt/format.h>

#include "passes.h"
#include "tile_walk.h"

namespace cadre::compiler {
namespace {

Expr I(int64_t v) { return Expr::lit(v); }
const Expr kTile = Expr::value(std::string(kTileValue));
const Expr kTiles = Expr::value(std::string(kTilesValue));

Stmt let(const std::string& name, Expr v) { return Stmt{LetStmt{name, std::move(v), false}, 0}; }

// for v = lo to hi step s over the tiles: tile t takes iterations [t * per, (t + 1) * per).
void split_contiguous(Block& out, ForStmt f) {
  const std::string lo = f.var + "_lo", hi = f.var + "_hi";
  const Expr count = (f.hi - f.lo + f.step - I(1)) / f.step;
  const Expr per = (count + kTiles - I(1)) / kTiles;
  out.push_back(let(lo, f.lo + kTile * per * f.step));
  out.push_back(let(hi, min(f.hi, f.lo + (kTile + I(1)) * per * f.step)));
  f.lo = Expr::value(lo);
  f.hi = Expr::value(hi);
  f.attrs.erase("parallel");
  out.push_back(Stmt{std::move(f), 0});
}

void split_experts(Block& out, ForStmt f, const std::string& placement) {
  const std::string offsets = f.attrs.get_string("offsets");
  const int64_t fixed = f.attrs.get_int("fixed_cost", 0);
  f.attrs.erase("parallel");
  f.attrs.erase("offsets");
  f.attrs.erase("fixed_cost");
  if (placement == "static") {
    f.lo = f.lo + kTile;
    f.step = f.step * kTiles;
    out.push_back(Stmt{std::move(f), 0});
    return;
  }
  // rows(e) = offsets[e + 1] - offsets[e]; weight(e) = rows ? rows + fixed : 0.
  const Expr off = Expr::symbol(offsets);
  const std::string v = f.var;
  const auto rows_of = [&](const std::string& e, Block& into) {
    into.push_back(Stmt{LoadStmt{v + "_start", Width::Word, off + Expr::value(e) * I(4)}, 0});
    into.push_back(Stmt{LoadStmt{v + "_stop", Width::Word, off + Expr::value(e) * I(4) + I(4)}, 0});
    into.push_back(let(v + "_rows", Expr::value(v + "_stop") - Expr::value(v + "_start")));
  };
  out.push_back(Stmt{LetStmt{v + "_total", I(0), true}, 0});
  ForStmt sum{v + "_s", f.lo, f.hi, f.step, {}, {}};
  rows_of(sum.var, sum.body);
  IfStmt add{Expr::value(v + "_rows"), Cmp::Gt, I(0), {}, {}};
  add.then_body.push_back(Stmt{SetStmt{v + "_total", Expr::value(v + "_total") + Expr::value(v + "_rows") + I(fixed)}, 0});
  sum.body.push_back(Stmt{std::move(add), 0});
  out.push_back(Stmt{std::move(sum), 0});

  // Expert e is this tile's when floor((before + weight / 2) * tiles / total) == tile
  // (both sides doubled to stay in integers).
  out.push_back(Stmt{LetStmt{v + "_before", I(0), true}, 0});
  ForStmt pick{v, f.lo, f.hi, f.step, f.attrs, {}};
  rows_of(v, pick.body);
  IfStmt has_rows{Expr::value(v + "_rows"), Cmp::Gt, I(0), {}, {}};
  const Expr weight = Expr::value(v + "_rows") + I(fixed);
  has_rows.then_body.push_back(
      let(v + "_owner", ((Expr::value(v + "_before") * I(2) + weight) * kTiles) / (Expr::value(v + "_total") * I(2))));
  has_rows.then_body.push_back(Stmt{SetStmt{v + "_before", Expr::value(v + "_before") + weight}, 0});
  IfStmt mine{Expr::value(v + "_owner"), Cmp::Eq, kTile, std::move(f.body), {}};
  has_rows.then_body.push_back(Stmt{std::move(mine), 0});
  pick.body.push_back(Stmt{std::move(has_rows), 0});
  out.push_back(Stmt{std::move(pick), 0});
}

void distribute(Block& block, const std::string& placement, bool one_tile) {
  Block out;
  for (Stmt& s : block) {
    if (auto* f = std::get_if<ForStmt>(&s.node)) {
      distribute(f->body, placement, one_tile);
      const std::string over = f->attrs.get_string("parallel", "");
      if (!over.empty()) {
        if (one_tile) {
          f->attrs.erase("parallel");
          f->attrs.erase("offsets");
          f->attrs.erase("fixed_cost");
        } else if (over == "experts") {
          split_experts(out, std::move(*f), placement);
          continue;
        } else if (over == "tokens" || over == "columns") {
          split_contiguous(out, std::move(*f));
          continue;
        } else {
          throw IrError(fmt::format("loop %{}: parallel = {} (experts, tokens or columns)", f->var, over));
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
