// Structured tile program -> RV64IM + Xcadre. Every value lives in a register
// of its own for its scope (the programs are small: a few loops deep), with
// temporaries for expressions; symbols are constants by now. Conditional
// branches always take the long form (an inverted branch over a jal), so
// the byte layout is known before labels are resolved and needs no
// relaxation, in Cadre's encoder and in GNU as (`.option norelax`).
#include "cadre/compiler/codegen.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>

#include "cadre/arch/memory_map.h"
#include "cadre/compiler/argument_block.h"
#include "cadre/compiler/kernel_tags.h"
#include "cadre/compiler/verify.h"
#include "cadre/elf/elf_writer.h"
#include "cadre/isa/registers.h"
#include "cadre/isa/rv64.h"
#include "tile_walk.h"

namespace cadre::compiler {
namespace {

using isa::Rv64Op;

constexpr uint8_t kZero = 0, kTileReg = 8 /* s0 */, kTilesReg = 9 /* s1 */, kA0 = 10, kA1 = 11, kA7 = 17;
// Registers values and temporaries take, in order of preference.
constexpr uint8_t kPool[] = {5, 6, 7, 28, 29, 30, 31, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 12, 13, 14, 15, 16, 17, 10, 11, 1, 3, 4};

bool fits12(int64_t v) { return v >= -2048 && v < 2048; }

struct Item {
  bool is_label = false;
  std::string label;        // is_label: the label; else the branch/jal target, if any
  bool xcadre = false;
  isa::Rv64Insn rv;
  isa::XcadreInsn x;
  std::string comment;
};

struct SymbolInfo {
  uint64_t base = 0;
  uint64_t slots = 1, stride = 0;
};

class CodeGen {
 public:
  explicit CodeGen(const Module& m) : p_(*m.program) {
    for (const HbmDecl& t : p_.tensors) {
      if (!t.address) throw IrError(fmt::format("tensor @{} has no address: run allocate", t.name));
      symbols_[t.name] = {*t.address, 1, 0};
    }
    for (const BufferDecl& b : p_.buffers)
      if (b.address) symbols_[b.name] = {*b.address, b.slots, slot_stride(b)};
    for (const SemDecl& s : p_.semaphores) {
      if (!s.number) throw IrError(fmt::format("semaphore @{} has no number: run allocate", s.name));
      symbols_[s.name] = {*s.number, s.slots, 1};
    }
    for (uint8_t r : kPool) free_.push_back(r);
  }

  void run() {
    label("_start");
    rv(Rv64Op::Addi, kTileReg, kA0, 0, 0);
    rv(Rv64Op::Addi, kTilesReg, kA1, 0, 0);
    bool barriers = false;
    walk_any(p_.body, barriers);
    if (barriers) {
      barrier_gen_ = take_any("the barrier's generation");
      rv(Rv64Op::Addi, barrier_gen_, kZero, 0, 0);
    }
    block(p_.body);
    // Exit: every queue drained, then ecall exit(0).
    fence_all();
    rv(Rv64Op::Addi, kA0, kZero, 0, 0);
    rv(Rv64Op::Addi, kA7, kZero, 0, 93);
    rv(Rv64Op::Ecall, 0, 0, 0, 0);
  }

  const std::vector<Item>& items() const { return items_; }

 private:
  // --- Registers.
  uint8_t take_any(std::string_view what) {
    if (free_.empty())
      throw IrError(fmt::format("the program needs more registers than the core has (for {}): nest fewer values", what));
    const uint8_t r = free_.front();
    free_.erase(free_.begin());
    return r;
  }
  void give(uint8_t r) {
    if (r != kZero && std::find(std::begin(kPool), std::end(kPool), r) != std::end(kPool)) free_.insert(free_.begin(), r);
  }
  struct Temp {
    CodeGen& g;
    uint8_t r;
    Temp(CodeGen& gen, std::string_view what) : g(gen), r(gen.take_any(what)) {}
    ~Temp() { g.give(r); }
    Temp(const Temp&) = delete;
    Temp& operator=(const Temp&) = delete;
  };

  // --- Emission.
  void rv(Rv64Op op, uint8_t rd, uint8_t rs1, uint8_t rs2, int64_t imm, std::string target = {}) {
    Item it;
    it.rv.op = op;
    it.rv.rd = rd, it.rv.rs1 = rs1, it.rv.rs2 = rs2, it.rv.imm = imm;
    it.label = std::move(target);
    items_.push_back(std::move(it));
  }
  void label(std::string name) {
    Item it;
    it.is_label = true;
    it.label = std::move(name);
    items_.push_back(std::move(it));
  }
  std::string new_label() { return fmt::format(".L{}", labels_++); }

  void li(uint8_t rd, int64_t v) {
    if (fits12(v)) {
      rv(Rv64Op::Addi, rd, kZero, 0, v);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      const int64_t hi = (v + 0x800) >> 12;
      const int64_t lo = v - (hi << 12);
      rv(Rv64Op::Lui, rd, 0, 0, static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(hi << 12))));
      if (lo != 0) rv(Rv64Op::Addiw, rd, rd, 0, lo);
    } else {
      const int64_t lo = static_cast<int64_t>(static_cast<uint64_t>(v) << 52) >> 52;
      // v - lo in the core's wrapping arithmetic (near INT64_MAX it passes INT64_MAX,
      // and adding lo back after the shift wraps again).
      int64_t hi = static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(lo)) >> 12;
      const int tz = std::countr_zero(static_cast<uint64_t>(hi));
      hi >>= tz;
      li(rd, hi);
      rv(Rv64Op::Slli, rd, rd, 0, 12 + tz);
      if (lo != 0) rv(Rv64Op::Addi, rd, rd, 0, lo);
    }
  }

  // --- Expressions: symbols become constants, then the tree is evaluated.
  Expr resolve(const Expr& e) const {
    return fold(rewrite(e, [&](const Expr& n) -> std::optional<Expr> {
      if (n.kind != Expr::Kind::Symbol) return std::nullopt;
      const auto it = symbols_.find(n.name);
      if (it == symbols_.end()) throw IrError(fmt::format("@{} has no address: run allocate", n.name));
      const SymbolInfo& s = it->second;
      Expr base = Expr::lit(static_cast<int64_t>(s.base));
      if (n.args.empty() || s.slots == 1) return base;
      const Expr slot = std::has_single_bit(s.slots) ? n.args[0] & Expr::lit(static_cast<int64_t>(s.slots - 1))
                                                     : n.args[0] % Expr::lit(static_cast<int64_t>(s.slots));
      return base + slot * Expr::lit(static_cast<int64_t>(s.stride));
    }));
  }

  uint8_t reg_of(const std::string& name) const {
    if (name == kTileValue) return kTileReg;
    if (name == kTilesValue) return kTilesReg;
    const auto it = values_.find(name);
    if (it == values_.end()) throw IrError(fmt::format("%{} has no register", name));
    return it->second;
  }

  // Evaluates a resolved expression into rd.
  void eval_into(const Expr& e, uint8_t rd) {
    using K = Expr::Kind;
    switch (e.kind) {
      case K::Const: li(rd, e.constant); return;
      case K::Value:
        if (reg_of(e.name) != rd) rv(Rv64Op::Addi, rd, reg_of(e.name), 0, 0);
        return;
      case K::Symbol: throw IrError("unresolved symbol");
      default: break;
    }
    const Expr& a = e.args[0];
    const Expr& b = e.args[1];
    if ((e.kind == K::Add || e.kind == K::Mul || e.kind == K::And || e.kind == K::Or) && a.is_const() && !b.is_const()) {
      eval_into(Expr::binary(e.kind, b, a), rd);
      return;
    }
    // The left operand's own register when it is a value, else rd.
    const auto left = [&] {
      if (a.kind == K::Value) return reg_of(a.name);
      eval_into(a, rd);
      return rd;
    };
    if (b.is_const()) {
      const int64_t c = b.constant;
      if ((e.kind == K::Add && fits12(c)) || (e.kind == K::Sub && fits12(-c))) {
        rv(Rv64Op::Addi, rd, left(), 0, e.kind == K::Add ? c : -c);
        return;
      }
      if (e.kind == K::Mul && c > 0 && std::has_single_bit(static_cast<uint64_t>(c))) {
        rv(Rv64Op::Slli, rd, left(), 0, std::countr_zero(static_cast<uint64_t>(c)));
        return;
      }
      if ((e.kind == K::Div || (e.kind == K::Rem && c <= 2048)) && c > 1 && std::has_single_bit(static_cast<uint64_t>(c))) {
        // Signed division by 2^k without the divider (34 cycles on the
        // presets): add 2^k - 1 to a negative dividend, then shift, so the
        // quotient truncates toward zero as div does; rem = x - (that & -2^k).
        const int k = std::countr_zero(static_cast<uint64_t>(c));
        const uint8_t x = left();
        Temp t(*this, "an expression");
        rv(Rv64Op::Srai, t.r, x, 0, 63);
        rv(Rv64Op::Srli, t.r, t.r, 0, 64 - k);
        rv(Rv64Op::Add, t.r, x, t.r, 0);
        if (e.kind == K::Div) {
          rv(Rv64Op::Srai, rd, t.r, 0, k);
        } else {
          rv(Rv64Op::Andi, t.r, t.r, 0, -c);
          rv(Rv64Op::Sub, rd, x, t.r, 0);
        }
        return;
      }
      if ((e.kind == K::Shl || e.kind == K::Shr) && c >= 0 && c < 64) {
        rv(e.kind == K::Shl ? Rv64Op::Slli : Rv64Op::Srli, rd, left(), 0, c);
        return;
      }
      if ((e.kind == K::And || e.kind == K::Or) && c >= 0 && c < 2048) {
        rv(e.kind == K::And ? Rv64Op::Andi : Rv64Op::Ori, rd, left(), 0, c);
        return;
      }
    }
    if (e.kind == K::Min || e.kind == K::Max) {
      eval_into(a, rd);
      Temp t(*this, "an expression");
      eval_into(b, t.r);
      // rd = a; if (b < a) rd = b (min), if (a < b) rd = b (max).
      const std::string skip = new_label();
      if (e.kind == K::Min) rv(Rv64Op::Bge, 0, t.r, rd, 0, skip);
      else rv(Rv64Op::Bge, 0, rd, t.r, 0, skip);
      rv(Rv64Op::Addi, rd, t.r, 0, 0);
      label(skip);
      return;
    }
    const uint8_t ra = left();
    std::optional<Temp> t;
    uint8_t rb;
    if (b.kind == K::Value) {
      rb = reg_of(b.name);
    } else {
      t.emplace(*this, "an expression");
      eval_into(b, t->r);
      rb = t->r;
    }
    static const std::map<K, Rv64Op> kOps = {{K::Add, Rv64Op::Add}, {K::Sub, Rv64Op::Sub}, {K::Mul, Rv64Op::Mul},
                                             {K::Div, Rv64Op::Div}, {K::Rem, Rv64Op::Rem}, {K::And, Rv64Op::And},
                                             {K::Or, Rv64Op::Or},   {K::Shl, Rv64Op::Sll}, {K::Shr, Rv64Op::Srl}};
    rv(kOps.at(e.kind), rd, ra, rb, 0);
  }

  // A register holding e: a value's own register, x0, or a temporary in `t`.
  uint8_t operand(const Expr& resolved, std::optional<Temp>& t) {
    if (resolved.kind == Expr::Kind::Value) return reg_of(resolved.name);
    if (resolved.is_const() && resolved.constant == 0) return kZero;
    t.emplace(*this, "an operand");
    eval_into(resolved, t->r);
    return t->r;
  }

  // --- Statements.
  static void walk_any(const Block& b, bool& barriers) {
    for (const Stmt& s : b) {
      if (std::holds_alternative<BarrierStmt>(s.node)) barriers = true;
      if (const auto* f = std::get_if<ForStmt>(&s.node)) walk_any(f->body, barriers);
      if (const auto* i = std::get_if<IfStmt>(&s.node)) {
        walk_any(i->then_body, barriers);
        walk_any(i->else_body, barriers);
      }
    }
  }

  void define(const std::string& name, uint8_t r, bool is_mutable) {
    values_[name] = r;
    mutable_[name] = is_mutable;
    scopes_.back().push_back(name);
  }

  // A value of a block gives its register back after the last statement of
  // the block that names it (a loop or an if naming it anywhere inside counts
  // as a whole), so that values read once, as the walk's offsets, do not hold
  // a register through the deep loops after them.
  void block(const Block& b) {
    scopes_.emplace_back();
    std::map<std::string, size_t> last;
    for (size_t i = 0; i < b.size(); ++i) {
      const auto note = [&](const std::string& n) { last[n] = i; };
      const auto note_stmt = [&](const Stmt& s) {
        for_each_expr(s, [&](const Expr& e) {
          visit(e, [&](const Expr& n) {
            if (n.kind == Expr::Kind::Value) note(n.name);
          });
        });
        if (const auto* set = std::get_if<SetStmt>(&s.node)) note(set->var);
      };
      note_stmt(b[i]);
      if (const auto* f = std::get_if<ForStmt>(&b[i].node)) walk(f->body, note_stmt);
      if (const auto* f = std::get_if<IfStmt>(&b[i].node)) {
        walk(f->then_body, note_stmt);
        walk(f->else_body, note_stmt);
      }
    }
    for (size_t i = 0; i < b.size(); ++i) {
      stmt(b[i]);
      std::erase_if(scopes_.back(), [&](const std::string& n) {
        const auto it = last.find(n);
        if (it != last.end() && it->second > i) return false;
        release(n);
        return true;
      });
    }
    for (const std::string& n : scopes_.back()) release(n);
    scopes_.pop_back();
  }
  void release(const std::string& n) {
    give(values_.at(n));
    values_.erase(n);
    mutable_.erase(n);
  }

  // Jumps to `target` when (a cmp b): an inverted branch over a jal.
  void branch_if(Cmp cmp, uint8_t a, uint8_t b, const std::string& target) {
    const std::string skip = new_label();
    switch (cmp) {
      case Cmp::Eq: rv(Rv64Op::Bne, 0, a, b, 0, skip); break;
      case Cmp::Ne: rv(Rv64Op::Beq, 0, a, b, 0, skip); break;
      case Cmp::Lt: rv(Rv64Op::Bge, 0, a, b, 0, skip); break;
      case Cmp::Ge: rv(Rv64Op::Blt, 0, a, b, 0, skip); break;
      case Cmp::Gt: rv(Rv64Op::Bge, 0, b, a, 0, skip); break;
      case Cmp::Le: rv(Rv64Op::Blt, 0, b, a, 0, skip); break;
    }
    rv(Rv64Op::Jal, kZero, 0, 0, 0, target);
    label(skip);
  }

  static Cmp negate(Cmp c) {
    switch (c) {
      case Cmp::Eq: return Cmp::Ne;
      case Cmp::Ne: return Cmp::Eq;
      case Cmp::Lt: return Cmp::Ge;
      case Cmp::Ge: return Cmp::Lt;
      case Cmp::Gt: return Cmp::Le;
      case Cmp::Le: return Cmp::Gt;
    }
    return c;
  }

  void stmt(const Stmt& s) {
    std::visit([&](const auto& n) { node(n, s.line); }, s.node);
  }

  bool is_mutable(const std::string& name) const {
    const auto it = mutable_.find(name);
    return it != mutable_.end() && it->second;
  }

  void node(const ForStmt& f, int) {
    if (f.attrs.has("parallel"))
      throw IrError(fmt::format("loop %{} is still parallel over {}: run distribute", f.var, f.attrs.get_string("parallel")));
    const uint8_t v = take_any(fmt::format("loop %{}", f.var));
    eval_into(resolve(f.lo), v);
    // The bound and the step are read once, at entry.
    const Expr hi = resolve(f.hi), step = resolve(f.step);
    std::optional<Temp> hi_t, step_t;
    uint8_t h = kZero;
    if (hi.kind == Expr::Kind::Value && !is_mutable(hi.name)) {
      h = reg_of(hi.name);
    } else if (!(hi.is_const() && hi.constant == 0)) {
      hi_t.emplace(*this, "a loop bound");
      eval_into(hi, hi_t->r);
      h = hi_t->r;
    }
    const bool step_imm = step.is_const() && fits12(step.constant);
    if (!step_imm) {
      step_t.emplace(*this, "a loop step");
      eval_into(step, step_t->r);
    }
    const std::string head = new_label(), end = new_label();
    label(head);
    branch_if(Cmp::Ge, v, h, end);
    values_[f.var] = v;
    mutable_[f.var] = false;
    block(f.body);
    if (step_imm) rv(Rv64Op::Addi, v, v, 0, step.constant);
    else rv(Rv64Op::Add, v, v, step_t->r, 0);
    rv(Rv64Op::Jal, kZero, 0, 0, 0, head);
    label(end);
    values_.erase(f.var);
    mutable_.erase(f.var);
    give(v);
  }

  void node(const IfStmt& i, int) {
    const Expr l = resolve(i.lhs), r = resolve(i.rhs);
    std::optional<Temp> lt, rt;
    const uint8_t a = operand(l, lt), b = operand(r, rt);
    const std::string other = new_label(), end = new_label();
    branch_if(negate(i.cmp), a, b, other);
    lt.reset();
    rt.reset();
    block(i.then_body);
    if (!i.else_body.empty()) rv(Rv64Op::Jal, kZero, 0, 0, 0, end);
    label(other);
    if (!i.else_body.empty()) {
      block(i.else_body);
      label(end);
    }
  }

  void node(const LetStmt& l, int) {
    const uint8_t r = take_any(fmt::format("%{}", l.var));
    eval_into(resolve(l.value), r);
    define(l.var, r, l.is_mutable);
  }

  void node(const SetStmt& s, int) {
    Temp t(*this, "a set");
    eval_into(resolve(s.value), t.r);
    rv(Rv64Op::Addi, reg_of(s.var), t.r, 0, 0);
  }

  void node(const LoadStmt& l, int) {
    const uint8_t r = take_any(fmt::format("%{}", l.var));
    {
      std::optional<Temp> t;
      const uint8_t a = operand(resolve(l.address), t);
      rv(l.width == Width::Word ? Rv64Op::Lw : Rv64Op::Ld, r, a, 0, 0);
    }
    define(l.var, r, false);
  }

  void node(const StoreStmt& s, int) {
    std::optional<Temp> at, vt;
    const uint8_t a = operand(resolve(s.address), at), v = operand(resolve(s.value), vt);
    rv(s.width == Width::Word ? Rv64Op::Sw : Rv64Op::Sd, 0, a, v, 0);
  }

  void xcadre(isa::Op op, uint8_t rd, uint8_t rs1, uint8_t rs2) {
    Item it;
    it.xcadre = true;
    it.x = {op, rd, rs1, rs2};
    it.comment = std::string(isa::info(op).mnemonic);
    items_.push_back(std::move(it));
  }

  void fence_all() {
    Temp t(*this, "a fence");
    rv(Rv64Op::Addi, t.r, kZero, 0, 7);
    xcadre(isa::Op::Fence, 0, t.r, 0);
  }

  void node(const BarrierStmt&, int) {
    // Drain the queues, then a dissemination barrier: in round r (distance
    // d = 2^r) each tile stores its generation count to the flag of tile
    // (tile + d) mod N in round r's row of `@barrier` and spins on its own
    // until tile (tile - d) mod N has stored there. After ceil(log2 N) rounds
    // every tile has heard from all: N spins of one round trip each become
    // log2 N. Counts only grow, so the flags need no reset.
    fence_all();
    rv(Rv64Op::Addi, barrier_gen_, barrier_gen_, 0, 1);
    Temp row(*this, "the barrier"), d(*this, "the barrier"), at(*this, "the barrier"), seen(*this, "the barrier");
    li(row.r, static_cast<int64_t>(symbols_.at("barrier").base));
    rv(Rv64Op::Addi, d.r, kZero, 0, 1);
    const std::string head = new_label(), wrapped = new_label(), spin = new_label(), end = new_label();
    label(head);
    branch_if(Cmp::Ge, d.r, kTilesReg, end);
    rv(Rv64Op::Add, at.r, kTileReg, d.r, 0);
    branch_if(Cmp::Lt, at.r, kTilesReg, wrapped);
    rv(Rv64Op::Sub, at.r, at.r, kTilesReg, 0);
    label(wrapped);
    rv(Rv64Op::Slli, at.r, at.r, 0, 3);
    rv(Rv64Op::Add, at.r, at.r, row.r, 0);
    rv(Rv64Op::Sd, 0, at.r, barrier_gen_, 0);
    rv(Rv64Op::Slli, at.r, kTileReg, 0, 3);
    rv(Rv64Op::Add, at.r, at.r, row.r, 0);
    label(spin);
    rv(Rv64Op::Ld, seen.r, at.r, 0, 0);
    rv(Rv64Op::Blt, 0, seen.r, barrier_gen_, 0, spin);
    rv(Rv64Op::Slli, at.r, kTilesReg, 0, 3);
    rv(Rv64Op::Add, row.r, row.r, at.r, 0);
    rv(Rv64Op::Slli, d.r, d.r, 0, 1);
    rv(Rv64Op::Jal, kZero, 0, 0, 0, head);
    label(end);
  }

  // csrrwi zero, tag CSR, tag: the commands that follow carry the kernel's tag.
  void node(const KernelStmt& k, int) {
    static_assert(model::kKernelCount < 32, "a kernel's tag must fit csrrwi's 5-bit immediate");
    rv(Rv64Op::Csrrwi, kZero, 0, 0, kernel_tag(k.kernel));
    items_.back().rv.csr = isa::kTagCsr;
    items_.back().comment = std::string(model::name(k.kernel));
  }

  // rs1 or rs2 of a command: its layout's fields packed, constants folded.
  uint8_t pack(isa::Layout layout, const CommandStmt& c, std::optional<Temp>& out) {
    const isa::LayoutInfo& li_ = isa::info(layout);
    if (li_.fields.empty()) return kZero;
    uint64_t constant = 0;
    std::vector<std::pair<const isa::Field*, Expr>> vars;
    for (const isa::Field& f : li_.fields) {
      const Expr* e = c.field(f.name);
      if (!e) throw IrError(fmt::format("{}: field '{}' is missing", isa::info(c.op).mnemonic, f.name));
      const Expr v = resolve(*e);
      if (v.is_const()) {
        const uint64_t mask = f.width == 64 ? ~uint64_t{0} : (uint64_t{1} << f.width) - 1;
        if (static_cast<uint64_t>(v.constant) & ~mask)
          throw IrError(fmt::format("{}: {} = {} does not fit its {} bits", isa::info(c.op).mnemonic, f.name, v.constant, f.width));
        constant |= (static_cast<uint64_t>(v.constant) & mask) << f.lsb;
      } else {
        vars.push_back({&f, v});
      }
    }
    if (vars.empty() && constant == 0) return kZero;
    if (vars.size() == 1 && vars[0].first->lsb == 0 && constant == 0 && vars[0].second.kind == Expr::Kind::Value)
      return reg_of(vars[0].second.name);
    out.emplace(*this, "an operand");
    const uint8_t r = out->r;
    if (vars.empty()) {
      li(r, static_cast<int64_t>(constant));
      return r;
    }
    for (size_t i = 0; i < vars.size(); ++i) {
      const auto& [f, v] = vars[i];
      if (i == 0) {
        eval_into(v, r);
        if (f->lsb) rv(Rv64Op::Slli, r, r, 0, f->lsb);
      } else {
        Temp t(*this, "an operand field");
        eval_into(v, t.r);
        if (f->lsb) rv(Rv64Op::Slli, t.r, t.r, 0, f->lsb);
        rv(Rv64Op::Or, r, r, t.r, 0);
      }
    }
    if (constant != 0) {
      if (constant < 2048) {
        rv(Rv64Op::Ori, r, r, 0, static_cast<int64_t>(constant));
      } else {
        Temp t(*this, "an operand constant");
        li(t.r, static_cast<int64_t>(constant));
        rv(Rv64Op::Or, r, r, t.r, 0);
      }
    }
    return r;
  }

  void node(const CommandStmt& c, int) {
    const isa::InsnInfo& info = isa::info(c.op);
    std::optional<Temp> t1, t2;
    const uint8_t rs1 = pack(info.rs1, c, t1);
    const uint8_t rs2 = pack(info.rs2, c, t2);
    uint8_t rd = kZero;
    if (!c.result.empty()) rd = take_any(fmt::format("%{}", c.result));
    xcadre(c.op, rd, rs1, rs2);
    t1.reset();
    t2.reset();
    if (!c.result.empty()) define(c.result, rd, false);
  }

  const Program& p_;
  std::map<std::string, SymbolInfo> symbols_;
  std::vector<uint8_t> free_;
  std::map<std::string, uint8_t> values_;
  std::map<std::string, bool> mutable_;
  std::vector<std::vector<std::string>> scopes_;
  std::vector<Item> items_;
  int labels_ = 0;
  uint8_t barrier_gen_ = kZero;
};

// --- Output: addresses, bytes and text.

std::string reg(uint8_t r) { return std::string(isa::register_name(r)); }

std::string text_of(const Item& it, const std::map<std::string, uint64_t>&) {
  if (it.xcadre) {
    const isa::InsnInfo& i = isa::info(it.x.op);
    return fmt::format(".insn r {:#04x}, {}, {}, {}, {}, {}  # {}", static_cast<unsigned>(i.major), i.funct3, i.funct7,
                       reg(it.x.rd), reg(it.x.rs1), reg(it.x.rs2), it.comment);
  }
  const isa::Rv64Info& info = isa::info(it.rv.op);
  const isa::Rv64Insn& r = it.rv;
  switch (info.format) {
    case isa::Rv64Format::Register: return fmt::format("{} {}, {}, {}", info.mnemonic, reg(r.rd), reg(r.rs1), reg(r.rs2));
    case isa::Rv64Format::Immediate:
    case isa::Rv64Format::Shift: return fmt::format("{} {}, {}, {}", info.mnemonic, reg(r.rd), reg(r.rs1), r.imm);
    case isa::Rv64Format::Memory: return fmt::format("{} {}, {}({})", info.mnemonic, reg(r.rd), r.imm, reg(r.rs1));
    case isa::Rv64Format::Store: return fmt::format("{} {}, {}({})", info.mnemonic, reg(r.rs2), r.imm, reg(r.rs1));
    case isa::Rv64Format::Branch: return fmt::format("{} {}, {}, {}", info.mnemonic, reg(r.rs1), reg(r.rs2), it.label);
    case isa::Rv64Format::Upper:
      return fmt::format("{} {}, {:#x}", info.mnemonic, reg(r.rd), (static_cast<uint64_t>(r.imm) >> 12) & 0xFFFFF);
    case isa::Rv64Format::Jump: return fmt::format("{} {}, {}", info.mnemonic, reg(r.rd), it.label);
    case isa::Rv64Format::CsrImmediate:
      return fmt::format("{} {}, {:#x}, {}  # kernel {}", info.mnemonic, reg(r.rd), r.csr, r.imm, it.comment);
    default: return std::string(info.mnemonic);
  }
}

}  // namespace

MachineCode generate(const Module& m, const arch::ArchConfig& arch) {
  if (m.graph) throw IrError("the module still has graph ops: lower them first");
  if (!m.program) throw IrError("the module has no tile program");
  verify(m, &arch);
  CodeGen gen(m);
  gen.run();

  MachineCode out;
  out.address = arch::kRamBase;
  std::map<std::string, uint64_t> labels;
  uint64_t pc = out.address;
  for (const Item& it : gen.items()) {
    if (it.is_label) labels[it.label] = pc;
    else pc += 4;
  }
  out.assembly = fmt::format(
      "# {}: compiled by Cadre for architecture '{}' (docs/compiler.md)\n"
      "    .option norvc\n    .option norelax\n    .option arch, +zicsr\n    .text\n    .globl _start\n",
      m.name, arch.name);
  pc = out.address;
  for (const Item& it : gen.items()) {
    if (it.is_label) {
      out.assembly += it.label + ":\n";
      continue;
    }
    uint32_t word;
    if (it.xcadre) {
      word = isa::encode(it.x);
    } else {
      isa::Rv64Insn insn = it.rv;
      if (!it.label.empty()) insn.imm = static_cast<int64_t>(labels.at(it.label) - pc);
      if (insn.op == Rv64Op::Jal && (insn.imm < -(1 << 20) || insn.imm >= (1 << 20)))
        throw IrError("the program is larger than a jal reaches (1 MiB)");
      word = isa::encode_rv64(insn);
    }
    for (int b = 0; b < 4; ++b) out.code.push_back(static_cast<uint8_t>(word >> (8 * b)));
    out.assembly += "    " + text_of(it, labels) + "\n";
    pc += 4;
  }
  out.args_json = to_json(argument_block(m));
  elf::ExecutableImage image;
  image.entry = out.address;
  image.text = {".text", out.address, out.code};
  image.data_sections.push_back({std::string(kArgsSection), std::vector<uint8_t>(out.args_json.begin(), out.args_json.end())});
  image.symbols.push_back({"_start", out.address, out.code.size(), elf::SymbolType::Func});
  out.elf = elf::write_elf(image);
  return out;
}

}  // namespace cadre::compiler
