#include "expert_mlp_lowering.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "lowering.h"

namespace cadre::compiler {
namespace {

using isa::Op;
using isa::Queue;
using num::Format;

// v / 128 for a multiple of 128.
Expr blocks(const Expr& v) { return v.is_const() ? I(static_cast<uint64_t>(v.constant) / 128) : Expr::binary(Expr::Kind::Shr, v, I(7)); }

// Both MLPs (routed and shared) share their semaphores: they run one after
// the other, each leaving every semaphore as it found it, and a tile has few.
std::string sem_name(const std::string& what) { return "e_" + what; }

}  // namespace

MlpTiling MlpTiling::of(const Attrs& a) {
  MlpTiling t;
  t.rows = static_cast<uint64_t>(a.get_int("rows"));
  t.slice = static_cast<uint64_t>(a.get_int("slice"));
  t.k_chunk = static_cast<uint64_t>(a.get_int("k_chunk"));
  t.n_chunk = static_cast<uint64_t>(a.get_int("n_chunk"));
  t.split = a.get_int("split", 0) != 0;
  t.stream_h = a.get_int("stream_h", 0) != 0;
  t.stream_x = a.get_int("stream_x", 0) != 0;
  return t;
}

void MlpTiling::write(Attrs& a) const {
  a.set("rows", static_cast<int64_t>(rows));
  a.set("slice", static_cast<int64_t>(slice));
  a.set("k_chunk", static_cast<int64_t>(k_chunk));
  a.set("n_chunk", static_cast<int64_t>(n_chunk));
  a.set("split", static_cast<int64_t>(split));
  a.set("stream_h", static_cast<int64_t>(stream_h));
  a.set("stream_x", static_cast<int64_t>(stream_x));
}

std::vector<MlpBuffer> mlp_buffers(const MlpShape& s, const MlpTiling& t) {
  const uint64_t eb = s.fp8 ? 1 : 2, M = t.rows, H = s.hidden, W = s.width, S = t.slice, NC = t.n_chunk;
  const uint64_t h_cols = t.stream_h ? S : W;  // h's columns held: one slice, or all of them
  std::vector<MlpBuffer> b = {
      // [gate | up] of one slice in phase A, then one chunk of the down
      // projection in phase B, FP32: one space, as only the compute queue,
      // which runs in order, touches it.
      {"acc", Memory::Accumulator, M * std::max(2 * S, NC) * 4},
      {"gb", Memory::Scratchpad, M * 2 * S * 2},    // the slice in BF16 (and silu * up in FP32, BF16 layers)
      {"h", Memory::Scratchpad, M * h_cols * eb},   // the activations of every slice (or of one)
      {"ob", Memory::Scratchpad, M * NC * 2},       // the output chunk in BF16
  };
  if (!t.stream_x) b.push_back({"x", Memory::Scratchpad, M * H * eb});  // the block's rows of x
  if (s.fp8) {
    if (!t.stream_x) b.push_back({"xs", Memory::Scratchpad, M * H / 128 * 4});  // x's 1x128 scales, by K chunk
    b.push_back({"hs", Memory::Scratchpad, M * h_cols / 128 * 4});  // h's scales, by slice
  }
  if (s.gather) b.push_back({"tok", Memory::Scratchpad, M * 4});
  if (s.scatter) b.push_back({"rw", Memory::Scratchpad, M * 4});
  if (s.gated) {
    b.push_back({"gv", Memory::Scratchpad, M * 4});
    b.push_back({"of", Memory::Scratchpad, M * NC * 4});
  }
  return b;
}

// With stream_h, a down tile's slot also holds the block's rows of h's slice
// after the weights (and their scales after the weights' scales, 64-byte aligned).
// With stream_x, likewise a gate/up tile's slot holds the block's rows of x's K chunk.
uint64_t mlp_stream_tile(const MlpShape& s, const MlpTiling& t) {
  const uint64_t gate_up_rows = (t.split ? t.slice : 2 * t.slice) + (t.stream_x ? t.rows : 0);
  const uint64_t down_rows = t.n_chunk + (t.stream_h ? t.rows : 0);
  return std::max(gate_up_rows * t.k_chunk, down_rows * t.slice) * (s.fp8 ? 1 : 2);
}

uint64_t mlp_stream_h_scales_at(const MlpTiling& t) { return (t.n_chunk / 128 * (t.slice / 128) * 4 + 63) / 64 * 64; }

uint64_t mlp_stream_x_at(const MlpShape& s, const MlpTiling& t) {
  return (t.split ? t.slice : 2 * t.slice) * t.k_chunk * (s.fp8 ? 1 : 2);
}

uint64_t mlp_stream_x_scales_at(const MlpTiling& t) {
  return ((t.split ? t.slice : 2 * t.slice) / 128 * (t.k_chunk / 128) * 4 + 63) / 64 * 64;
}

uint64_t mlp_stream_scales(const MlpShape& s, const MlpTiling& t) {
  if (!s.fp8) return 0;
  const uint64_t gate_up_rows = t.split ? t.slice : 2 * t.slice;
  const uint64_t gate_up = t.stream_x ? mlp_stream_x_scales_at(t) + t.rows * (t.k_chunk / 128) * 4
                                      : gate_up_rows / 128 * (t.k_chunk / 128) * 4;
  const uint64_t down = t.stream_h ? mlp_stream_h_scales_at(t) + t.rows * (t.slice / 128) * 4
                                   : t.n_chunk / 128 * (t.slice / 128) * 4;
  return std::max(gate_up, down);
}

LocalFootprint footprint(const std::vector<std::vector<MlpBuffer>>& lists) {
  std::map<std::string, MlpBuffer> largest;
  for (const auto& list : lists)
    for (const MlpBuffer& b : list) {
      auto [it, fresh] = largest.emplace(b.what, b);
      if (!fresh) it->second.bytes = std::max(it->second.bytes, b.bytes);
    }
  LocalFootprint f;
  for (const auto& [what, b] : largest)
    (b.memory == Memory::Scratchpad ? f.scratchpad : f.accumulator) += (b.bytes + 63) / 64 * 64;
  return f;
}

ExpertMlpLowering::ExpertMlpLowering(TileBuilder& b, const MlpShape& shape, const MlpTiling& tiling, std::string prefix,
                                     bool routed)
    : b_(b), s_(shape), t_(tiling), prefix_(std::move(prefix)), routed_(routed), buffers_(mlp_buffers(shape, tiling)) {
  const uint64_t H = s_.hidden, W = s_.width;
  // FP8 tiles hold whole 128 x 128 scale blocks; BF16 ones need only whole DMA bursts of rows.
  const uint64_t granule = s_.fp8 ? 128 : 32;
  for (uint64_t v : {t_.slice, t_.k_chunk, t_.n_chunk})
    if (v == 0 || v % granule != 0)
      throw IrError(fmt::format("expert MLP tiling: {} is not a positive multiple of {}", v, granule));
  if (H % t_.k_chunk || H % t_.n_chunk || W % t_.slice || t_.rows == 0)
    throw IrError(fmt::format("expert MLP tiling rows={} slice={} k_chunk={} n_chunk={} does not divide hidden {} / width {}",
                              t_.rows, t_.slice, t_.k_chunk, t_.n_chunk, H, W));
  declare_stream(b_, mlp_stream_tile(s_, t_), mlp_stream_scales(s_, t_));
}

Expr ExpertMlpLowering::buf(const std::string& what) {
  for (const MlpBuffer& b : buffers_)
    if (b.what == what) return b_.buffer(prefix_ + what, b.memory, b.bytes);
  throw std::logic_error("expert MLP buffer '" + what + "' is not in mlp_buffers");
}
Expr ExpertMlpLowering::sem(const std::string& what) { return b_.sem(sem_name(what)); }

void ExpertMlpLowering::kernel(model::Kernel k) {
  if (routed_) b_.kernel(k);
}

void ExpertMlpLowering::block(const MlpOperands& o, const Expr& r0, const Expr& m) {
  rows_in(o, r0, m);
  phase_a(o, r0, m, I(0), I(s_.width));
  if (t_.stream_h) {
    // Phase B reads h from HBM: its loads wait for the last slice's store.
    b_.signal(Queue::Store, sem("h_stored"));
    b_.wait(Queue::Load, sem("h_stored"));
  }
  phase_b(o, r0, m, I(0), I(s_.hidden));
}

void ExpertMlpLowering::gate_up_part(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j0, const Expr& j1) {
  rows_in(o, r0, m);
  phase_a(o, r0, m, j0, j1);
  // The store queue takes the slices once the compute queue has made them
  // (with stream_h, phase A has stored each); the next block's rows wait for it (tok_empty).
  if (!t_.stream_h) {
    b_.signal(Queue::Compute, sem("ob_full"));
    b_.wait(Queue::Store, sem("ob_full"));
    h_transfer(o, r0, m, j0, j1, /*store=*/true);
  }
  b_.signal(Queue::Store, sem("tok_empty"));
}

void ExpertMlpLowering::down_part(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& n0, const Expr& n1) {
  // h is free once the last block's outputs are stored (tok_empty, as rows_in).
  const Expr tok_empty = initially_signalled(b_, sem_name("tok_empty"));
  kernel(model::Kernel::Permute);
  b_.wait(Queue::Load, tok_empty);
  if (s_.gated) {
    b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
    gate_values_in(o, r0, m);
  }
  if (!t_.stream_h) {  // with stream_h, phase B loads h a slice at a time
    h_transfer(o, r0, m, I(0), I(s_.width), /*store=*/false);
    b_.signal(Queue::Load, sem("x_full"));
    b_.wait(Queue::Compute, sem("x_full"));
  }
  phase_b(o, r0, m, n0, n1);
}

void ExpertMlpLowering::h_transfer(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j0, const Expr& j1,
                                   bool store) {
  // Local h is [W / S][M][S] (each slice's rows together), its scales
  // [W / 128][M] blocks packed [m][S / 128] per slice; HBM's are row-major.
  const uint64_t eb = s_.fp8 ? 1 : 2, M = t_.rows, W = s_.width, WB = W / 128, S = t_.slice, SB = S / 128;
  const Expr l_h = buf("h");
  Expr l_hs;
  if (s_.fp8) l_hs = buf("hs");
  const auto config = [&](uint64_t hbm_stride, uint64_t local_stride) {
    if (store)
      b_.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(hbm_stride)}, {"local_stride", I(local_stride)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
    else
      b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(hbm_stride)}, {"local_stride", I(local_stride)}});
  };
  const Op move = store ? Op::DmaStore : Op::DmaLoad;
  config(W * eb, S * eb);
  b_.loop(prefix_ + (store ? "h_st" : "h_ld"), j0, j1, I(S), {}, [&](Expr j) {
    b_.cmd(move, {{"hbm", o.h + (r0 * I(W) + j) * I(eb)}, {"local", l_h + j * I(M * eb)}, {"rows", m}, {"row_bytes", I(S * eb)}});
  });
  if (!s_.fp8) return;
  config(WB * 4, SB * 4);
  b_.loop(prefix_ + (store ? "hs_st" : "hs_ld"), j0, j1, I(S), {}, [&](Expr j) {
    b_.cmd(move, {{"hbm", o.h_scale + (r0 * I(WB) + blocks(j)) * 4}, {"local", l_hs + blocks(j) * I(M * 4)}, {"rows", m},
                  {"row_bytes", I(SB * 4)}});
  });
}

void ExpertMlpLowering::h_slice_out(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j) {
  const uint64_t eb = s_.fp8 ? 1 : 2, W = s_.width, WB = W / 128, S = t_.slice, SB = S / 128;
  b_.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(W * eb)}, {"local_stride", I(S * eb)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
  b_.cmd(Op::DmaStore, {{"hbm", o.h + (r0 * I(W) + j) * I(eb)}, {"local", buf("h")}, {"rows", m}, {"row_bytes", I(S * eb)}});
  if (!s_.fp8) return;
  b_.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(WB * 4)}, {"local_stride", I(SB * 4)}, {"src_fmt", I(0)}, {"dst_fmt", I(0)}});
  b_.cmd(Op::DmaStore, {{"hbm", o.h_scale + (r0 * I(WB) + blocks(j)) * 4}, {"local", buf("hs")}, {"rows", m}, {"row_bytes", I(SB * 4)}});
}

void ExpertMlpLowering::gate_values_in(const MlpOperands& o, const Expr& r0, const Expr& m) {
  b_.cmd(Op::DmaLoad, {{"hbm", o.gate_values + r0 * 4}, {"local", buf("gv")}, {"rows", I(1)}, {"row_bytes", m * 4}});
  b_.signal(Queue::Load, sem("gv_ready"));
}

void ExpertMlpLowering::rows_in(const MlpOperands& o, const Expr& r0, const Expr& m) {
  const uint64_t eb = s_.fp8 ? 1 : 2, H = s_.hidden, HB = H / 128, KC = t_.k_chunk, KCB = KC / 128;
  const Expr x_empty = initially_signalled(b_, sem_name("x_empty"));
  const Expr tok_empty = initially_signalled(b_, sem_name("tok_empty"));
  kernel(model::Kernel::Permute);
  b_.wait(Queue::Load, x_empty);
  b_.wait(Queue::Load, tok_empty);
  b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(0)}, {"local_stride", I(0)}});
  Expr l_tok;
  if (s_.gather) {
    l_tok = buf("tok");
    b_.cmd(Op::DmaLoad, {{"hbm", o.tokens + r0 * 4}, {"local", l_tok}, {"rows", I(1)}, {"row_bytes", m * 4}});
  }
  if (s_.scatter) {
    const Expr l_rw = buf("rw");
    b_.cmd(Op::DmaLoad, {{"hbm", o.row_weights + r0 * 4}, {"local", l_rw}, {"rows", I(1)}, {"row_bytes", m * 4}});
  }
  if (s_.gated) gate_values_in(o, r0, m);
  if (t_.stream_x) {  // phase A loads x a K chunk at a time
    b_.signal(Queue::Load, sem("x_full"));
    b_.wait(Queue::Compute, sem("x_full"));
    return;
  }
  const Expr l_x = buf("x");
  b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(H * eb)}, {"local_stride", I(H * eb)}});
  if (s_.gather) {
    b_.cmd(Op::DmaLoadIndex, {{"list", l_tok}, {"table_rows", I(s_.table_rows)}});
    b_.cmd(Op::DmaGather, {{"hbm", o.x}, {"local", l_x}, {"rows", m}, {"row_bytes", I(H * eb)}});
  } else {
    b_.cmd(Op::DmaLoad, {{"hbm", o.x + r0 * I(H * eb)}, {"local", l_x}, {"rows", m}, {"row_bytes", I(H * eb)}});
  }
  if (s_.fp8) {
    // Each K chunk's A scales as a packed [m, KC/128] block: the layout cmx.mm reads.
    const Expr l_xs = buf("xs");
    b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(HB * 4)}, {"local_stride", I(KCB * 4)}});
    b_.loop(prefix_ + "xc", I(0), I(H / KC), I(1), {}, [&](Expr c) {
      const Expr local = l_xs + c * m * I(KCB * 4);
      if (s_.gather)
        b_.cmd(Op::DmaGather, {{"hbm", o.x_scale + c * I(KCB * 4)}, {"local", local}, {"rows", m}, {"row_bytes", I(KCB * 4)}});
      else
        b_.cmd(Op::DmaLoad, {{"hbm", o.x_scale + (r0 * I(HB) + c * I(KCB)) * 4}, {"local", local}, {"rows", m},
                             {"row_bytes", I(KCB * 4)}});
    });
  }
  b_.signal(Queue::Load, sem("x_full"));
  b_.wait(Queue::Compute, sem("x_full"));
}

void ExpertMlpLowering::phase_a(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& j0, const Expr& j1) {
  const uint64_t eb = s_.fp8 ? 1 : 2, M = t_.rows, H = s_.hidden, W = s_.width, HB = H / 128, WB = W / 128;
  const uint64_t S = t_.slice, SB = S / 128, KC = t_.k_chunk, KCB = KC / 128;
  const int64_t fmt = code(s_.fp8 ? Format::E4M3 : Format::BF16);
  const Expr l_x = t_.stream_x ? Expr{} : buf("x");
  const Expr l_g = buf("acc");
  const Expr l_gb = buf("gb");
  const Expr l_h = buf("h");
  Expr l_xs, l_hs;
  if (s_.fp8) l_hs = buf("hs");
  if (s_.fp8 && !t_.stream_x) l_xs = buf("xs");
  const uint64_t x_at = mlp_stream_x_at(s_, t_), xs_at = mlp_stream_x_scales_at(t_);

  // g's row stride is 2S FP32 either way: the gate half in its first S columns.
  // x's rows are H apart resident, or KC apart (packed) in the stream.
  b_.cmd(Op::MatrixConfig, {{"a_fmt", Expr::lit(fmt)}, {"b_fmt", Expr::lit(fmt)}, {"c_stride", I(2 * S * 4)},
                            {"a_stride", I((t_.stream_x ? KC : H) * eb)}, {"b_stride", I(0)}});
  // One weight tile: `parts` (gate, up, or both stacked) rows [j, j + S) x columns [c, c + KC).
  struct Part {
    Expr weights, scales;
    uint64_t column;  // where its results go in g
  };
  const auto element = [&](const Expr& j, const Expr& c, const std::vector<Part>& parts) {
    stream_element(
        b_,
        [&](Expr w, Expr ws) {
          const Expr row = (o.expert * I(W) + j) * I(H) + c;
          b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(H * eb)}, {"local_stride", I(0)}});
          for (size_t i = 0; i < parts.size(); ++i)
            b_.cmd(Op::DmaLoad, {{"hbm", parts[i].weights + row * I(eb)}, {"local", w + I(i * S * KC * eb)},
                                 {"rows", I(S)}, {"row_bytes", I(KC * eb)}});
          // stream_x: the block's rows of x's K chunk c, packed after the weights (the same strides).
          const auto x_chunk = [&](const Expr& x, const Expr& local, uint64_t row_bytes, uint64_t hbm_row) {
            if (s_.gather) {
              b_.cmd(Op::DmaLoadIndex, {{"list", buf("tok")}, {"table_rows", I(s_.table_rows)}});
              b_.cmd(Op::DmaGather, {{"hbm", x}, {"local", local}, {"rows", m}, {"row_bytes", I(row_bytes)}});
            } else {
              b_.cmd(Op::DmaLoad, {{"hbm", x + r0 * I(hbm_row)}, {"local", local}, {"rows", m}, {"row_bytes", I(row_bytes)}});
            }
          };
          if (t_.stream_x) x_chunk(o.x + c * I(eb), w + I(x_at), KC * eb, H * eb);
          if (!s_.fp8) return;
          const Expr block = (o.expert * I(WB) + blocks(j)) * I(HB) + blocks(c);
          b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(HB * 4)}, {"local_stride", I(KCB * 4)}});
          for (size_t i = 0; i < parts.size(); ++i)
            b_.cmd(Op::DmaLoad, {{"hbm", parts[i].scales + block * 4}, {"local", ws + I(i * SB * KCB * 4)},
                                 {"rows", I(SB)}, {"row_bytes", I(KCB * 4)}});
          if (t_.stream_x) x_chunk(o.x_scale + blocks(c) * 4, ws + I(xs_at), KCB * 4, HB * 4);
        },
        [&](Expr w, Expr ws) {
          b_.cmd(Op::MatrixPreload, {{"tile", w}, {"scales", s_.fp8 ? ws : I(0)}, {"k", I(KC)}, {"n", I(parts.size() * S)}});
          const Expr x_scales = t_.stream_x ? ws + I(xs_at) : l_xs + blocks(c) * m * 4;
          const Expr a_scales = s_.fp8 ? x_scales : I(0);
          const Expr a = t_.stream_x ? w + I(x_at) : l_x + c * I(eb);
          const std::vector<Field> f = {{"tile", a}, {"scales", a_scales}, {"acc", l_g + I(parts[0].column * 4)}, {"m", m}};
          b_.when(c, Cmp::Eq, I(0), [&] { b_.cmd(Op::MatrixMul, f); }, [&] { b_.cmd(Op::MatrixMulAcc, f); });
        });
  };
  b_.loop(prefix_ + "j", j0, j1, I(S), {}, [&](Expr j) {
    kernel(model::Kernel::GateUpGemm);
    b_.loop(prefix_ + "c", I(0), I(H), I(KC), {}, [&](Expr c) {
      const Part gate{o.gate, o.gate_scale, 0}, up{o.up, o.up_scale, S};
      if (t_.split) {
        element(j, c, {gate});
        element(j, c, {up});
      } else {
        element(j, c, {gate, up});
      }
    });
    // g = [gate | up] of the slice: rounded to BF16 as the GPU's GEMM output is, then SiLU-multiplied.
    const Expr n = m * I(2 * S);
    b_.cmd(Op::VecConvert, {{"src", l_g}, {"dst", l_gb}, {"n", n}, {"src_fmt", I(code(Format::FP32))}, {"dst_fmt", I(code(Format::BF16))}});
    kernel(model::Kernel::SiluMulQuant);
    b_.cmd(Op::VecConvert, {{"src", l_gb}, {"dst", l_g}, {"n", n}, {"src_fmt", I(code(Format::BF16))}, {"dst_fmt", I(code(Format::FP32))}});
    // Where the slice goes: its place in h, or (stream_h) h's one slice once the store queue has sent the last.
    const Expr at = t_.stream_h ? I(0) : j;
    if (t_.stream_h) b_.wait(Queue::Compute, initially_signalled(b_, sem_name("h_empty")));
    if (s_.fp8) {
      b_.cmd(Op::VecQuantConfig, {{"scales", l_hs + blocks(at) * I(M * 4)}, {"fmt", I(code(Format::E4M3))}});
      b_.cmd(Op::VecSiluMulQuant, {{"src", l_g}, {"dst", l_h + at * I(M)}, {"rows", m}, {"cols", I(S)}});
    } else {
      b_.cmd(Op::VecSiluMul, {{"src", l_g}, {"dst", l_gb}, {"rows", m}, {"cols", I(S)}});
      b_.cmd(Op::VecConvert, {{"src", l_gb}, {"dst", l_h + at * I(M * 2)}, {"n", m * I(S)},
                              {"src_fmt", I(code(Format::FP32))}, {"dst_fmt", I(code(Format::BF16))}});
    }
    if (t_.stream_h) {
      b_.signal(Queue::Compute, sem("h_full"));
      b_.wait(Queue::Store, sem("h_full"));
      h_slice_out(o, r0, m, j);
      b_.signal(Queue::Store, sem("h_empty"));
    }
  });
  b_.signal(Queue::Compute, sem("x_empty"));
}

void ExpertMlpLowering::phase_b(const MlpOperands& o, const Expr& r0, const Expr& m, const Expr& n0, const Expr& n1) {
  const uint64_t eb = s_.fp8 ? 1 : 2, M = t_.rows, H = s_.hidden, W = s_.width, HB = H / 128, WB = W / 128;
  const uint64_t S = t_.slice, SB = S / 128, NC = t_.n_chunk;
  const int64_t fmt = code(s_.fp8 ? Format::E4M3 : Format::BF16);
  const Expr l_h = t_.stream_h ? Expr{} : buf("h");
  const Expr l_o = buf("acc");
  const Expr l_ob = buf("ob");
  const Expr ob_empty = initially_signalled(b_, sem_name("ob_empty"));
  Expr l_hs;
  if (s_.fp8 && !t_.stream_h) l_hs = buf("hs");
  const uint64_t hs_at = mlp_stream_h_scales_at(t_);
  if (s_.gated) b_.wait(Queue::Core, sem("gv_ready"));

  b_.cmd(Op::MatrixConfig, {{"a_fmt", Expr::lit(fmt)}, {"b_fmt", Expr::lit(fmt)}, {"c_stride", I(0)}, {"a_stride", I(0)}, {"b_stride", I(0)}});
  b_.loop(prefix_ + "n", n0, n1, I(NC), {}, [&](Expr n) {
    kernel(model::Kernel::DownGemm);
    b_.loop(prefix_ + "k", I(0), I(W), I(S), {}, [&](Expr j) {
      stream_element(
          b_,
          [&](Expr w, Expr ws) {
            b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(W * eb)}, {"local_stride", I(0)}});
            b_.cmd(Op::DmaLoad, {{"hbm", o.down + ((o.expert * I(H) + n) * I(W) + j) * I(eb)}, {"local", w},
                                 {"rows", I(NC)}, {"row_bytes", I(S * eb)}});
            // stream_h: the block's rows of h's slice j, packed after the weights (the same strides).
            if (t_.stream_h)
              b_.cmd(Op::DmaLoad, {{"hbm", o.h + (r0 * I(W) + j) * I(eb)}, {"local", w + I(NC * S * eb)}, {"rows", m},
                                   {"row_bytes", I(S * eb)}});
            if (!s_.fp8) return;
            b_.cmd(Op::DmaLoadConfig, {{"hbm_stride", I(WB * 4)}, {"local_stride", I(SB * 4)}});
            b_.cmd(Op::DmaLoad, {{"hbm", o.down_scale + ((o.expert * I(HB) + blocks(n)) * I(WB) + blocks(j)) * 4},
                                 {"local", ws}, {"rows", I(NC / 128)}, {"row_bytes", I(SB * 4)}});
            if (t_.stream_h)
              b_.cmd(Op::DmaLoad, {{"hbm", o.h_scale + (r0 * I(WB) + blocks(j)) * 4}, {"local", ws + I(hs_at)},
                                   {"rows", m}, {"row_bytes", I(SB * 4)}});
          },
          [&](Expr w, Expr ws) {
            b_.cmd(Op::MatrixPreload, {{"tile", w}, {"scales", s_.fp8 ? ws : I(0)}, {"k", I(S)}, {"n", I(NC)}});
            const Expr a = t_.stream_h ? w + I(NC * S * eb) : l_h + j * I(M * eb);
            const Expr h_scales = t_.stream_h ? ws + I(hs_at) : l_hs + blocks(j) * I(M * 4);
            const Expr a_scales = s_.fp8 ? h_scales : I(0);
            const std::vector<Field> f = {{"tile", a}, {"scales", a_scales}, {"acc", l_o}, {"m", m}};
            b_.when(j, Cmp::Eq, I(0), [&] { b_.cmd(Op::MatrixMul, f); }, [&] { b_.cmd(Op::MatrixMulAcc, f); });
          });
    });
    // The chunk's output rows, in BF16 as the GPU's down GEMM writes them.
    b_.wait(Queue::Compute, ob_empty);
    b_.cmd(Op::VecConvert, {{"src", l_o}, {"dst", l_ob}, {"n", m * I(NC)}, {"src_fmt", I(code(Format::FP32))}, {"dst_fmt", I(code(Format::BF16))}});
    if (s_.gated) {
      // Qwen2-MoE: bf16(float(y) * sigmoid gate) per token.
      const Expr l_of = buf("of");
      const Expr l_gv = buf("gv");
      b_.cmd(Op::VecConvert, {{"src", l_ob}, {"dst", l_of}, {"n", m * I(NC)}, {"src_fmt", I(code(Format::BF16))}, {"dst_fmt", I(code(Format::FP32))}});
      b_.loop(prefix_ + "r", I(0), m, I(1), {}, [&](Expr r) {
        const Expr gv = b_.load_word(prefix_ + "gate", l_gv + r * 4);
        b_.cmd(Op::VecMulScalar, {{"src", l_of + r * I(NC * 4)}, {"dst", l_of + r * I(NC * 4)}, {"n", I(NC)}, {"scalar", gv & I(0xFFFF'FFFF)}});
      });
      b_.cmd(Op::VecConvert, {{"src", l_of}, {"dst", l_ob}, {"n", m * I(NC)}, {"src_fmt", I(code(Format::FP32))}, {"dst_fmt", I(code(Format::BF16))}});
    }
    b_.signal(Queue::Compute, sem("ob_full"));
    b_.wait(Queue::Store, sem("ob_full"));
    if (s_.scatter) {
      kernel(model::Kernel::Combine);
      b_.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(H * 4)}, {"local_stride", I(NC * 2)}, {"src_fmt", I(code(Format::BF16))}, {"dst_fmt", I(code(Format::FP32))}});
      b_.cmd(Op::DmaStoreIndex, {{"list", buf("tok")}, {"table_rows", I(s_.table_rows)}, {"weights", buf("rw")}});
      b_.cmd(Op::DmaScatterAdd, {{"hbm", o.out + n * 4}, {"local", l_ob}, {"rows", m}, {"cols", I(NC)}});
    } else {
      b_.cmd(Op::DmaStoreConfig, {{"hbm_stride", I(H * 2)}, {"local_stride", I(NC * 2)}, {"src_fmt", I(code(Format::BF16))}, {"dst_fmt", I(code(Format::BF16))}});
      b_.cmd(Op::DmaStore, {{"hbm", o.out + (r0 * I(H) + n) * 2}, {"local", l_ob}, {"rows", m}, {"row_bytes", I(NC * 2)}});
    }
    b_.signal(Queue::Store, ob_empty);
  });
  b_.signal(Queue::Store, sem("tok_empty"));
}

}  // namespace cadre::compiler
