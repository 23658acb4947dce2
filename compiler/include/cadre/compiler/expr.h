// Integer expressions of the tile program: operand fields of commands, loop
// bounds and scalar values. Plain data: a tree of nodes that the printer
// writes, the parser reads back and the code generator evaluates on the
// control core (64-bit two's complement, signed division).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cadre::compiler {

struct Expr {
  enum class Kind : uint8_t {
    Const,   // constant
    Value,   // %name: a loop variable, a let/var, or %tile / %tiles
    Symbol,  // @name (args: none, or [slot]): the address of a tensor or buffer, the number of a semaphore
    Add, Sub, Mul, Div, Rem, And, Or, Shl, Shr,  // binary, args[0] op args[1]; Div/Rem signed, Shr logical
    Min, Max,                                    // signed
  };
  Kind kind = Kind::Const;
  int64_t constant = 0;
  std::string name;        // Value, Symbol
  std::vector<Expr> args;  // operands; a Symbol's slot index

  static Expr lit(int64_t v);
  static Expr value(std::string name);
  static Expr symbol(std::string name);
  static Expr symbol(std::string name, Expr slot);
  static Expr binary(Kind kind, Expr a, Expr b);

  bool is_const() const { return kind == Kind::Const; }
  bool operator==(const Expr&) const = default;
};

bool is_binary(Expr::Kind kind);
// "+", "min", ... as the text format spells the operator.
const char* spelling(Expr::Kind kind);

// Builders that fold constants, so lowering code can write a + b * c freely.
Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator*(const Expr& a, const Expr& b);
Expr operator/(const Expr& a, const Expr& b);
Expr operator%(const Expr& a, const Expr& b);
Expr operator&(const Expr& a, const Expr& b);
Expr operator<<(const Expr& a, const Expr& b);
Expr min(const Expr& a, const Expr& b);
Expr max(const Expr& a, const Expr& b);
inline Expr operator+(const Expr& a, int64_t b) { return a + Expr::lit(b); }
inline Expr operator-(const Expr& a, int64_t b) { return a - Expr::lit(b); }
inline Expr operator*(const Expr& a, int64_t b) { return a * Expr::lit(b); }
inline Expr operator/(const Expr& a, int64_t b) { return a / Expr::lit(b); }

// x / d for 0 <= x < 2^31 and a constant d > 0, as a multiply and a shift
// (Granlund and Montgomery: m = ceil(2^(31 + l) / d), l = ceil(log2 d), is
// exact for every such x, and x m < 2^63): the core's divider takes tens of cycles.
Expr divide_small(const Expr& x, int64_t d);

// The value of a binary operator on constants as the core computes it
// (division by zero as RISC-V defines it: quotient -1, remainder the dividend).
int64_t apply(Expr::Kind kind, int64_t a, int64_t b);

// The value when the tree has no Value or Symbol left.
std::optional<int64_t> constant_value(const Expr& e);

// Calls f on every node, parents first.
template <class F>
void visit(const Expr& e, F&& f) {
  f(e);
  for (const Expr& a : e.args) visit(a, f);
}

// Replaces nodes bottom-up: f returns the replacement or nullopt to keep a node.
template <class F>
Expr rewrite(const Expr& e, F&& f) {
  Expr out = e;
  for (Expr& a : out.args) a = rewrite(a, f);
  if (std::optional<Expr> r = f(out)) return *r;
  return out;
}

}  // namespace cadre::compiler

namespace cadre::compiler {
// The tree with every operator on constants replaced by its value.
Expr fold(const Expr& e);
}  // namespace cadre::compiler
