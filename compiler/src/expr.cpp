#include "cadre/compiler/expr.h"

#include <bit>
#include <limits>

namespace cadre::compiler {

Expr Expr::lit(int64_t v) { return Expr{Kind::Const, v, {}, {}}; }
Expr Expr::value(std::string name) { return Expr{Kind::Value, 0, std::move(name), {}}; }
Expr Expr::symbol(std::string name) { return Expr{Kind::Symbol, 0, std::move(name), {}}; }
Expr Expr::symbol(std::string name, Expr slot) { return Expr{Kind::Symbol, 0, std::move(name), {std::move(slot)}}; }
Expr Expr::binary(Kind kind, Expr a, Expr b) {
  Expr e{kind, 0, {}, {}};
  e.args.push_back(std::move(a));
  e.args.push_back(std::move(b));
  return e;
}

Expr divide_small(const Expr& x, int64_t d) {
  const auto u = static_cast<uint64_t>(d);
  const int l = static_cast<int>(std::bit_width(u - 1));
  if (std::has_single_bit(u)) return l == 0 ? x : Expr::binary(Expr::Kind::Shr, x, Expr::lit(l));
  const int shift = 31 + l;
  const uint64_t m = ((uint64_t{1} << shift) + u - 1) / u;
  return Expr::binary(Expr::Kind::Shr, x * Expr::lit(static_cast<int64_t>(m)), Expr::lit(shift));
}

bool is_binary(Expr::Kind kind) { return kind != Expr::Kind::Const && kind != Expr::Kind::Value && kind != Expr::Kind::Symbol; }

const char* spelling(Expr::Kind kind) {
  switch (kind) {
    case Expr::Kind::Add: return "+";
    case Expr::Kind::Sub: return "-";
    case Expr::Kind::Mul: return "*";
    case Expr::Kind::Div: return "/";
    case Expr::Kind::Rem: return "%";
    case Expr::Kind::And: return "&";
    case Expr::Kind::Or: return "|";
    case Expr::Kind::Shl: return "<<";
    case Expr::Kind::Shr: return ">>";
    case Expr::Kind::Min: return "min";
    case Expr::Kind::Max: return "max";
    default: return "";
  }
}

int64_t apply(Expr::Kind kind, int64_t a, int64_t b) {
  const auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (kind) {
    case Expr::Kind::Add: return static_cast<int64_t>(ua + ub);
    case Expr::Kind::Sub: return static_cast<int64_t>(ua - ub);
    case Expr::Kind::Mul: return static_cast<int64_t>(ua * ub);
    case Expr::Kind::Div:
      if (b == 0) return -1;
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return a;
      return a / b;
    case Expr::Kind::Rem:
      if (b == 0) return a;
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return 0;
      return a % b;
    case Expr::Kind::And: return static_cast<int64_t>(ua & ub);
    case Expr::Kind::Or: return static_cast<int64_t>(ua | ub);
    case Expr::Kind::Shl: return static_cast<int64_t>(ua << (ub & 63));
    case Expr::Kind::Shr: return static_cast<int64_t>(ua >> (ub & 63));
    case Expr::Kind::Min: return a < b ? a : b;
    case Expr::Kind::Max: return a > b ? a : b;
    default: return 0;
  }
}

std::optional<int64_t> constant_value(const Expr& e) {
  if (e.kind == Expr::Kind::Const) return e.constant;
  if (!is_binary(e.kind)) return std::nullopt;
  const auto a = constant_value(e.args[0]), b = constant_value(e.args[1]);
  if (!a || !b) return std::nullopt;
  return apply(e.kind, *a, *b);
}

Expr fold(const Expr& e) {
  return rewrite(e, [](const Expr& n) -> std::optional<Expr> {
    if (is_binary(n.kind) && n.args[0].is_const() && n.args[1].is_const())
      return Expr::lit(apply(n.kind, n.args[0].constant, n.args[1].constant));
    return std::nullopt;
  });
}

namespace {

// a op b with the identities lowering code relies on (x + 0, x * 1, x * 0) folded.
Expr make(Expr::Kind kind, const Expr& a, const Expr& b) {
  if (a.is_const() && b.is_const()) return Expr::lit(apply(kind, a.constant, b.constant));
  using K = Expr::Kind;
  if ((kind == K::Add || kind == K::Sub || kind == K::Or || kind == K::Shl) && b.is_const() && b.constant == 0) return a;
  if ((kind == K::Add || kind == K::Or) && a.is_const() && a.constant == 0) return b;
  if ((kind == K::Mul || kind == K::Div) && b.is_const() && b.constant == 1) return a;
  if (kind == K::Mul && a.is_const() && a.constant == 1) return b;
  if (kind == K::Mul && ((a.is_const() && a.constant == 0) || (b.is_const() && b.constant == 0))) return Expr::lit(0);
  return Expr::binary(kind, a, b);
}

}  // namespace

Expr operator+(const Expr& a, const Expr& b) { return make(Expr::Kind::Add, a, b); }
Expr operator-(const Expr& a, const Expr& b) { return make(Expr::Kind::Sub, a, b); }
Expr operator*(const Expr& a, const Expr& b) { return make(Expr::Kind::Mul, a, b); }
Expr operator/(const Expr& a, const Expr& b) { return make(Expr::Kind::Div, a, b); }
Expr operator%(const Expr& a, const Expr& b) { return make(Expr::Kind::Rem, a, b); }
Expr operator&(const Expr& a, const Expr& b) { return make(Expr::Kind::And, a, b); }
Expr operator<<(const Expr& a, const Expr& b) { return make(Expr::Kind::Shl, a, b); }
Expr min(const Expr& a, const Expr& b) { return make(Expr::Kind::Min, a, b); }
Expr max(const Expr& a, const Expr& b) { return make(Expr::Kind::Max, a, b); }

}  // namespace cadre::compiler
