// multi-buffer: every streamed buffer (one with a `counter`, written by the
// load queue into slot counter mod slots and read by the compute queue) gets
// `depth` slots (option, default 2), with as many of its full and empty
// semaphores and as many initial empty signals, so DMA fills one slot while
// the matrix engine works on another (MLIR's multi-buffering, for queues).
#include <fmt/format.h>

#include "passes.h"
#include "tile_walk.h"

namespace cadre::compiler {

void pass_MultiBuffer(Module& m, const PassOptions& options, const PassContext&) {
  if (!m.program) throw IrError("multi-buffer needs a tile program");
  Program& p = *m.program;
  const int64_t depth = options.get_int("depth", 2);
  if (depth < 1 || depth > 8) throw IrError(fmt::format("depth = {} (1 to 8)", depth));
  std::vector<std::string> empties;
  for (BufferDecl& b : p.buffers) {
    if (!b.attrs.has("counter")) continue;
    b.slots = static_cast<uint32_t>(depth);
    for (const char* key : {"full", "empty"}) {
      SemDecl* s = p.semaphore(b.attrs.get_string(key));
      if (!s) throw IrError(fmt::format("buffer @{}: semaphore @{} is not declared", b.name, b.attrs.get_string(key)));
      s->slots = static_cast<uint32_t>(depth);
    }
    empties.push_back(b.attrs.get_string("empty"));
  }
  walk(p.body, [&](Stmt& s) {
    auto* f = std::get_if<ForStmt>(&s.node);
    if (f && std::find(empties.begin(), empties.end(), f->attrs.get_string("init", "")) != empties.end())
      f->hi = Expr::lit(depth);
  });
}

}  // namespace cadre::compiler
