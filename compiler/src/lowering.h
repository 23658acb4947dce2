// What the lowering passes share: the weight stream every GEMM's weights
// pass through, semaphores that start signalled, the HBM tensors of graph
// values, and the element-format codes of commands.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/ir.h"
#include "tile_builder.h"

namespace cadre::compiler {

// Format codes as commands carry them (numerics/formats.def).
int64_t code(num::Format f);

// The weight stream: every weight tile goes through buffer @w (scales @ws),
// slot %wc, loaded on the load queue and used on the compute queue, ordered
// by @w_full (load -> compute) and @w_empty (compute -> load). multi-buffer
// gives it more slots; schedule issues each element's loads earlier.
inline constexpr const char* kStreamBuffer = "w";
inline constexpr const char* kStreamScales = "ws";
inline constexpr const char* kStreamFull = "w_full";
inline constexpr const char* kStreamEmpty = "w_empty";
inline constexpr const char* kStreamCounter = "wc";

// Declares the stream (buffers of at least these sizes) and its counter.
void declare_stream(TileBuilder& b, uint64_t tile_bytes, uint64_t scale_bytes);
// One element: `load(w, ws)` issues its loads, `compute(w, ws)` its use.
void stream_element(TileBuilder& b, const std::function<void(Expr, Expr)>& load,
                    const std::function<void(Expr, Expr)>& compute);

// A semaphore that starts at 1 (`slots` of them at multi-buffer time): for a
// buffer the first producer may fill at once. The initial signals are a loop
// at the start of the body, `attributes {init = NAME}`.
Expr initially_signalled(TileBuilder& b, const std::string& name);

// The HBM tensor of a graph value or param: declared once, named as the value.
Expr hbm_of(TileBuilder& b, const GraphValue& v, const std::string& role, const std::string& io);

// Replaces a lowered op's results by `hbm` ops naming their tensors, so the
// ops not lowered yet still find them.
void leave_in_hbm(Graph& g, size_t op_index);
// Drops params nothing uses any more and, once only params and hbm ops are
// left, the graph itself (the program has taken it over).
void drop_lowered(Module& m);

// The tensor the barrier's flags live in (one doubleword per tile).
void declare_barrier(TileBuilder& b, const arch::ArchConfig& arch);

// The role of top-k's expert numbers in HBM, which the combine by counting
// reads after lower-routing has lowered top-k.
inline constexpr const char* kTopkIdsRole = "topk.ids";

// The address of int32 word `i` of a local buffer.
inline Expr word(const Expr& base, const Expr& i) { return base + i * I(4); }

// The top-k picks of tokens [from, from + n) (`ids`, K a token) counted
// for each of E experts (cvec.count): the ids come into `buffer`, the E
// counts go to `counts`.
void count_picks(TileBuilder& b, const Expr& ids, uint64_t K, uint64_t E, const Expr& from, const Expr& n,
                 const Expr& buffer, const Expr& counts);
// E running sums of picks, expert e's at word e + skip of `base`; `name`
// names the value that reads it.
struct PickSums {
  std::string name;
  Expr base;
  int64_t skip = 0;
};
// Adds the picks of tokens [from, to), `piece` tokens a count (loop `v`),
// to each of `sums`, one pass of the core over the experts a count.
void add_picks(TileBuilder& b, const std::string& v, const Expr& ids, uint64_t K, uint64_t E, const Expr& from,
               const Expr& to, uint64_t piece, const Expr& buffer, const Expr& counts, const std::vector<PickSums>& sums);

}  // namespace cadre::compiler
