#include "tile_walk.h"

namespace cadre::compiler {

void walk(Block& block, const std::function<void(Stmt&)>& f) {
  for (Stmt& s : block) {
    f(s);
    if (auto* l = std::get_if<ForStmt>(&s.node)) walk(l->body, f);
    if (auto* i = std::get_if<IfStmt>(&s.node)) {
      walk(i->then_body, f);
      walk(i->else_body, f);
    }
  }
}

void walk(const Block& block, const std::function<void(const Stmt&)>& f) {
  for (const Stmt& s : block) {
    f(s);
    if (const auto* l = std::get_if<ForStmt>(&s.node)) walk(l->body, f);
    if (const auto* i = std::get_if<IfStmt>(&s.node)) {
      walk(i->then_body, f);
      walk(i->else_body, f);
    }
  }
}

namespace {

// Both constnesses: S is Stmt or const Stmt.
template <class S, class F>
void exprs_of(S& s, F&& f) {
  std::visit(
      [&](auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ForStmt>) {
          f(n.lo);
          f(n.hi);
          f(n.step);
        } else if constexpr (std::is_same_v<T, IfStmt>) {
          f(n.lhs);
          f(n.rhs);
        } else if constexpr (std::is_same_v<T, LetStmt> || std::is_same_v<T, SetStmt>) {
          f(n.value);
        } else if constexpr (std::is_same_v<T, LoadStmt>) {
          f(n.address);
        } else if constexpr (std::is_same_v<T, StoreStmt>) {
          f(n.address);
          f(n.value);
        } else if constexpr (std::is_same_v<T, CommandStmt>) {
          for (auto& field : n.fields) f(field.value);
        }
      },
      s.node);
}

}  // namespace

void for_each_expr(Stmt& s, const std::function<void(Expr&)>& f) { exprs_of(s, f); }
void for_each_expr(const Stmt& s, const std::function<void(const Expr&)>& f) { exprs_of(s, f); }

Block substitute(Block block, const std::string& name, const Expr& by) {
  walk(block, [&](Stmt& s) {
    for_each_expr(s, [&](Expr& e) {
      e = rewrite(e, [&](const Expr& n) -> std::optional<Expr> {
        if (n.kind == Expr::Kind::Value && n.name == name) return by;
        return std::nullopt;
      });
    });
  });
  return block;
}

}  // namespace cadre::compiler
