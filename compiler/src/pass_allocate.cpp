// allocate: addresses for everything the program names.
//
// - Local buffers: each is live from the first to the last statement that
//   names it, widened to the whole of the outermost loop around each of those
//   (a loop repeats its body); buffers whose lives overlap get disjoint
//   ranges of their memory, first fit, longest-lived then largest first, on
//   64-byte boundaries. A buffer that does not fit is an error naming it, its bytes,
//   and the buffers live beside it.
// - Semaphores: numbered in order of declaration, slots consecutive.
// - HBM tensors: in order of declaration from the start of HBM, each on a
//   4 KiB boundary (the argument block the runtime reads: docs/compiler.md).
#include <fmt/format.h>

#include <map>

#include "cadre/arch/memory_map.h"
#include "passes.h"
#include "tile_walk.h"

namespace cadre::compiler {
namespace {

struct Interval {
  size_t first = SIZE_MAX, last = 0;
};

size_t statements_in(const Block& block) {
  size_t n = 0;
  walk(block, [&](const Stmt&) { ++n; });
  return n;
}

// Statements numbered in pre-order. A name read at statement i is live at
// i, or over the whole outermost loop around i (a loop repeats its body).
class Liveness {
 public:
  explicit Liveness(const Block& body) { number(body, std::nullopt); }
  const std::map<std::string, Interval>& intervals() const { return live_; }

 private:
  void number(const Block& block, std::optional<Interval> loop) {
    for (const Stmt& s : block) {
      const size_t here = next_++;
      std::optional<Interval> span = loop;
      const auto* f = std::get_if<ForStmt>(&s.node);
      if (!span && f) span = Interval{here, here + statements_in(f->body)};
      const Interval at = span.value_or(Interval{here, here});
      for_each_expr(s, [&](const Expr& e) {
        visit(e, [&](const Expr& n) {
          if (n.kind != Expr::Kind::Symbol) return;
          Interval& iv = live_[n.name];
          iv.first = std::min(iv.first, at.first);
          iv.last = std::max(iv.last, at.last);
        });
      });
      if (f) number(f->body, span);
      if (const auto* i = std::get_if<IfStmt>(&s.node)) {
        number(i->then_body, span);
        number(i->else_body, span);
      }
    }
  }

  size_t next_ = 0;
  std::map<std::string, Interval> live_;
};

void place_buffers(Program& p, const arch::ArchConfig& a) {
  const Liveness liveness(p.body);
  struct Placed {
    BufferDecl* buffer;
    Interval live;
    uint64_t offset, bytes;
  };
  std::vector<Placed> order;
  for (BufferDecl& b : p.buffers) {
    const auto it = liveness.intervals().find(b.name);
    if (it == liveness.intervals().end()) continue;  // never used: no memory
    order.push_back({&b, it->second, 0, slot_stride(b) * (b.slots - 1) + (b.bytes + 63) / 64 * 64});
  }
  // Longest-lived first, then largest (TFLite's greedy by size): buffers
  // that live all program long (the weight stream) take the low addresses,
  // each phase's buffers pack above them from the same base, and memory freed
  // by one phase does not fragment the next.
  std::stable_sort(order.begin(), order.end(), [](const Placed& x, const Placed& y) {
    const size_t lx = x.live.last - x.live.first, ly = y.live.last - y.live.first;
    if (lx != ly) return lx > ly;
    return x.bytes != y.bytes ? x.bytes > y.bytes : x.live.first < y.live.first;
  });
  std::vector<Placed*> placed;
  for (Placed& b : order) {
    const Memory mem = b.buffer->memory;
    const uint64_t capacity = mem == Memory::Scratchpad ? a.scratchpad.bytes : a.accumulator.bytes;
    std::vector<std::pair<uint64_t, uint64_t>> taken;  // [offset, end) of live neighbours in the memory
    for (const Placed* o : placed)
      if (o->buffer->memory == mem && o->live.first <= b.live.last && b.live.first <= o->live.last)
        taken.push_back({o->offset, o->offset + o->bytes});
    std::sort(taken.begin(), taken.end());
    uint64_t at = 0;
    for (const auto& [lo, hi] : taken) {
      if (at + b.bytes <= lo) break;
      at = std::max(at, hi);
    }
    if (at + b.bytes > capacity) {
      std::string beside;
      for (const Placed* o : placed)
        if (o->buffer->memory == mem && o->live.first <= b.live.last && b.live.first <= o->live.last)
          beside += fmt::format("{}@{} ({} bytes)", beside.empty() ? "" : ", ", o->buffer->name, o->bytes);
      throw IrError(fmt::format("buffer @{} needs {} bytes of {}, but only {} of its {} bytes are free beside {}",
                                b.buffer->name, b.bytes, name(mem), capacity > at ? capacity - at : 0, capacity,
                                beside.empty() ? "nothing" : beside));
    }
    b.offset = at;
    b.buffer->address = (mem == Memory::Scratchpad ? arch::kScratchpadBase : arch::kAccumulatorBase) + at;
    placed.push_back(&b);
  }
}

}  // namespace

void pass_Allocate(Module& m, const PassOptions&, const PassContext& context) {
  if (!m.program) throw IrError("allocate needs a tile program");
  if (m.graph) throw IrError("the graph still has ops to lower");
  Program& p = *m.program;
  const arch::ArchConfig& a = context.arch;
  place_buffers(p, a);

  uint32_t sem = 0;
  for (SemDecl& s : p.semaphores) {
    s.number = sem;
    sem += s.slots;
  }
  if (sem > a.semaphores)
    throw IrError(fmt::format("the program needs {} semaphores, architecture '{}' has {}", sem, a.name, a.semaphores));

  uint64_t at = arch::kHbmBase;
  for (HbmDecl& t : p.tensors) {
    t.address = at;
    at += (t.type.bytes() + 4095) / 4096 * 4096;
  }
  if (at - arch::kHbmBase > arch::hbm_capacity_bytes(a))
    throw IrError(fmt::format("the layer's tensors need {} bytes of HBM, architecture '{}' has {}", at - arch::kHbmBase,
                              a.name, arch::hbm_capacity_bytes(a)));
}

}  // namespace cadre::compiler
