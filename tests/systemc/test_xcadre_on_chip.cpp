// Every matrix and vector instruction on a whole chip, issued by a small
// hand-assembled program (the project's encoder): the tile's local memory
// after the run against the golden kernels (or the numerics routines they
// use) bit for bit, and the compute queue's busy cycles against the
// documented cost (docs/accelerator.md, "Matrix engine" and "Vector unit").
// The units alone are tested in test_matrix_engine and test_vector_unit;
// this is the path a program takes: decode, dispatch, queue, unit.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <random>

#include "accel_test_util.h"
#include "cadre/cost/cost.h"
#include "cadre/golden/expert_kernels.h"
#include "cadre/golden/routing.h"
#include "cadre/isa/xcadre.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/gemm.h"
#include "cadre/numerics/quant.h"
#include "cadre/numerics/softmax.h"
#include "cadre/numerics/transcendental.h"
#include "cadre/sim/matrix_engine.h"
#include "cadre/sim/vector_unit.h"
#include "xcadre_program.h"

namespace cadre::test {
namespace {

namespace ops = isa::operands;
using isa::Op;
using cost::vector_sweep_cycles;

// The small preset: 8 lanes, an 8 x 8 array, a 64 KiB scratchpad in four
// 16 KiB banks. Each operand gets its own bank, so no command conflicts.
constexpr uint64_t kBank = 16384;
constexpr uint64_t kIn = kSp, kIn2 = kSp + kBank, kOut = kSp + 2 * kBank, kAux = kSp + 3 * kBank;
constexpr uint64_t kLanes = 8, kArray = 8;

struct Command {
  Op op;
  uint64_t rs1, rs2;
};

struct Bytes {
  uint64_t addr;
  std::vector<uint8_t> bytes;
};

template <class T>
Bytes at(uint64_t addr, const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return {addr, b};
}

// FP32 rows in local memory (`stride` bytes apart) whose BF16 rounding is a
// golden kernel's BF16 output.
struct Bf16Rows {
  uint64_t addr;
  uint64_t stride;
  golden::MatrixU16 values;
};

// One instruction under test: what local memory holds before, the commands
// (the instruction and the configuration it needs), what local memory must
// hold after, and the documented cycles of all the commands.
struct OnChipCase {
  std::string name;
  Op op;
  std::vector<Bytes> inputs;
  std::vector<Command> commands;
  std::vector<Bytes> expected;
  uint64_t cycles = 0;
  std::vector<Bf16Rows> golden_bf16;
};

uint64_t quant_config(uint64_t scales, num::Format f) {
  return ops::QuantConfig{.scales = scales, .fmt = static_cast<uint64_t>(f)}.encode();
}

std::vector<float> bf16_values(std::mt19937& rng, size_t n, float range) {
  std::vector<float> v = random_floats(rng, n, -range, range);
  for (float& x : v) x = num::bf16_to_float(num::float_to_bf16(x));
  return v;
}

golden::MatrixU16 to_bf16_matrix(const std::vector<float>& v, golden::Index rows, golden::Index cols) {
  golden::MatrixU16 m(rows, cols);
  for (golden::Index i = 0; i < m.size(); ++i) m.data()[i] = num::float_to_bf16(v[static_cast<size_t>(i)]);
  return m;
}

template <class T, class M>
std::vector<T> flat(const M& m) {
  return std::vector<T>(m.data(), m.data() + m.size());
}

// ---- Vector unit ----

OnChipCase elementwise(Op op) {
  std::mt19937 rng(static_cast<uint32_t>(op));
  const uint64_t n = 37;
  const std::vector<float> a = random_floats(rng, n, -20, 20), b = random_floats(rng, n, -3, 3);
  const float scalar = -0.375f;
  std::vector<float> want(n);
  OnChipCase c{std::string(isa::info(op).mnemonic), op, {at(kIn, a), at(kIn2, b)}, {}, {}, 0, {}};
  uint64_t passes = 1;
  switch (op) {
    case Op::VecAdd:
    case Op::VecMul:
      c.commands = {{op, ops::SrcPair{.src_a = kIn, .src_b = kIn2}.encode(),
                     ops::DstCount{.dst = kOut, .n = n}.encode()}};
      for (uint64_t i = 0; i < n; ++i) want[i] = op == Op::VecAdd ? num::add_rn(a[i], b[i]) : num::mul_rn(a[i], b[i]);
      break;
    case Op::VecMulScalar:
      c.commands = {{op, src_dst(kIn, kOut), ops::CountScalar{.n = n, .scalar = bits(scalar)}.encode()}};
      for (uint64_t i = 0; i < n; ++i) want[i] = num::mul_rn(a[i], scalar);
      break;
    default:  // cvec.sigmoid: exponential, then divide
      c.commands = {{op, src_dst(kIn, kOut), ops::Count{.n = n}.encode()}};
      for (uint64_t i = 0; i < n; ++i) want[i] = num::sigmoid_f32(a[i]);
      passes = 2;
  }
  c.expected = {at(kOut, want)};
  c.cycles = vector_sweep_cycles(kLanes, 1, n, passes);
  return c;
}

OnChipCase convert(num::Format dst) {
  std::mt19937 rng(10 + static_cast<uint32_t>(dst));
  const uint64_t n = 100;
  const std::vector<float> x = random_floats(rng, n, -600, 600);
  std::vector<uint8_t> want;
  for (const float v : x) {
    if (dst == num::Format::BF16) {
      const uint16_t h = num::float_to_bf16(v);
      want.push_back(static_cast<uint8_t>(h));
      want.push_back(static_cast<uint8_t>(h >> 8));
    } else {
      want.push_back(num::float_to_fp8(dst, v));
    }
  }
  const uint64_t cvt = ops::Convert{.n = n, .src_fmt = 0, .dst_fmt = static_cast<uint64_t>(dst)}.encode();
  return {fmt::format("cvec.cvt to {}", num::info(dst).name), Op::VecConvert, {at(kIn, x)},
          {{Op::VecConvert, src_dst(kIn, kOut), cvt}}, {{kOut, want}}, vector_sweep_cycles(kLanes, 1, n, 1), {}};
}

// BF16 rows quantised to FP8 groups of 128 (300 columns: a partial group),
// the golden input_quant; with E5M2 the q.cfg format is what decides.
OnChipCase quant(Op op, num::Format f) {
  std::mt19937 rng(20);
  const golden::Index rows = 5, cols = 300;
  const std::vector<float> x = bf16_values(rng, rows * cols, 8.0f);
  std::vector<uint8_t> codes(rows * cols);
  std::vector<float> scales(rows * 3);
  if (f == num::Format::E4M3) {
    const golden::Fp8Activations q = golden::input_quant(to_bf16_matrix(x, rows, cols));
    codes = flat<uint8_t>(q.codes);
    scales = flat<float>(q.scales);
  } else {
    for (golden::Index r = 0; r < rows; ++r)
      num::quantize_row_1x128(f, &x[r * cols], cols, &codes[r * cols], &scales[r * 3]);
  }
  return {fmt::format("{} {}", isa::info(op).mnemonic, num::info(f).name), op, {at(kIn, x)},
          {{Op::VecQuantConfig, quant_config(kAux, f), 0}, {Op::VecQuant, src_dst(kIn, kOut), rows_cols(rows, cols)}},
          {{kOut, codes}, at(kAux, scales)}, 1 + vector_sweep_cycles(kLanes, rows, cols, 2), {}};
}

OnChipCase softmax() {
  std::mt19937 rng(30);
  const uint64_t rows = 9, cols = 13;
  const std::vector<float> x = random_floats(rng, rows * cols, -6, 6);
  std::vector<float> want(rows * cols);
  for (uint64_t r = 0; r < rows; ++r) num::softmax_row(&x[r * cols], cols, &want[r * cols]);
  return {"cvec.softmax", Op::VecSoftmax, {at(kIn, x)}, {{Op::VecSoftmax, src_dst(kIn, kOut), rows_cols(rows, cols)}},
          {at(kOut, want)}, vector_sweep_cycles(kLanes, rows, cols, 3), {}};
}

// Rows [gate | up] of a gate_up GEMM's BF16 output: silu(gate) * up in FP32
// (its BF16 rounding is golden::silu_mul_bf16), or quantised (golden::silu_mul_quant).
OnChipCase silu_mul(bool quantised) {
  std::mt19937 rng(40);
  const golden::Index rows = 4, cols = 200;
  const std::vector<float> h = bf16_values(rng, rows * 2 * cols, 6.0f);
  const golden::MatrixU16 hm = to_bf16_matrix(h, rows, 2 * cols);
  if (quantised) {
    const golden::Fp8Activations act = golden::silu_mul_quant(hm, {});
    return {"cvec.silumul.q", Op::VecSiluMulQuant, {at(kIn, h)},
            {{Op::VecQuantConfig, quant_config(kAux, num::Format::E4M3), 0},
             {Op::VecSiluMulQuant, src_dst(kIn, kOut), rows_cols(rows, cols)}},
            {at(kOut, flat<uint8_t>(act.codes)), at(kAux, flat<float>(act.scales))},
            1 + vector_sweep_cycles(kLanes, rows, cols, 4), {}};
  }
  std::vector<float> want(rows * cols);
  for (golden::Index r = 0; r < rows; ++r)
    for (golden::Index j = 0; j < cols; ++j)
      want[r * cols + j] = num::mul_rn(num::silu_f32(h[r * 2 * cols + j]), h[r * 2 * cols + cols + j]);
  OnChipCase c{"cvec.silumul", Op::VecSiluMul, {at(kIn, h)}, {{Op::VecSiluMul, src_dst(kIn, kOut), rows_cols(rows, cols)}},
               {at(kOut, want)}, vector_sweep_cycles(kLanes, rows, cols, 2), {}};
  c.golden_bf16 = {{kOut, cols * 4, golden::silu_mul_bf16(hm, {})}};
  return c;
}

// Routing scores as golden::topk computes them from the logits.
std::vector<float> scores_of(const model::RoutingSpec& spec, const std::vector<float>& logits, uint64_t tokens) {
  std::vector<float> s(logits.size());
  const uint64_t e = spec.experts;
  for (uint64_t t = 0; t < tokens; ++t) {
    if (spec.scoring == model::Scoring::Sigmoid)
      for (uint64_t j = 0; j < e; ++j) s[t * e + j] = num::sigmoid_f32(logits[t * e + j]);
    else
      num::softmax_row(&logits[t * e], e, &s[t * e]);
  }
  return s;
}

struct Routed {
  std::vector<float> logits, bias;
  golden::TopK topk;
};

Routed route(const model::RoutingSpec& spec, uint64_t tokens, uint32_t seed) {
  std::mt19937 rng(seed);
  Routed r;
  r.logits = random_floats(rng, tokens * spec.experts, -4, 4);
  if (spec.selection_bias) r.bias = random_floats(rng, spec.experts, -0.1f, 0.1f);
  golden::MatrixF logits(static_cast<golden::Index>(tokens), static_cast<golden::Index>(spec.experts));
  std::copy(r.logits.begin(), r.logits.end(), logits.data());
  r.topk = golden::topk(spec, logits, r.bias);
  return r;
}

// cvec.route.cfg, then cvec.topk or cvec.gtopk on the scores: expert ids,
// then routing weights, against golden::topk.
OnChipCase topk(std::string name, Op tested, const model::RoutingSpec& spec) {
  const uint64_t tokens = 9, k = spec.top_k;
  const Routed r = route(spec, tokens, static_cast<uint32_t>(spec.experts + k));
  const bool grouped = spec.group_score != model::GroupScore::None;
  const uint64_t flags = (spec.normalise ? 1 : 0) | (spec.group_score == model::GroupScore::MaxOfGroup ? 2 : 0) |
                         (spec.norm_epsilon != 0.0f ? 4 : 0);
  OnChipCase c{std::move(name), tested, {at(kIn, scores_of(spec, r.logits, tokens))}, {}, {}, 0, {}};
  if (!r.bias.empty()) c.inputs.push_back(at(kAux, r.bias));
  c.commands = {
      {Op::VecRouteConfig, ops::RouteConfig{.bias = r.bias.empty() ? 0 : kAux, .flags = flags}.encode(),
       ops::RouteGroups{.scale = bits(spec.scaling), .n_group = spec.n_group, .topk_group = spec.topk_group}
           .encode()},
      {grouped ? Op::VecGroupTopK : Op::VecTopK, src_dst(kIn, kOut),
       ops::TopK{.rows = tokens, .cols = spec.experts, .k = k}.encode()}};
  c.expected = {at(kOut, flat<int32_t>(r.topk.ids)), at(kOut + tokens * k * 4, flat<float>(r.topk.weights))};
  c.cycles = 1 + vector_sweep_cycles(kLanes, tokens, spec.experts, 1 + k + (grouped ? 2 : 0));
  return c;
}

model::RoutingSpec mixtral() {
  model::RoutingSpec s;
  s.scoring = model::Scoring::Softmax;
  s.experts = 8;
  s.top_k = 2;
  s.normalise = true;
  return s;
}

// Sigmoid scores with a selection bias, normalised with the epsilon and
// scaled: every field of cvec.route.cfg but the groups.
model::RoutingSpec biased_sigmoid() {
  model::RoutingSpec s;
  s.scoring = model::Scoring::Sigmoid;
  s.experts = 16;
  s.top_k = 3;
  s.selection_bias = true;
  s.normalise = true;
  s.norm_epsilon = 1e-20f;
  s.scaling = 2.5f;
  return s;
}

model::RoutingSpec deepseek_v3() {
  model::RoutingSpec s = biased_sigmoid();
  s.experts = 32;
  s.top_k = 4;
  s.n_group = 4;
  s.topk_group = 2;
  s.group_score = model::GroupScore::SumOfTop2;
  return s;
}

// cvec.count and cvec.align on a golden top-k's ids (and weights).
OnChipCase count_or_align(Op op) {
  const model::RoutingSpec spec = mixtral();
  const uint64_t tokens = 11, k = spec.top_k, e = spec.experts, block = 4;
  const Routed r = route(spec, tokens, 50);
  const std::vector<int32_t> ids = flat<int32_t>(r.topk.ids);
  OnChipCase c{std::string(isa::info(op).mnemonic), op, {at(kIn, ids), at(kIn + tokens * k * 4, flat<float>(r.topk.weights))}, {}, {}, 0, {}};
  if (op == Op::VecCount) {
    std::vector<int32_t> counts(e);
    for (const int32_t id : ids) ++counts[static_cast<size_t>(id)];
    c.commands = {{op, src_dst(kIn, kOut), ops::ExpertCount{.n = tokens * k, .experts = e}.encode()}};
    c.expected = {at(kOut, counts)};
    c.cycles = vector_sweep_cycles(kLanes, 1, tokens * k, 1);
    return c;
  }
  const golden::Alignment al = golden::align(r.topk, static_cast<uint32_t>(e), static_cast<uint32_t>(block));
  const uint64_t capacity = tokens * k + e * (block - 1);
  const uint64_t list = kOut + (e + 1) * 4;
  c.commands = {{op, src_dst(kIn, kOut), ops::Align{.tokens = tokens, .k = k, .experts = e, .block = block}.encode()}};
  c.expected = {at(kOut, al.offsets), at(list, al.tokens), at(list + capacity * 4, al.row_weights)};
  c.cycles = vector_sweep_cycles(kLanes, 1, tokens * k, 2) + (capacity + kLanes - 1) / kLanes;
  return c;
}

// ---- Matrix engine ----

struct Gemm {
  uint64_t m, n, k;
};

uint64_t mm_cycles(const Gemm& g) { return cost::ws_timing(kArray, kArray, g.m, g.n, g.k).total(); }

// E4M3 x E4M3 with block scales: cmx.cfg, cmx.preload, cmx.mm, then (for
// cmx.mm.acc) a second A accumulated onto the first product.
OnChipCase fp8_gemm(Op tested) {
  std::mt19937 rng(60 + static_cast<uint32_t>(tested));
  const Gemm g{6, 20, 300};
  const uint64_t kb = 3;
  const bool acc = tested == Op::MatrixMulAcc;
  std::uniform_int_distribution<int> code(0, 255);
  auto codes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& x : v) {
      x = static_cast<uint8_t>(code(rng));
      if ((x & 0x7F) == 0x7F) x ^= 1;  // no NaN codes, so the sums mean something
    }
    return v;
  };
  const std::vector<uint8_t> a = codes(g.m * g.k), a2 = codes(g.m * g.k), b = codes(g.n * g.k);
  const std::vector<float> sa = random_floats(rng, g.m * kb, 0.01f, 0.02f), sa2 = random_floats(rng, g.m * kb, 0.01f, 0.02f);
  const std::vector<float> sb = random_floats(rng, kb, 0.01f, 0.02f);  // one 128 x 128 block row of B (n <= 128)
  // Each stream of a cmx.mm in its own bank: A (both) in bank 0, their scales
  // in bank 1, B in bank 2, B's scales in bank 3, C in the accumulator.
  const uint64_t kA = kIn, kA2 = kIn + 4096, kSa = kIn2, kSa2 = kIn2 + 4096, kB = kOut, kSb = kAux;
  std::vector<float> want(g.m * g.n);
  const num::Fp8Operand ob{num::Format::E4M3, b.data(), g.k, sb.data(), 128, kb, 1};
  num::gemm_fp8(g.m, g.n, g.k, {num::Format::E4M3, a.data(), g.k, sa.data(), 1, kb, 1}, ob, want.data(), g.n, false);
  if (acc) num::gemm_fp8(g.m, g.n, g.k, {num::Format::E4M3, a2.data(), g.k, sa2.data(), 1, kb, 1}, ob, want.data(), g.n, true);
  // The golden expert GEMM (BF16 out) of the first product.
  golden::Fp8Activations ga;
  ga.codes.resize(static_cast<golden::Index>(g.m), static_cast<golden::Index>(g.k));
  ga.scales.resize(static_cast<golden::Index>(g.m), static_cast<golden::Index>(kb));
  std::copy(a.begin(), a.end(), ga.codes.data());
  std::copy(sa.begin(), sa.end(), ga.scales.data());
  golden::Fp8Weight gw;
  gw.codes.resize(static_cast<golden::Index>(g.n), static_cast<golden::Index>(g.k));
  gw.scales.resize(1, static_cast<golden::Index>(kb));
  std::copy(b.begin(), b.end(), gw.codes.data());
  std::copy(sb.begin(), sb.end(), gw.scales.data());
  golden::MatrixU16 expect(static_cast<golden::Index>(g.m), static_cast<golden::Index>(g.n));
  golden::expert_gemm(ga, 0, static_cast<golden::Index>(g.m), gw, expect, 0);

  OnChipCase c{std::string(isa::info(tested).mnemonic), tested, {at(kA, a), at(kSa, sa), at(kA2, a2), at(kSa2, sa2), at(kB, b), at(kSb, sb)}, {}, {}, 0, {}};
  if (!acc) c.golden_bf16 = {{kAcc, g.n * 4, expect}};
  const uint64_t e4m3 = static_cast<uint64_t>(num::Format::E4M3);
  c.commands = {{Op::MatrixConfig, ops::MatrixFormats{.a_fmt = e4m3, .b_fmt = e4m3}.encode(), 0},
                {Op::MatrixPreload, ops::TileWithScales{.tile = kB, .scales = kSb}.encode(),
                 ops::WeightShape{.k = g.k, .n = g.n}.encode()},
                {Op::MatrixMul, ops::TileWithScales{.tile = kA, .scales = kSa}.encode(),
                 ops::MatmulOut{.acc = kAcc, .m = g.m}.encode()}};
  if (acc)
    c.commands.push_back({Op::MatrixMulAcc, ops::TileWithScales{.tile = kA2, .scales = kSa2}.encode(),
                          ops::MatmulOut{.acc = kAcc, .m = g.m}.encode()});
  c.expected = {at(kAcc, want)};
  c.cycles = 1 + 1 + mm_cycles(g) * (acc ? 2 : 1);
  return c;
}

// BF16 x BF16 with the cmx.cfg strides: A rows 128 bytes apart, B rows 100,
// C rows 16 floats apart in the accumulator (left columns of a wider C).
OnChipCase bf16_gemm() {
  std::mt19937 rng(70);
  const Gemm g{7, 12, 45};
  const uint64_t a_stride = 128, b_stride = 100, c_stride = 64;
  const std::vector<float> a = bf16_values(rng, g.m * g.k, 2.0f), b = bf16_values(rng, g.n * g.k, 2.0f);
  const golden::MatrixU16 am = to_bf16_matrix(a, 7, 45), bm = to_bf16_matrix(b, 12, 45);
  golden::MatrixU16 expect(7, 12);
  golden::expert_gemm(am, 0, 7, bm, expect, 0);
  std::vector<float> want(g.m * g.n);
  num::gemm_bf16(g.m, g.n, g.k, am.data(), g.k, bm.data(), g.k, want.data(), g.n, false);
  OnChipCase c{"cmx.cfg bf16 strided", Op::MatrixConfig, {}, {}, {}, 0, {{kAcc, c_stride, expect}}};
  for (golden::Index r = 0; r < 7; ++r)
    c.inputs.push_back(at(kIn + a_stride * static_cast<uint64_t>(r), std::vector<uint16_t>(&am(r, 0), &am(r, 0) + 45)));
  for (golden::Index r = 0; r < 12; ++r)
    c.inputs.push_back(at(kIn2 + b_stride * static_cast<uint64_t>(r), std::vector<uint16_t>(&bm(r, 0), &bm(r, 0) + 45)));
  const uint64_t bf16 = static_cast<uint64_t>(num::Format::BF16);
  c.commands = {{Op::MatrixConfig, ops::MatrixFormats{.a_fmt = bf16, .b_fmt = bf16, .c_stride = c_stride}.encode(),
                 ops::OperandStrides{.a_stride = a_stride, .b_stride = b_stride}.encode()},
                {Op::MatrixPreload, ops::TileWithScales{.tile = kIn2}.encode(),
                 ops::WeightShape{.k = g.k, .n = g.n}.encode()},
                {Op::MatrixMul, ops::TileWithScales{.tile = kIn}.encode(),
                 ops::MatmulOut{.acc = kAcc, .m = g.m}.encode()}};
  for (uint64_t r = 0; r < g.m; ++r) {
    const std::vector<float> row(want.begin() + static_cast<std::ptrdiff_t>(r * g.n), want.begin() + static_cast<std::ptrdiff_t>((r + 1) * g.n));
    c.expected.push_back(at(kAcc + r * c_stride, row));
  }
  c.cycles = 1 + 1 + mm_cycles(g);
  return c;
}

std::vector<OnChipCase> all_cases() {
  std::vector<OnChipCase> cases;
  for (const Op op : {Op::VecAdd, Op::VecMul, Op::VecMulScalar, Op::VecSigmoid}) cases.push_back(elementwise(op));
  for (const num::Format f : {num::Format::BF16, num::Format::E4M3, num::Format::E5M2}) cases.push_back(convert(f));
  cases.push_back(quant(Op::VecQuant, num::Format::E4M3));
  cases.push_back(quant(Op::VecQuantConfig, num::Format::E5M2));
  cases.push_back(softmax());
  cases.push_back(silu_mul(false));
  cases.push_back(silu_mul(true));
  cases.push_back(topk("cvec.topk mixtral", Op::VecTopK, mixtral()));
  cases.push_back(topk("cvec.route.cfg biased sigmoid", Op::VecRouteConfig, biased_sigmoid()));
  cases.push_back(topk("cvec.gtopk deepseek-v3", Op::VecGroupTopK, deepseek_v3()));
  cases.push_back(count_or_align(Op::VecCount));
  cases.push_back(count_or_align(Op::VecAlign));
  cases.push_back(fp8_gemm(Op::MatrixPreload));
  cases.push_back(fp8_gemm(Op::MatrixMul));
  cases.push_back(fp8_gemm(Op::MatrixMulAcc));
  cases.push_back(bf16_gemm());
  return cases;
}

// gtest prints a case by its name, not its bytes.
void PrintTo(const OnChipCase& c, std::ostream* os) { *os << c.name; }

std::string test_name(const testing::TestParamInfo<OnChipCase>& info) {
  std::string s = info.param.name;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

class XcadreOnChip : public testing::TestWithParam<OnChipCase> {};

TEST_P(XcadreOnChip, BitExactWithItsDocumentedCycles) {
  const OnChipCase& c = GetParam();
  XcadreProgram p;
  for (const Command& cmd : c.commands) p.issue(cmd.op, cmd.rs1, cmd.rs2);
  XcadreRig rig(config(1), p.finish());
  sim::LocalMemory& memory = rig.chip.accelerator(0).memory();
  for (const Bytes& in : c.inputs) memory.write(in.addr, in.bytes);
  rig.run();
  for (const Bytes& want : c.expected) {
    const std::vector<uint8_t> got = memory.read_bytes(want.addr, want.bytes.size());
    const auto diff = std::mismatch(got.begin(), got.end(), want.bytes.begin());
    EXPECT_TRUE(diff.first == got.end()) << c.name << ": byte " << (diff.first - got.begin()) << " of the "
                                          << want.bytes.size() << " at " << std::hex << want.addr << " differs";
  }
  for (const Bf16Rows& want : c.golden_bf16)
    for (golden::Index r = 0; r < want.values.rows(); ++r) {
      const std::vector<float> row = memory.read_f32(want.addr + static_cast<uint64_t>(r) * want.stride,
                                                     static_cast<uint64_t>(want.values.cols()));
      for (golden::Index j = 0; j < want.values.cols(); ++j)
        ASSERT_EQ(num::float_to_bf16(row[static_cast<size_t>(j)]), want.values(r, j)) << c.name << ": golden row " << r << " column " << j;
    }
  EXPECT_EQ(rig.busy_cycles(isa::Queue::Compute), c.cycles);
  const sim::AcceleratorStats stats = rig.chip.accelerator(0).stats();
  EXPECT_EQ(stats.local_memory.conflicts, 0u);
}

INSTANTIATE_TEST_SUITE_P(EveryInstruction, XcadreOnChip, testing::ValuesIn(all_cases()), test_name);

// The table is the list: a new matrix or vector instruction without a case here fails.
TEST(XcadreOnChipCoverage, EveryMatrixAndVectorInstructionHasACase) {
  const std::vector<OnChipCase> cases = all_cases();
  for (const isa::InsnInfo& insn : isa::xcadre_table()) {
    if (insn.major != isa::Major::Custom1 && insn.major != isa::Major::Custom2) continue;
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [&](const OnChipCase& c) { return c.op == insn.op; }))
        << insn.mnemonic << " has no on-chip case";
  }
}

}  // namespace
}  // namespace cadre::test
