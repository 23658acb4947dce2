// The expert MLP on one tile, for one block of rows: the schedule the
// hand-written runtime/programs/expert_mlp.c established, generated
// (docs/compiler.md, "The expert MLP"):
//
//   rows in: token ids, the gathered (or contiguous) x rows and scales
//   phase A, for each slice of S intermediate columns:
//     for each K chunk: the [gate; up] weight tile (2S x KC), or a gate and an
//       up tile (S x KC each, `split`) -> cmx.mm(.acc) into g = [gate | up]
//     g -> BF16 -> FP32, SiLU-multiply (and FP8-quantise) into h's slice
//   phase B, for each chunk of NC output columns:
//     for each slice: down weight tile (NC x S) -> cmx.mm(.acc) into o
//     o -> BF16, then scatter-add (weighted, into the FP32 output) or store
//
// With `stream_x` the block keeps no rows of x: every gate/up weight tile's
// stream slot also carries the block's rows of its K chunk of x (W / S times
// a block, or twice that with `split`); blocks are then bounded by the
// accumulator, not by H bytes of scratchpad a row.
//
// With `stream_h` the block keeps one slice of h, not all W columns: phase A
// stores each slice to HBM (o.h) as it is made, and phase B loads the
// block's rows of each slice into the stream beside its down weight tile
// (H / NC times a block). Blocks then hold about W / S times more rows.
//
// Every weight tile goes through the weight stream (lowering.h).
#pragma once

#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/ir.h"
#include "tile_builder.h"

namespace cadre::compiler {

struct MlpTiling {
  uint64_t rows = 0;     // M: rows per block
  uint64_t slice = 0;    // S: intermediate columns per phase-A slice (multiple of 128)
  uint64_t k_chunk = 0;  // KC: hidden columns per gate/up weight tile (multiple of 128)
  uint64_t n_chunk = 0;  // NC: output columns per phase-B chunk (multiple of 128)
  bool split = false;    // gate and up as separate S x KC weight tiles, not one 2S x KC tile
  bool stream_h = false; // h through HBM a slice at a time, not resident for the block
  bool stream_x = false; // x's K chunks beside each gate/up weight tile, not resident for the block
  static MlpTiling of(const Attrs& attrs);  // rows, slice, k_chunk, n_chunk, split, stream_h, stream_x
  void write(Attrs& attrs) const;
};

struct MlpShape {
  bool fp8 = true;
  uint64_t table_rows = 0;  // rows of x (tokens)
  uint64_t hidden = 0, width = 0;
  bool gather = true;       // rows gathered by token id (routed) or contiguous tokens (shared)
  bool scatter = false;     // weighted scatter-add into the FP32 output, else a store of BF16 rows
  bool gated = false;       // each output row times a per-token gate value (Qwen2-MoE's shared expert)
};

// Every local buffer of the MLP (named prefix + what): the one list the
// lowering declares from and the tiling checks the fit with.
struct MlpBuffer {
  std::string what;
  Memory memory;
  uint64_t bytes;
};
std::vector<MlpBuffer> mlp_buffers(const MlpShape& shape, const MlpTiling& tiling);

// Local bytes of buffers in each memory, 64-byte aligned (a buffer named in
// several lists counts once, at its largest).
struct LocalFootprint {
  uint64_t scratchpad = 0, accumulator = 0;
};
LocalFootprint footprint(const std::vector<std::vector<MlpBuffer>>& lists);
// The weight stream's slot for the MLP's tiles.
uint64_t mlp_stream_tile(const MlpShape& shape, const MlpTiling& tiling);
uint64_t mlp_stream_scales(const MlpShape& shape, const MlpTiling& tiling);
// stream_h: where h's scales start in a down tile's scales slot.
uint64_t mlp_stream_h_scales_at(const MlpTiling& tiling);
// stream_x: where x's chunk starts in a gate/up tile's slot, and its scales in the scales slot.
uint64_t mlp_stream_x_at(const MlpShape& shape, const MlpTiling& tiling);
uint64_t mlp_stream_x_scales_at(const MlpTiling& tiling);

struct MlpOperands {
  Expr x, x_scale;                 // HBM: E4M3 codes and 1x128 scales, or BF16 rows
  Expr gate, gate_scale, up, up_scale, down, down_scale;  // HBM weights (of all experts)
  Expr expert = Expr::lit(0);      // which expert's weights
  Expr tokens;                     // gather: HBM token ids of the row space
  Expr row_weights;                // scatter: HBM routing weight per row
  Expr gate_values;                // gated: HBM FP32 gate per token
  Expr out;                        // scatter: FP32 [T, H]; store: BF16 [rows, H]
  Expr h, h_scale;                 // parts or stream_h: HBM [rows, W] activations (and FP8 scales [rows, W / 128])
};

class ExpertMlpLowering {
 public:
  // `routed`: the routed experts' MLP, whose parts are kernels of their own
  // (permute, gate_up_gemm, silu_mul_quant, down_gemm, and combine's
  // scatter-add), each marked by a kernel statement; otherwise the MLP is
  // one kernel (the shared expert) that its caller marks.
  ExpertMlpLowering(TileBuilder& b, const MlpShape& shape, const MlpTiling& tiling, std::string prefix, bool routed);
  // Rows [r0, r0 + m) of the row space (aligned rows, or tokens).
  void block(const MlpOperands& o, const Expr& r0, const Expr& m);
  // An expert split over tiles by output columns (docs/compiler.md): phase A
  // for the intermediate columns [j0, j1), its activations stored to o.h;
  // then, after a barrier, phase B for the output columns [n0, n1) from all
  // of o.h (the down GEMM's K in order, so every bit is the golden model's).
  void gate_up_part(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j0, const Expr& j1);
  void down_part(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& n0, const Expr& n1);

 private:
  void rows_in(const MlpOperands& o, const Expr& r0, const Expr& m);
  // gated: the rows' gate values to local memory (load config strides 0), then gv_ready.
  void gate_values_in(const MlpOperands& o, const Expr& r0, const Expr& m);
  void phase_a(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j0, const Expr& j1);
  void phase_b(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& n0, const Expr& n1);
  // Slices [j0, j1) of h (and its scales) between local memory and o.h.
  void h_transfer(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j0, const Expr& j1, bool store);
  // stream_h: slice j of h (and its scales), just made, from local memory to o.h.
  void h_slice_out(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j);
  Expr buf(const std::string& what);  // a buffer of mlp_buffers
  Expr sem(const std::string& what);
  void kernel(model::Kernel k);  // a kernel statement, in the routed MLP

  TileBuilder& b_;
  MlpShape s_;
  MlpTiling t_;
  std::string prefix_;
  bool routed_;
  std::vector<MlpBuffer> buffers_;
};

}  // namespace cadre::compiler
