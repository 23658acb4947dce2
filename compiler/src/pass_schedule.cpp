// schedule: software pipelining of the weight stream. In a loop whose body
// is a run of stream elements (each: its loads on the load queue, then its
// compute, then the counter step), each element's loads are issued before
// the compute of the element before it:
//
//   L0                              (prologue, when the loop runs at all)
//   for i: [L(i,1)] C(i,0) ... [L(i+1,0) if i + step < hi] C(i,n-1)
//
// so the load queue always holds the next tile while the core waits on the
// compute queue. Each moved load part reads the counter one ahead. Needs a
// stream of two slots or more (multi-buffer), or a load would wait for a
// compute the core has not issued yet.
#include <fmt/format.h>

#include "lowering.h"
#include "passes.h"
#include "tile_walk.h"

namespace cadre::compiler {
namespace {

bool is_sem_command(const Stmt& s, isa::Op op, const char* sem) {
  const auto* c = std::get_if<CommandStmt>(&s.node);
  if (!c || c->op != op) return false;
  const Expr* e = c->field("sem");
  return e && e->kind == Expr::Kind::Symbol && e->name == sem;
}

bool is_counter_step(const Stmt& s) {
  const auto* st = std::get_if<SetStmt>(&s.node);
  return st && st->var == kStreamCounter;
}

struct Element {
  Block load, compute;  // compute ends with the counter step
};

// The body as elements, or nothing when it is not just a run of them.
std::optional<std::vector<Element>> elements_of(const Block& body) {
  std::vector<Element> out;
  size_t i = 0;
  while (i < body.size()) {
    if (!is_sem_command(body[i], isa::Op::WaitLoad, kStreamEmpty)) return std::nullopt;
    Element e;
    while (i < body.size() && !is_sem_command(body[i], isa::Op::WaitCompute, kStreamFull)) e.load.push_back(body[i++]);
    if (e.load.empty() || !is_sem_command(e.load.back(), isa::Op::SignalLoad, kStreamFull)) return std::nullopt;
    while (i < body.size() && !is_counter_step(body[i])) e.compute.push_back(body[i++]);
    if (i == body.size()) return std::nullopt;
    e.compute.push_back(body[i++]);
    out.push_back(std::move(e));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Block ahead(Block b) {
  return substitute(std::move(b), kStreamCounter, Expr::value(kStreamCounter) + Expr::lit(1));
}

void pipeline(Block& block) {
  Block out;
  for (Stmt& s : block) {
    if (auto* i = std::get_if<IfStmt>(&s.node)) {
      pipeline(i->then_body);
      pipeline(i->else_body);
    }
    auto* f = std::get_if<ForStmt>(&s.node);
    if (!f) {
      out.push_back(std::move(s));
      continue;
    }
    pipeline(f->body);
    const auto elements = elements_of(f->body);
    if (!elements) {
      out.push_back(std::move(s));
      continue;
    }
    const Expr var = Expr::value(f->var);
    // Prologue: the first element's loads, for the first iteration.
    IfStmt prologue{f->lo, Cmp::Lt, f->hi, substitute((*elements)[0].load, f->var, f->lo), {}};
    out.push_back(Stmt{std::move(prologue), 0});
    Block body;
    const size_t n = elements->size();
    for (size_t q = 0; q < n; ++q) {
      if (q + 1 < n) {
        for (Stmt& l : ahead((*elements)[q + 1].load)) body.push_back(std::move(l));
      } else {
        const Expr next = var + f->step;
        IfStmt more{next, Cmp::Lt, f->hi, ahead(substitute((*elements)[0].load, f->var, next)), {}};
        body.push_back(Stmt{std::move(more), 0});
      }
      for (const Stmt& c : (*elements)[q].compute) body.push_back(c);
    }
    f->body = std::move(body);
    f->attrs.set("pipelined", static_cast<int64_t>(1));
    out.push_back(std::move(s));
  }
  block = std::move(out);
}

}  // namespace

void pass_Schedule(Module& m, const PassOptions&, const PassContext&) {
  if (!m.program) throw IrError("schedule needs a tile program");
  const BufferDecl* w = m.program->buffer(kStreamBuffer);
  if (!w) return;  // no stream
  if (w->slots < 2)
    throw IrError(fmt::format("the weight stream @{} has {} slot; run multi-buffer first", w->name, w->slots));
  pipeline(m.program->body);
}

}  // namespace cadre::compiler
