#include "cadre/compiler/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "cadre/arch/memory_map.h"
#include "cadre/compiler/ir_text.h"

namespace cadre::compiler {

std::vector<isa::Field> command_fields(isa::Op op) {
  const isa::InsnInfo& i = isa::info(op);
  std::vector<isa::Field> out;
  for (isa::Layout l : {i.rs1, i.rs2})
    for (const isa::Field& f : isa::info(l).fields) out.push_back(f);
  return out;
}

namespace {

[[noreturn]] void fail(int line, const std::string& msg) {
  throw IrError(line > 0 ? fmt::format("line {}: {}", line, msg) : msg);
}

// --- Graph.

void verify_graph(const Graph& g) {
  std::map<std::string, const GraphValue*> defined;
  for (const GraphOp& op : g.ops) {
    const auto where = [&] { return fmt::format("{} (defining %{})", name(op.kind), op.results.empty() ? "" : op.results[0].name); };
    if (op.results.empty()) fail(op.line, fmt::format("{} defines no value", name(op.kind)));
    for (const std::string& o : op.operands)
      if (!defined.count(o)) fail(op.line, fmt::format("{}: operand %{} is not defined before it", where(), o));
    for (const GraphValue& r : op.results) {
      if (!defined.emplace(r.name, &r).second) fail(op.line, fmt::format("{}: %{} is defined twice", where(), r.name));
      if (r.type.shape.empty() && op.kind != GraphOpKind::Param)
        fail(op.line, fmt::format("{}: %{} has no shape", where(), r.name));
    }
    if (op.kind == GraphOpKind::Param && !op.attrs.has("role"))
      fail(op.line, fmt::format("{}: a param needs a role", where()));
    if (op.kind == GraphOpKind::Param && !op.operands.empty())
      fail(op.line, fmt::format("{}: a param takes no operands", where()));
    if (op.kind == GraphOpKind::Hbm && !op.attrs.has("symbol"))
      fail(op.line, fmt::format("{}: an hbm op needs a symbol", where()));
  }
  if (g.outputs.empty()) fail(0, "the graph returns nothing");
  for (const std::string& o : g.outputs)
    if (!defined.count(o)) fail(0, fmt::format("return: %{} is not defined", o));
}

// --- Program.

struct Scope {
  std::vector<std::map<std::string, bool>> frames;  // name -> mutable
  const bool* find(const std::string& n) const {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
      if (auto f = it->find(n); f != it->end()) return &f->second;
    return nullptr;
  }
};

class ProgramVerifier {
 public:
  ProgramVerifier(const Program& p, const arch::ArchConfig* arch) : p_(p), arch_(arch) {}

  void run() {
    for (const BufferDecl& b : p_.buffers) {
      if (b.bytes == 0) fail(0, fmt::format("buffer @{} has no bytes", b.name));
      if (b.slots == 0) fail(0, fmt::format("buffer @{} has no slots", b.name));
      for (const char* key : {"full", "empty"})
        if (b.attrs.has(key) && !p_.semaphore(b.attrs.get_string(key)))
          fail(0, fmt::format("buffer @{}: its {} semaphore @{} is not declared", b.name, key, b.attrs.get_string(key)));
      if (arch_ && b.address) check_buffer_placement(b);
    }
    for (const SemDecl& s : p_.semaphores) {
      if (s.slots == 0) fail(0, fmt::format("semaphore @{} has no slots", s.name));
      if (arch_ && s.number && uint64_t{*s.number} + s.slots > arch_->semaphores)
        fail(0, fmt::format("semaphore @{} (numbers {}..{}) is beyond the tile's {} semaphores", s.name, *s.number,
                            uint64_t{*s.number} + s.slots - 1, arch_->semaphores));
    }
    scope_.frames.push_back({{std::string(kTileValue), false}, {std::string(kTilesValue), false}});
    block(p_.body);
  }

 private:
  void check_buffer_placement(const BufferDecl& b) const {
    const uint64_t base = b.memory == Memory::Scratchpad ? arch::kScratchpadBase : arch::kAccumulatorBase;
    const uint64_t size = b.memory == Memory::Scratchpad ? arch_->scratchpad.bytes : arch_->accumulator.bytes;
    const uint64_t end = *b.address + slot_stride(b) * (b.slots - 1) + b.bytes;
    if (*b.address < base || end > base + size)
      fail(0, fmt::format("buffer @{} [{:#x}, {:#x}) is outside the {} [{:#x}, {:#x})", b.name, *b.address, end,
                          name(b.memory), base, base + size));
  }

  void expr(const Expr& e, int line) {
    visit(e, [&](const Expr& n) {
      if (n.kind == Expr::Kind::Value && !scope_.find(n.name))
        fail(line, fmt::format("%{} is not defined here", n.name));
      if (n.kind == Expr::Kind::Symbol) {
        const bool slotted = p_.buffer(n.name) || p_.semaphore(n.name);
        if (!slotted && !p_.tensor(n.name)) fail(line, fmt::format("@{} is not declared", n.name));
        if (!n.args.empty() && !slotted) fail(line, fmt::format("@{} is a tensor: it has no slots", n.name));
      }
    });
  }

  void define(const std::string& name, bool is_mutable, int line) {
    if (scope_.find(name)) fail(line, fmt::format("%{} is already defined", name));
    scope_.frames.back()[name] = is_mutable;
  }

  void command(const CommandStmt& c, int line) {
    const isa::InsnInfo& info = isa::info(c.op);
    const std::vector<isa::Field> fields = command_fields(c.op);
    std::set<std::string> seen;
    for (const Field& f : c.fields) {
      const auto it = std::find_if(fields.begin(), fields.end(), [&](const isa::Field& x) { return x.name == f.name; });
      if (it == fields.end()) fail(line, fmt::format("{} has no operand field '{}'", info.mnemonic, f.name));
      if (!seen.insert(f.name).second) fail(line, fmt::format("{}: field '{}' is given twice", info.mnemonic, f.name));
      expr(f.value, line);
      if (const auto v = constant_value(f.value); v && it->width < 64 && static_cast<uint64_t>(*v) >> it->width)
        fail(line, fmt::format("{}: {} = {} does not fit its {} bits", info.mnemonic, f.name, *v, it->width));
    }
    for (const isa::Field& f : fields)
      if (!seen.count(std::string(f.name))) fail(line, fmt::format("{}: field '{}' is missing", info.mnemonic, f.name));
    const bool has_rd = info.rd != isa::Layout::None;
    if (has_rd && c.result.empty()) fail(line, fmt::format("{} returns a value: write `let %x = {} ...`", info.mnemonic, info.mnemonic));
    if (!has_rd && !c.result.empty()) fail(line, fmt::format("{} returns no value", info.mnemonic));
    if (!c.result.empty()) define(c.result, false, line);
  }

  void block(const Block& b) {
    scope_.frames.emplace_back();
    for (const Stmt& s : b) stmt(s);
    scope_.frames.pop_back();
  }

  void stmt(const Stmt& s) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ForStmt>) {
            expr(n.lo, s.line);
            expr(n.hi, s.line);
            expr(n.step, s.line);
            const auto step = constant_value(n.step);
            if (step && *step <= 0) fail(s.line, fmt::format("the step of loop %{} must be positive", n.var));
            scope_.frames.emplace_back();
            define(n.var, false, s.line);
            block(n.body);
            scope_.frames.pop_back();
          } else if constexpr (std::is_same_v<T, IfStmt>) {
            expr(n.lhs, s.line);
            expr(n.rhs, s.line);
            block(n.then_body);
            block(n.else_body);
          } else if constexpr (std::is_same_v<T, LetStmt>) {
            expr(n.value, s.line);
            define(n.var, n.is_mutable, s.line);
          } else if constexpr (std::is_same_v<T, SetStmt>) {
            expr(n.value, s.line);
            const bool* m = scope_.find(n.var);
            if (!m) fail(s.line, fmt::format("set: %{} is not defined here", n.var));
            if (!*m) fail(s.line, fmt::format("set: %{} is not a var", n.var));
          } else if constexpr (std::is_same_v<T, LoadStmt>) {
            expr(n.address, s.line);
            define(n.var, false, s.line);
          } else if constexpr (std::is_same_v<T, StoreStmt>) {
            expr(n.address, s.line);
            expr(n.value, s.line);
          } else if constexpr (std::is_same_v<T, BarrierStmt> || std::is_same_v<T, KernelStmt>) {
          } else {
            command(n, s.line);
          }
        },
        s.node);
  }

  const Program& p_;
  const arch::ArchConfig* arch_;
  Scope scope_;
};

}  // namespace

void verify(const Module& m, const arch::ArchConfig* arch) {
  if (!m.graph && !m.program) fail(0, fmt::format("module '{}' has neither a graph nor a program", m.name));
  if (m.graph) verify_graph(*m.graph);
  if (m.program) ProgramVerifier(*m.program, arch).run();
}

}  // namespace cadre::compiler
