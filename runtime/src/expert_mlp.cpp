#include "cadre/runtime/expert_mlp.h"

#include <fmt/format.h>

#include <cstring>
#include <random>
#include <string>

#include "cadre/arch/memory_map.h"
#include "cadre/golden/expert_kernels.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/hd.h"

namespace cadre::runtime {
namespace {

using golden::Index;

constexpr uint64_t kAlign = 64;  // local buffers start on a DMA burst

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

// Random FP8 weight [rows, cols]: codes of uniform values in [-448, 448]
// (NaN cannot occur), block scales in [2^-10, 2^-9].
golden::Fp8Weight random_weight(std::mt19937_64& rng, Index rows, Index cols) {
  std::uniform_real_distribution<float> value(-448.0f, 448.0f), scale(1.0f / 1024, 1.0f / 512);
  golden::Fp8Weight w;
  w.codes.resize(rows, cols);
  for (Index i = 0; i < w.codes.size(); ++i) w.codes.data()[i] = num::float_to_fp8(num::Format::E4M3, value(rng));
  w.scales.resize(golden::blocks_of(rows), golden::blocks_of(cols));
  for (Index i = 0; i < w.scales.size(); ++i) w.scales.data()[i] = scale(rng);
  return w;
}

template <class T>
std::span<const uint8_t> bytes_of(const T* data, size_t count) {
  return {reinterpret_cast<const uint8_t*>(data), count * sizeof(T)};
}

// A bump allocator over one local memory.
struct Arena {
  const char* name;
  uint64_t base, end, next;
  uint64_t take(uint64_t bytes) {
    const uint64_t at = align_up(next, kAlign);
    next = at + bytes;
    return at;
  }
  bool fits() const { return next <= end; }
};

}  // namespace

ExpertMlpCase make_expert_mlp_case(const ExpertMlpShape& s, uint64_t seed) {
  const auto bad = [&](const std::string& why) {
    return ExpertMlpError(fmt::format("expert MLP shape M={} H={} I={} T={} KC={}: {}", s.rows, s.hidden, s.inter,
                                      s.table_rows, s.k_chunk, why));
  };
  if (s.rows == 0 || s.rows > 0xFFFF) throw bad("rows must be in [1, 65535] (a DMA transfer's row count)");
  if (s.k_chunk == 0 || s.k_chunk % 128 != 0 || s.k_chunk > 0xFF80)
    throw bad("k_chunk must be a positive multiple of 128 below 65536");
  if (s.hidden % s.k_chunk != 0 || s.hidden > 0xFFFF) throw bad("hidden must be a multiple of k_chunk below 65536");
  if (s.inter == 0 || s.inter % 128 != 0 || s.inter > 0xFFFF)
    throw bad("inter must be a positive multiple of 128 below 65536");
  if (s.table_rows < s.rows) throw bad("the table must have at least one row per gathered row");

  std::mt19937_64 rng(seed);
  ExpertMlpCase c;
  c.shape = s;
  const Index t = s.table_rows, h = s.hidden, i = s.inter, m = s.rows;
  golden::MatrixU16 x(t, h);
  std::normal_distribution<float> activation(0.0f, 1.5f);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = num::float_to_bf16(activation(rng));
  c.x = golden::input_quant(x);
  // Distinct tokens in random order (a token picks an expert once); the
  // last row is block padding when there is more than one.
  std::vector<int32_t> order(static_cast<size_t>(t));
  for (Index k = 0; k < t; ++k) order[static_cast<size_t>(k)] = static_cast<int32_t>(k);
  std::shuffle(order.begin(), order.end(), rng);
  c.tokens.assign(order.begin(), order.begin() + m);
  if (m > 1) c.tokens.back() = -1;
  std::uniform_real_distribution<float> weight(0.05f, 1.0f);
  for (Index k = 0; k < m; ++k) c.weights.push_back(weight(rng));
  c.gate = random_weight(rng, i, h);
  c.up = random_weight(rng, i, h);
  c.down = random_weight(rng, h, i);
  c.out.resize(t, h);
  for (Index k = 0; k < c.out.size(); ++k) c.out.data()[k] = activation(rng);
  return c;
}

golden::MatrixF expert_mlp_golden(const ExpertMlpCase& c) {
  const Index m = c.shape.rows, h = c.shape.hidden, i = c.shape.inter;
  const golden::Fp8Activations rows = golden::permute(c.x, c.tokens);
  golden::Fp8Weight gate_up;  // [gate_proj; up_proj], as the golden gate_up GEMM fuses them
  gate_up.codes.resize(2 * i, h);
  gate_up.codes << c.gate.codes, c.up.codes;
  gate_up.scales.resize(2 * golden::blocks_of(i), golden::blocks_of(h));
  gate_up.scales << c.gate.scales, c.up.scales;
  golden::MatrixU16 g(m, 2 * i), y(m, h);
  golden::expert_gemm(rows, 0, m, gate_up, g, 0);
  const golden::Fp8Activations act = golden::silu_mul_quant(g, c.tokens);
  golden::expert_gemm(act, 0, m, c.down, y, 0);
  golden::MatrixF out = c.out;
  for (Index r = 0; r < m; ++r) {
    const int32_t token = c.tokens[static_cast<size_t>(r)];
    if (token < 0) continue;
    const float w = c.weights[static_cast<size_t>(r)];
    for (Index col = 0; col < h; ++col)
      out(token, col) = num::add_rn(out(token, col), num::mul_rn(w, num::bf16_to_float(y(r, col))));
  }
  return out;
}

expert_mlp_args plan_expert_mlp(const ExpertMlpShape& s, const arch::ArchConfig& cfg) {
  const arch::Region sp_region = arch::scratchpad_region(cfg), acc_region = arch::accumulator_region(cfg);
  Arena sp{"scratchpad", sp_region.base, sp_region.end(), sp_region.base};
  Arena acc{"accumulator", acc_region.base, acc_region.end(), acc_region.base};
  const uint64_t m = s.rows, h = s.hidden, kc = s.k_chunk, tile = 128 * kc;
  expert_mlp_args a{};
  // FP32 results in the accumulator, their inputs in the scratchpad: no
  // command streams two operands through one memory, so none conflicts.
  a.l_g = acc.take(m * 256 * 4);
  a.l_o = acc.take(m * h * 4);
  if (!acc.fits()) {  // o moves to the scratchpad: the last cvec.cvt then may share a bank
    acc.next = a.l_o;
    a.l_o = sp.take(m * h * 4);
  }
  a.l_w[0] = sp.take(tile);
  a.l_w[1] = sp.take(tile);
  a.l_x = sp.take(m * h);
  a.l_gb = sp.take(m * 256 * 2);
  a.l_ob = sp.take(m * h * 2);
  a.l_hq = sp.take(m * 128);
  a.l_xs = sp.take(m * (h / 128) * 4);
  a.l_ws[0] = sp.take(kc / 128 * 4);
  a.l_ws[1] = sp.take(kc / 128 * 4);
  a.l_hs = sp.take(m * 4);
  a.l_tokens = sp.take(m * 4);
  a.l_weights = sp.take(m * 4);
  for (const Arena* arena : {&sp, &acc})
    if (!arena->fits())
      throw ExpertMlpError(fmt::format(
          "expert MLP with M={} H={} KC={} needs {} bytes of {}, architecture '{}' has {} (fewer rows or a smaller "
          "k_chunk need less)",
          s.rows, s.hidden, s.k_chunk, arena->next - arena->base, arena->name, cfg.name, arena->end - arena->base));
  return a;
}

uint64_t expert_mlp_hbm_bytes(const ExpertMlpShape& s) {
  const uint64_t t = s.table_rows, h = s.hidden, i = s.inter, m = s.rows;
  const uint64_t weight = i * h + (i / 128) * (h / 128) * 4;
  return align_up(t * h, kAlign) + align_up(t * (h / 128) * 4, kAlign) + 2 * align_up(m * 4, kAlign) +
         3 * align_up(weight, kAlign) + 3 * kAlign + align_up(t * h * 4, kAlign);
}

uint64_t expert_mlp_hbm_base(const arch::ArchConfig& cfg, uint32_t tile) {
  // Slice 0 holds the argument blocks; tile t's tensors are in slice t + 1.
  const arch::Region hbm = arch::hbm_region(cfg);
  const uint64_t slice = hbm.size / (cfg.tiles + 1) / (1u << 20) * (1u << 20);
  return hbm.base + (uint64_t{tile} + 1) * slice;
}

expert_mlp_args write_expert_mlp(sim::SparseMemory& hbm, const arch::ArchConfig& cfg, uint32_t tile,
                                 const ExpertMlpCase& c, const expert_mlp_args& plan) {
  const ExpertMlpShape& s = c.shape;
  const uint64_t base = expert_mlp_hbm_base(cfg, tile);
  if (base + expert_mlp_hbm_bytes(s) > expert_mlp_hbm_base(cfg, tile + 1))
    throw ExpertMlpError(fmt::format("expert MLP tensors ({} bytes) do not fit in tile {}'s share of HBM",
                                     expert_mlp_hbm_bytes(s), tile));
  expert_mlp_args a = plan;
  a.rows = s.rows;
  a.hidden = s.hidden;
  a.inter = s.inter;
  a.table_rows = s.table_rows;
  a.k_chunk = s.k_chunk;
  uint64_t next = base;
  const auto put = [&](std::span<const uint8_t> bytes) {
    const uint64_t at = next;
    hbm.write(at, bytes);
    next = align_up(at + bytes.size(), kAlign);
    return at;
  };
  a.x_codes = put(bytes_of(c.x.codes.data(), static_cast<size_t>(c.x.codes.size())));
  a.x_scales = put(bytes_of(c.x.scales.data(), static_cast<size_t>(c.x.scales.size())));
  a.tokens = put(bytes_of(c.tokens.data(), c.tokens.size()));
  a.weights = put(bytes_of(c.weights.data(), c.weights.size()));
  const auto put_weight = [&](const golden::Fp8Weight& w, uint64_t& codes, uint64_t& scales) {
    codes = put(bytes_of(w.codes.data(), static_cast<size_t>(w.codes.size())));
    scales = put(bytes_of(w.scales.data(), static_cast<size_t>(w.scales.size())));
  };
  put_weight(c.gate, a.gate, a.gate_scales);
  put_weight(c.up, a.up, a.up_scales);
  put_weight(c.down, a.down, a.down_scales);
  a.out = put(bytes_of(c.out.data(), static_cast<size_t>(c.out.size())));
  hbm.write(CADRE_EXPERT_MLP_ARGS + tile * CADRE_EXPERT_MLP_ARGS_STRIDE, bytes_of(&a, 1));
  return a;
}

void write_idle_tile(sim::SparseMemory& hbm, uint32_t tile) {
  const expert_mlp_args idle{};
  hbm.write(CADRE_EXPERT_MLP_ARGS + tile * CADRE_EXPERT_MLP_ARGS_STRIDE, bytes_of(&idle, 1));
}

golden::MatrixF read_expert_mlp_output(sim::SparseMemory& hbm, const expert_mlp_args& a) {
  golden::MatrixF out(static_cast<Index>(a.table_rows), static_cast<Index>(a.hidden));
  hbm.read(a.out, {reinterpret_cast<uint8_t*>(out.data()), static_cast<size_t>(out.size()) * 4});
  return out;
}

}  // namespace cadre::runtime
