#include <fmt/format.h>

#include <cmath>

#include "cadre/compiler/ir_text.h"

namespace cadre::compiler {
namespace {

int precedence(Expr::Kind k) {
  switch (k) {
    case Expr::Kind::Or: return 1;
    case Expr::Kind::And: return 2;
    case Expr::Kind::Shl:
    case Expr::Kind::Shr: return 3;
    case Expr::Kind::Add:
    case Expr::Kind::Sub: return 4;
    case Expr::Kind::Mul:
    case Expr::Kind::Div:
    case Expr::Kind::Rem: return 5;
    default: return 6;  // atoms and calls
  }
}

std::string integer(int64_t v) {
  // Small numbers in decimal, addresses and masks in hex: the choice depends
  // only on the value, so printing a parsed text gives the same text.
  if (v > -65536 && v < 65536) return fmt::format("{}", v);
  if (v < 0) return fmt::format("-{:#x}", -static_cast<uint64_t>(v));
  return fmt::format("{:#x}", v);
}

void print_expr(std::string& out, const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Const: out += integer(e.constant); return;
    case Expr::Kind::Value: out += "%" + e.name; return;
    case Expr::Kind::Symbol:
      out += "@" + e.name;
      if (!e.args.empty()) {
        out += "[";
        print_expr(out, e.args[0]);
        out += "]";
      }
      return;
    case Expr::Kind::Min:
    case Expr::Kind::Max:
      out += spelling(e.kind);
      out += "(";
      print_expr(out, e.args[0]);
      out += ", ";
      print_expr(out, e.args[1]);
      out += ")";
      return;
    default: break;
  }
  const int p = precedence(e.kind);
  const auto side = [&](const Expr& a, bool right) {
    const int q = precedence(a.kind);
    const bool parens = right ? q <= p : q < p;
    if (parens) out += "(";
    print_expr(out, a);
    if (parens) out += ")";
  };
  side(e.args[0], false);
  out += fmt::format(" {} ", spelling(e.kind));
  side(e.args[1], true);
}

std::string quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q += c;
  }
  return q + "\"";
}

std::string attr_value(const AttrValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return integer(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return quote(*s);
  const double d = std::get<double>(v);
  std::string t = fmt::format("{}", d);
  // A float always prints as one, so it parses back as one.
  if (t.find_first_of(".en") == std::string::npos) t += ".0";
  return t;
}

std::string attrs(const Attrs& a) {
  if (a.items.empty()) return "";
  std::string s = " {";
  for (size_t i = 0; i < a.items.size(); ++i)
    s += fmt::format("{}{} = {}", i ? ", " : "", a.items[i].key, attr_value(a.items[i].value));
  return s + "}";
}

std::string type(const TensorType& t) {
  std::string s = std::string(num::info(t.dtype).name) + "[";
  for (size_t i = 0; i < t.shape.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", t.shape[i]);
  return s + "]";
}

void print_graph(std::string& out, const Graph& g) {
  out += "graph {\n";
  for (const GraphOp& op : g.ops) {
    out += "  ";
    for (size_t i = 0; i < op.results.size(); ++i) out += fmt::format("{}%{}", i ? ", " : "", op.results[i].name);
    out += fmt::format(" = {}(", name(op.kind));
    for (size_t i = 0; i < op.operands.size(); ++i) out += fmt::format("{}%{}", i ? ", " : "", op.operands[i]);
    out += ")";
    out += attrs(op.attrs);
    out += " : ";
    for (size_t i = 0; i < op.results.size(); ++i) {
      if (i) out += ", ";
      out += type(op.results[i].type);
    }
    out += "\n";
  }
  out += "  return(";
  for (size_t i = 0; i < g.outputs.size(); ++i) out += fmt::format("{}%{}", i ? ", " : "", g.outputs[i]);
  out += ")\n}\n";
}

std::string width_suffix(Width w) { return w == Width::Word ? "w" : "d"; }

void print_block(std::string& out, const Block& block, int depth);

void print_command(std::string& out, const CommandStmt& c) {
  out += isa::info(c.op).mnemonic;
  for (size_t i = 0; i < c.fields.size(); ++i) {
    out += i ? ", " : " ";
    out += c.fields[i].name + " = ";
    print_expr(out, c.fields[i].value);
  }
}

void print_stmt(std::string& out, const Stmt& s, int depth) {
  const std::string pad(static_cast<size_t>(2 * depth), ' ');
  out += pad;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ForStmt>) {
          out += fmt::format("for %{} = {} to {} step {}", n.var, print(n.lo), print(n.hi), print(n.step));
          if (!n.attrs.items.empty()) out += " attributes" + attrs(n.attrs);
          out += " {\n";
          print_block(out, n.body, depth + 1);
          out += pad + "}";
        } else if constexpr (std::is_same_v<T, IfStmt>) {
          out += fmt::format("if {} {} {} {{\n", print(n.lhs), spelling(n.cmp), print(n.rhs));
          print_block(out, n.then_body, depth + 1);
          out += pad + "}";
          if (!n.else_body.empty()) {
            out += " else {\n";
            print_block(out, n.else_body, depth + 1);
            out += pad + "}";
          }
        } else if constexpr (std::is_same_v<T, LetStmt>) {
          out += fmt::format("{} %{} = {}", n.is_mutable ? "var" : "let", n.var, print(n.value));
        } else if constexpr (std::is_same_v<T, SetStmt>) {
          out += fmt::format("set %{} = {}", n.var, print(n.value));
        } else if constexpr (std::is_same_v<T, LoadStmt>) {
          out += fmt::format("let %{} = load.{} {}", n.var, width_suffix(n.width), print(n.address));
        } else if constexpr (std::is_same_v<T, StoreStmt>) {
          out += fmt::format("store.{} {}, {}", width_suffix(n.width), print(n.address), print(n.value));
        } else if constexpr (std::is_same_v<T, BarrierStmt>) {
          out += "barrier";
        } else if constexpr (std::is_same_v<T, KernelStmt>) {
          out += fmt::format("kernel {}", model::name(n.kernel));
        } else {
          if (!n.result.empty()) out += fmt::format("let %{} = ", n.result);
          print_command(out, n);
        }
      },
      s.node);
  out += "\n";
}

void print_block(std::string& out, const Block& block, int depth) {
  for (const Stmt& s : block) print_stmt(out, s, depth);
}

void print_program(std::string& out, const Program& p) {
  out += "program {\n";
  for (const HbmDecl& t : p.tensors) {
    out += fmt::format("  hbm @{} : {}{}", t.name, type(t.type), attrs(t.attrs));
    if (t.address) out += fmt::format(" at {:#x}", *t.address);
    out += "\n";
  }
  for (const BufferDecl& b : p.buffers) {
    out += fmt::format("  buffer @{} : {}[{}]", b.name, name(b.memory), b.bytes);
    if (b.slots != 1) out += fmt::format(" x {}", b.slots);
    out += attrs(b.attrs);
    if (b.address) out += fmt::format(" at {:#x}", *b.address);
    out += "\n";
  }
  for (const SemDecl& s : p.semaphores) {
    out += fmt::format("  sem @{}", s.name);
    if (s.slots != 1) out += fmt::format(" x {}", s.slots);
    if (s.number) out += fmt::format(" at {}", *s.number);
    out += "\n";
  }
  out += "  body {\n";
  print_block(out, p.body, 2);
  out += "  }\n}\n";
}

}  // namespace

std::string print(const Expr& e) {
  std::string out;
  print_expr(out, e);
  return out;
}

std::string print(const Module& m) {
  std::string out = fmt::format("module {}{}\n", quote(m.name), attrs(m.attrs));
  if (m.graph) {
    out += "\n";
    print_graph(out, *m.graph);
  }
  if (m.program) {
    out += "\n";
    print_program(out, *m.program);
  }
  return out;
}

}  // namespace cadre::compiler
