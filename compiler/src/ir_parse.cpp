#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "cadre/compiler/ir_text.h"

namespace cadre::compiler {

ParseError::ParseError(std::string source, int line, int column, std::string message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", source, line, column, message)), line_(line), column_(column) {}

namespace {

// Local memory is addressed by 32-bit fields (Xcadre's commands), so no buffer,
// slots and all, reaches past 4 GiB.
constexpr uint64_t kLocalSpan = uint64_t{1} << 32;

enum class Tok : uint8_t { End, Ident, Value, Symbol, Int, Float, String, Punct };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // identifier/name without sigil, string contents, punctuation
  int64_t integer = 0;
  double real = 0;
  int line = 1, column = 1;
};

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::End: return "the end of the text";
    case Tok::Ident: return fmt::format("'{}'", t.text);
    case Tok::Value: return fmt::format("'%{}'", t.text);
    case Tok::Symbol: return fmt::format("'@{}'", t.text);
    case Tok::Int:
    case Tok::Float: return fmt::format("the number '{}'", t.text);
    case Tok::String: return "a string";
    case Tok::Punct: return fmt::format("'{}'", t.text);
  }
  return "";
}

// A minus sign before a number: 0 - n in the IR's wrapping arithmetic, so
// -0x8000000000000000, the most negative integer as the printer writes it,
// reads back as itself.
int64_t negate(int64_t n) { return apply(Expr::Kind::Sub, 0, n); }

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    for (;;) {
      skip_space();
      Token t;
      t.line = line_;
      t.column = column_;
      if (pos_ >= text_.size()) {
        out.push_back(t);
        return out;
      }
      const char c = text_[pos_];
      const bool name_follows = pos_ + 1 < text_.size() &&
                                (std::isalpha(static_cast<unsigned char>(text_[pos_ + 1])) || text_[pos_ + 1] == '_');
      if (c == '@' || (c == '%' && name_follows)) {
        advance();
        t.kind = c == '%' ? Tok::Value : Tok::Symbol;
        t.text = take_while(name_char);
        if (t.text.empty()) fail(t, fmt::format("expected a name after '{}'", c));
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        t.kind = Tok::Ident;
        t.text = take_while(name_char);
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        number(t);
      } else if (c == '"') {
        string(t);
      } else {
        t.kind = Tok::Punct;
        static constexpr std::string_view kTwo[] = {"<<", ">>", "==", "!=", "<=", ">="};
        for (std::string_view two : kTwo)
          if (text_.substr(pos_, 2) == two) t.text = two;
        if (t.text.empty()) {
          if (std::string_view("{}()[],:=+-*/%&|<>").find(c) == std::string_view::npos)
            fail(t, fmt::format("unexpected character '{}'", c));
          t.text = std::string(1, c);
        }
        for (size_t i = 0; i < t.text.size(); ++i) advance();
      }
      out.push_back(std::move(t));
    }
  }

 private:
  [[noreturn]] void fail(const Token& t, const std::string& msg) const {
    throw ParseError(std::string(source_), t.line, t.column, msg);
  }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      if (std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        advance();
      } else if (text_.substr(pos_, 2) == "//") {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else {
        return;
      }
    }
  }

  template <class Pred>
  std::string take_while(Pred pred) {
    const size_t start = pos_;
    while (pos_ < text_.size() && pred(text_[pos_])) advance();
    return std::string(text_.substr(start, pos_ - start));
  }

  void number(Token& t) {
    const size_t start = pos_;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
      advance();
      advance();
      const std::string digits = take_while([](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
      t.text = std::string(text_.substr(start, pos_ - start));
      uint64_t v = 0;
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
      if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size())
        fail(t, fmt::format("'{}' is not a 64-bit number", t.text));
      t.kind = Tok::Int;
      t.integer = static_cast<int64_t>(v);
      return;
    }
    take_while([](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    bool real = false;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      real = true;
      advance();
      take_while([](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      real = true;
      advance();
      if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) advance();
      take_while([](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    }
    t.text = std::string(text_.substr(start, pos_ - start));
    if (real) {
      t.kind = Tok::Float;
      char* end = nullptr;
      t.real = std::strtod(t.text.c_str(), &end);
      if (end != t.text.c_str() + t.text.size()) fail(t, fmt::format("'{}' is not a number", t.text));
    } else {
      t.kind = Tok::Int;
      uint64_t v = 0;
      const auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (r.ec != std::errc() || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(t, fmt::format("'{}' does not fit a signed 64-bit integer", t.text));
      t.integer = static_cast<int64_t>(v);
    }
  }

  void string(Token& t) {
    advance();
    t.kind = Tok::String;
    for (;;) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') fail(t, "unterminated string");
      char c = text_[pos_];
      advance();
      if (c == '"') {
        // Strings reach JSON (the argument block, --json), which holds only
        // UTF-8; nlohmann's serializer is the check.
        try {
          (void)nlohmann::json(t.text).dump();
        } catch (const nlohmann::json::type_error&) {
          fail(t, "the string is not UTF-8 text");
        }
        return;
      }
      if (c == '\\') {
        if (pos_ >= text_.size()) fail(t, "unterminated string");
        c = text_[pos_];
        advance();
        if (c == 'n') c = '\n';
        else if (c != '"' && c != '\\') fail(t, fmt::format("unknown escape '\\{}'", c));
      }
      t.text += c;
    }
  }

  std::string_view text_, source_;
  size_t pos_ = 0;
  int line_ = 1, column_ = 1;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view source) : toks_(std::move(tokens)), source_(source) {}

  Module module() {
    Module m;
    expect_ident("module");
    m.name = expect(Tok::String, "the module's name (a string)").text;
    if (peek_punct("{")) m.attrs = attrs();
    while (!at(Tok::End)) {
      const Token& t = peek();
      if (is_ident("graph")) {
        if (m.graph) fail(t, "a second graph section");
        next();
        m.graph = graph();
      } else if (is_ident("program")) {
        if (m.program) fail(t, "a second program section");
        next();
        m.program = program();
      } else {
        fail(t, fmt::format("expected 'graph' or 'program', found {}", describe(t)));
      }
    }
    return m;
  }

 private:
  // --- Tokens.
  const Token& peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool at(Tok k) const { return peek().kind == k; }
  bool is_ident(std::string_view s, size_t ahead = 0) const {
    return peek(ahead).kind == Tok::Ident && peek(ahead).text == s;
  }
  bool peek_punct(std::string_view s) const { return peek().kind == Tok::Punct && peek().text == s; }
  bool accept_punct(std::string_view s) {
    if (!peek_punct(s)) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(const Token& t, const std::string& msg) const {
    throw ParseError(std::string(source_), t.line, t.column, msg);
  }
  const Token& expect(Tok k, std::string_view what) {
    if (!at(k)) fail(peek(), fmt::format("expected {}, found {}", what, describe(peek())));
    return next();
  }
  void expect_punct(std::string_view s) {
    if (!accept_punct(s)) fail(peek(), fmt::format("expected '{}', found {}", s, describe(peek())));
  }
  void expect_ident(std::string_view s) {
    if (!is_ident(s)) fail(peek(), fmt::format("expected '{}', found {}", s, describe(peek())));
    next();
  }
  uint64_t unsigned_int(std::string_view what) {
    const Token& t = expect(Tok::Int, what);
    return static_cast<uint64_t>(t.integer);
  }
  // A number of at most `most`.
  uint64_t unsigned_int(std::string_view what, uint64_t most) {
    const Token& t = peek();
    const uint64_t v = unsigned_int(what);
    if (v > most) fail(t, fmt::format("{} is more than the {} allowed for {}", v, most, what));
    return v;
  }

  // --- Shared pieces.
  Attrs attrs() {
    Attrs a;
    expect_punct("{");
    if (accept_punct("}")) return a;
    do {
      const Token& key = expect(Tok::Ident, "an attribute name");
      if (a.has(key.text)) fail(key, fmt::format("attribute '{}' is given twice", key.text));
      expect_punct("=");
      a.items.push_back({key.text, attr_value()});
    } while (accept_punct(","));
    expect_punct("}");
    return a;
  }

  AttrValue attr_value() {
    const bool negative = accept_punct("-");
    const Token& t = next();
    if (t.kind == Tok::Int) return negative ? negate(t.integer) : t.integer;
    if (t.kind == Tok::Float) return negative ? -t.real : t.real;
    if (t.kind == Tok::String && !negative) return t.text;
    fail(t, fmt::format("expected an attribute value (a number or a string), found {}", describe(t)));
  }

  TensorType tensor_type() {
    const Token& t = expect(Tok::Ident, "an element type (fp32, bf16, e4m3, e5m2, i32)");
    const auto f = num::format_from_name(t.text);
    if (!f) fail(t, fmt::format("'{}' is not an element type (fp32, bf16, e4m3, e5m2, i32)", t.text));
    TensorType type{f->format, {}};
    expect_punct("[");
    if (!accept_punct("]")) {
      do type.shape.push_back(unsigned_int("a dimension")); while (accept_punct(","));
      expect_punct("]");
    }
    // Its bytes in 64 bits, so that no size derived from it wraps.
    uint64_t bytes = num::info(type.dtype).bytes;
    for (uint64_t d : type.shape)
      if (__builtin_mul_overflow(bytes, d, &bytes))
        fail(t, fmt::format("a tensor of shape [{}] has more bytes than 64 bits count", fmt::join(type.shape, ", ")));
    return type;
  }

  // --- Graph.
  Graph graph() {
    Graph g;
    expect_punct("{");
    for (;;) {
      if (is_ident("return")) {
        next();
        expect_punct("(");
        if (!accept_punct(")")) {
          do g.outputs.push_back(expect(Tok::Value, "a value").text); while (accept_punct(","));
          expect_punct(")");
        }
        expect_punct("}");
        return g;
      }
      g.ops.push_back(graph_op());
    }
  }

  GraphOp graph_op() {
    GraphOp op;
    op.line = peek().line;
    std::vector<std::string> names;
    do names.push_back(expect(Tok::Value, "a result value or 'return'").text); while (accept_punct(","));
    expect_punct("=");
    const Token& kind = expect(Tok::Ident, "an op name");
    const auto k = graph_op_from_name(kind.text);
    if (!k) fail(kind, fmt::format("'{}' is not a graph op", kind.text));
    op.kind = *k;
    expect_punct("(");
    if (!accept_punct(")")) {
      do op.operands.push_back(expect(Tok::Value, "an operand").text); while (accept_punct(","));
      expect_punct(")");
    }
    if (peek_punct("{")) op.attrs = attrs();
    expect_punct(":");
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) expect_punct(",");
      op.results.push_back({names[i], tensor_type()});
    }
    return op;
  }

  // --- Program.
  Program program() {
    Program p;
    expect_punct("{");
    for (;;) {
      const Token& t = peek();
      if (is_ident("hbm")) {
        next();
        HbmDecl d;
        d.name = expect(Tok::Symbol, "a tensor name").text;
        expect_punct(":");
        d.type = tensor_type();
        if (peek_punct("{")) d.attrs = attrs();
        if (is_ident("at")) {
          next();
          d.address = unsigned_int("an HBM address", std::numeric_limits<uint64_t>::max() - d.type.bytes());
        }
        if (p.tensor(d.name) || p.buffer(d.name) || p.semaphore(d.name)) fail(t, fmt::format("@{} is declared twice", d.name));
        p.tensors.push_back(std::move(d));
      } else if (is_ident("buffer")) {
        next();
        BufferDecl d;
        d.name = expect(Tok::Symbol, "a buffer name").text;
        expect_punct(":");
        const Token& mem = expect(Tok::Ident, "scratchpad or accumulator");
        if (mem.text == "scratchpad") d.memory = Memory::Scratchpad;
        else if (mem.text == "accumulator") d.memory = Memory::Accumulator;
        else fail(mem, fmt::format("expected scratchpad or accumulator, found {}", describe(mem)));
        expect_punct("[");
        d.bytes = unsigned_int("a buffer's size in bytes", kLocalSpan);
        expect_punct("]");
        if (is_ident("x")) {
          next();
          const Token& slots = peek();
          d.slots = static_cast<uint32_t>(unsigned_int("a slot count", std::numeric_limits<uint32_t>::max()));
          uint64_t span = 0;
          if (__builtin_mul_overflow(slot_stride(d), d.slots - 1, &span) || __builtin_add_overflow(span, d.bytes, &span) ||
              span > kLocalSpan)
            fail(slots, fmt::format("{} slots of {} bytes span more than the {} bytes local addresses reach", d.slots,
                                    d.bytes, kLocalSpan));
        }
        if (peek_punct("{")) d.attrs = attrs();
        if (is_ident("at")) {
          next();
          d.address = unsigned_int("a local address", kLocalSpan);
        }
        if (p.tensor(d.name) || p.buffer(d.name) || p.semaphore(d.name)) fail(t, fmt::format("@{} is declared twice", d.name));
        p.buffers.push_back(std::move(d));
      } else if (is_ident("sem")) {
        next();
        SemDecl d;
        d.name = expect(Tok::Symbol, "a semaphore name").text;
        if (is_ident("x")) {
          next();
          d.slots = static_cast<uint32_t>(unsigned_int("a slot count", std::numeric_limits<uint32_t>::max()));
        }
        if (is_ident("at")) {
          next();
          d.number = static_cast<uint32_t>(unsigned_int("a semaphore number", std::numeric_limits<uint32_t>::max()));
        }
        if (p.tensor(d.name) || p.buffer(d.name) || p.semaphore(d.name)) fail(t, fmt::format("@{} is declared twice", d.name));
        p.semaphores.push_back(std::move(d));
      } else if (is_ident("body")) {
        next();
        p.body = block();
        expect_punct("}");
        return p;
      } else {
        fail(t, fmt::format("expected 'hbm', 'buffer', 'sem' or 'body', found {}", describe(t)));
      }
    }
  }

  Block block() {
    Block b;
    expect_punct("{");
    while (!accept_punct("}")) {
      if (at(Tok::End)) fail(peek(), "expected '}' to close the block, found the end of the text");
      b.push_back(stmt());
    }
    return b;
  }

  static std::optional<Width> width_of(std::string_view op) {
    if (op == "load.w" || op == "store.w") return Width::Word;
    if (op == "load.d" || op == "store.d") return Width::Double;
    return std::nullopt;
  }

  Stmt stmt() {
    Stmt s;
    const Token& t = peek();
    s.line = t.line;
    if (t.kind != Tok::Ident) fail(t, fmt::format("expected a statement, found {}", describe(t)));
    if (t.text == "for") {
      next();
      ForStmt f;
      f.var = expect(Tok::Value, "the loop variable").text;
      expect_punct("=");
      f.lo = expr();
      expect_ident("to");
      f.hi = expr();
      expect_ident("step");
      f.step = expr();
      if (is_ident("attributes")) {
        next();
        f.attrs = attrs();
      }
      f.body = block();
      s.node = std::move(f);
    } else if (t.text == "if") {
      next();
      IfStmt i;
      i.lhs = expr();
      i.cmp = cmp();
      i.rhs = expr();
      i.then_body = block();
      if (is_ident("else")) {
        next();
        i.else_body = block();
      }
      s.node = std::move(i);
    } else if (t.text == "let" || t.text == "var") {
      const bool is_var = t.text == "var";
      next();
      const std::string var = expect(Tok::Value, "a value name").text;
      expect_punct("=");
      const Token& rhs = peek();
      if (!is_var && rhs.kind == Tok::Ident && width_of(rhs.text) && rhs.text.starts_with("load")) {
        next();
        s.node = LoadStmt{var, *width_of(rhs.text), expr()};
      } else if (!is_var && rhs.kind == Tok::Ident && isa::op_from_mnemonic(rhs.text)) {
        CommandStmt c = command();
        c.result = var;
        s.node = std::move(c);
      } else {
        s.node = LetStmt{var, expr(), is_var};
      }
    } else if (t.text == "set") {
      next();
      SetStmt st;
      st.var = expect(Tok::Value, "a value name").text;
      expect_punct("=");
      st.value = expr();
      s.node = std::move(st);
    } else if (t.text == "store.w" || t.text == "store.d") {
      next();
      StoreStmt st;
      st.width = *width_of(t.text);
      st.address = expr();
      expect_punct(",");
      st.value = expr();
      s.node = std::move(st);
    } else if (t.text == "barrier") {
      next();
      s.node = BarrierStmt{};
    } else if (t.text == "kernel") {
      next();
      const Token& k = expect(Tok::Ident, "a kernel name");
      const std::optional<model::Kernel> kernel = model::parse_kernel(k.text);
      if (!kernel) fail(k, fmt::format("'{}' is not a kernel of model/kernels.def", k.text));
      s.node = KernelStmt{*kernel};
    } else if (isa::op_from_mnemonic(t.text)) {
      s.node = command();
    } else {
      fail(t, fmt::format("'{}' is not a statement or an Xcadre instruction", t.text));
    }
    return s;
  }

  CommandStmt command() {
    const Token& m = next();
    CommandStmt c;
    c.op = *isa::op_from_mnemonic(m.text);
    // Fields follow on the same line; the next statement starts a new one.
    if (peek().line != m.line || peek_punct("}")) return c;
    do {
      const Token& f = expect(Tok::Ident, "an operand field name");
      for (const Field& g : c.fields)
        if (g.name == f.text) fail(f, fmt::format("field '{}' is given twice", f.text));
      expect_punct("=");
      c.fields.push_back({f.text, expr()});
    } while (accept_punct(","));
    return c;
  }

  Cmp cmp() {
    const Token& t = next();
    if (t.kind == Tok::Punct) {
      if (t.text == "==") return Cmp::Eq;
      if (t.text == "!=") return Cmp::Ne;
      if (t.text == "<") return Cmp::Lt;
      if (t.text == ">=") return Cmp::Ge;
      if (t.text == ">") return Cmp::Gt;
      if (t.text == "<=") return Cmp::Le;
    }
    fail(t, fmt::format("expected a comparison (==, !=, <, >=, >, <=), found {}", describe(t)));
  }

  // --- Expressions, by precedence: | & << >> + - * / % then unary and atoms.
  Expr expr() { return binary(1); }

  static int precedence_of(const Token& t, Expr::Kind& kind) {
    if (t.kind != Tok::Punct) return 0;
    static const std::pair<std::string_view, std::pair<Expr::Kind, int>> kOps[] = {
        {"|", {Expr::Kind::Or, 1}},   {"&", {Expr::Kind::And, 2}},  {"<<", {Expr::Kind::Shl, 3}},
        {">>", {Expr::Kind::Shr, 3}}, {"+", {Expr::Kind::Add, 4}},  {"-", {Expr::Kind::Sub, 4}},
        {"*", {Expr::Kind::Mul, 5}},  {"/", {Expr::Kind::Div, 5}},  {"%", {Expr::Kind::Rem, 5}}};
    for (const auto& [s, kp] : kOps)
      if (t.text == s) {
        kind = kp.first;
        return kp.second;
      }
    return 0;
  }

  Expr binary(int min_prec) {
    Expr lhs = unary();
    for (;;) {
      Expr::Kind k{};
      const int p = precedence_of(peek(), k);
      if (p < min_prec || p == 0) return lhs;
      next();
      Expr rhs = binary(p + 1);
      lhs = Expr::binary(k, std::move(lhs), std::move(rhs));
    }
  }

  Expr unary() {
    if (accept_punct("-")) {
      if (at(Tok::Int)) return Expr::lit(negate(next().integer));
      return Expr::binary(Expr::Kind::Sub, Expr::lit(0), unary());
    }
    return atom();
  }

  Expr atom() {
    const Token& t = next();
    switch (t.kind) {
      case Tok::Int: return Expr::lit(t.integer);
      case Tok::Value: return Expr::value(t.text);
      case Tok::Symbol:
        if (accept_punct("[")) {
          Expr slot = expr();
          expect_punct("]");
          return Expr::symbol(t.text, std::move(slot));
        }
        return Expr::symbol(t.text);
      case Tok::Ident:
        if (t.text == "min" || t.text == "max") {
          expect_punct("(");
          Expr a = expr();
          expect_punct(",");
          Expr b = expr();
          expect_punct(")");
          return Expr::binary(t.text == "min" ? Expr::Kind::Min : Expr::Kind::Max, std::move(a), std::move(b));
        }
        break;
      case Tok::Punct:
        if (t.text == "(") {
          Expr e = expr();
          expect_punct(")");
          return e;
        }
        break;
      default: break;
    }
    fail(t, fmt::format("expected an expression, found {}", describe(t)));
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::string_view source_;
};

}  // namespace

Module parse_module(std::string_view text, std::string_view source) {
  return Parser(Lexer(text, source).run(), source).module();
}

}  // namespace cadre::compiler
