// The vector unit alone: every cvec.* command against the golden kernels (or,
// for plain element-wise operations, the numerics routines the golden model
// uses), bit for bit, and its cycles against its documented cost.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "accel_test_util.h"
#include "cadre/cost/cost.h"
#include "cadre/golden/expert_kernels.h"
#include "cadre/golden/routing.h"
#include "cadre/isa/xcadre.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/transcendental.h"
#include "cadre/sim/accel_error.h"
#include "cadre/sim/vector_unit.h"

namespace cadre::test {
namespace {

namespace ops = isa::operands;
using isa::Op;
using cost::vector_sweep_cycles;

constexpr uint64_t kBank = 1u << 18;  // scratchpad bank size of unit_config
constexpr uint64_t kSrc = kSp, kSrc2 = kSp + kBank, kDst = kSp + 2 * kBank, kAux = kSp + 3 * kBank;


golden::MatrixU16 random_bf16(std::mt19937& rng, golden::Index rows, golden::Index cols, float range) {
  golden::MatrixU16 m(rows, cols);
  for (golden::Index i = 0; i < m.size(); ++i) m.data()[i] = num::float_to_bf16(random_floats(rng, 1, -range, range)[0]);
  return m;
}

std::vector<float> to_f32(const golden::MatrixU16& m) {
  std::vector<float> v(static_cast<size_t>(m.size()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = num::bf16_to_float(m.data()[i]);
  return v;
}

TEST(VectorUnit, ElementwiseOpsMatchNumerics) {
  const arch::ArchConfig cfg = unit_config(8, 8, 8);
  LocalRig rig(cfg);
  sim::VectorUnit unit(cfg, rig.memory);
  std::mt19937 rng(4);
  const uint64_t n = 37;
  const std::vector<float> a = random_floats(rng, n, -20, 20), b = random_floats(rng, n, -3, 3);
  rig.put(kSrc, a);
  rig.put(kSrc2, b);
  const uint64_t pair = ops::SrcPair{.src_a = kSrc, .src_b = kSrc2}.encode();
  const uint64_t dst_n = ops::DstCount{.dst = kDst, .n = n}.encode();
  const float scalar = 0.375f;
  struct Case {
    Op op;
    uint64_t rs1, rs2, passes;
  } cases[] = {{Op::VecAdd, pair, dst_n, 1},
               {Op::VecMul, pair, dst_n, 1},
               {Op::VecMulScalar, src_dst(kSrc, kDst), ops::CountScalar{.n = n, .scalar = bits(scalar)}.encode(), 1},
               {Op::VecSigmoid, src_dst(kSrc, kDst), ops::Count{.n = n}.encode(), 2}};
  for (const Case& c : cases) {
    EXPECT_EQ(unit.execute(c.op, c.rs1, c.rs2), vector_sweep_cycles(8, 1, n, c.passes)) << isa::info(c.op).mnemonic;
    const std::vector<float> out = rig.get<float>(kDst, n);
    for (uint64_t i = 0; i < n; ++i) {
      const float expect = c.op == Op::VecAdd ? num::add_rn(a[i], b[i])
                           : c.op == Op::VecMul ? num::mul_rn(a[i], b[i])
                           : c.op == Op::VecMulScalar ? num::mul_rn(a[i], scalar)
                                                      : num::sigmoid_f32(a[i]);
      ASSERT_EQ(bits(out[i]), bits(expect)) << isa::info(c.op).mnemonic << " " << i;
    }
  }
  EXPECT_EQ(unit.stats().commands, 4u);
}

TEST(VectorUnit, ConvertMatchesNumerics) {
  const arch::ArchConfig cfg = unit_config(8, 8, 16);
  LocalRig rig(cfg);
  sim::VectorUnit unit(cfg, rig.memory);
  std::mt19937 rng(5);
  const uint64_t n = 100;
  const std::vector<float> x = random_floats(rng, n, -600, 600);
  rig.put(kSrc, x);
  // FP32 -> BF16 -> FP32 and FP32 -> E4M3 / E5M2 -> FP32.
  for (uint64_t fmt : {1, 2, 3}) {
    const uint64_t bytes = fmt == 1 ? 2 : 1;
    EXPECT_EQ(unit.execute(Op::VecConvert, src_dst(kSrc, kDst),
                           ops::Convert{.n = n, .src_fmt = 0, .dst_fmt = fmt}.encode()),
              vector_sweep_cycles(16, 1, n, 1));
    unit.execute(Op::VecConvert, src_dst(kDst, kAux), ops::Convert{.n = n, .src_fmt = fmt, .dst_fmt = 0}.encode());
    const std::vector<uint8_t> mid = rig.get<uint8_t>(kDst, n * bytes);
    const std::vector<float> back = rig.get<float>(kAux, n);
    for (uint64_t i = 0; i < n; ++i) {
      if (fmt == 1) {
        const uint16_t h = num::float_to_bf16(x[i]);
        ASSERT_EQ(mid[2 * i] | (mid[2 * i + 1] << 8), h);
        ASSERT_EQ(bits(back[i]), bits(num::bf16_to_float(h)));
      } else {
        const auto f = static_cast<num::Format>(fmt);
        ASSERT_EQ(mid[i], num::float_to_fp8(f, x[i])) << fmt << " " << x[i];
        ASSERT_EQ(bits(back[i]), bits(num::fp8_to_float(f, mid[i])));
      }
    }
  }
  EXPECT_THROW(
      unit.execute(Op::VecConvert, src_dst(kSrc, kDst), ops::Convert{.n = n, .src_fmt = 4, .dst_fmt = 0}.encode()),
      sim::AccelError);
}

TEST(VectorUnit, QuantAndSiluMulQuantMatchGolden) {
  const arch::ArchConfig cfg = unit_config(8, 8, 8);
  LocalRig rig(cfg);
  sim::VectorUnit unit(cfg, rig.memory);
  std::mt19937 rng(6);
  // input_quant: BF16 rows to E4M3 with 1x128 scales (300 columns: a partial group).
  const golden::MatrixU16 x = random_bf16(rng, 5, 300, 8.0f);
  const golden::Fp8Activations xq = golden::input_quant(x);
  rig.put(kSrc, to_f32(x));
  unit.execute(Op::VecQuantConfig, ops::QuantConfig{.scales = kAux, .fmt = 2}.encode(), 0);
  EXPECT_EQ(unit.execute(Op::VecQuant, src_dst(kSrc, kDst), rows_cols(5, 300)), vector_sweep_cycles(8, 5, 300, 2));
  EXPECT_EQ(rig.get<uint8_t>(kDst, 5 * 300), std::vector<uint8_t>(xq.codes.data(), xq.codes.data() + xq.codes.size()));
  const std::vector<float> scales = rig.get<float>(kAux, 5 * 3);
  for (size_t i = 0; i < scales.size(); ++i) ASSERT_EQ(bits(scales[i]), bits(xq.scales.data()[i]));

  // silu_mul_quant: rows [gate | up] of the gate_up GEMM's BF16 output.
  const golden::MatrixU16 h = random_bf16(rng, 4, 2 * 200, 6.0f);
  const golden::Fp8Activations act = golden::silu_mul_quant(h, {});
  rig.put(kSrc, to_f32(h));
  EXPECT_EQ(unit.execute(Op::VecSiluMulQuant, src_dst(kSrc, kDst), rows_cols(4, 200)), vector_sweep_cycles(8, 4, 200, 4));
  EXPECT_EQ(rig.get<uint8_t>(kDst, 4 * 200), std::vector<uint8_t>(act.codes.data(), act.codes.data() + act.codes.size()));
  const std::vector<float> act_scales = rig.get<float>(kAux, 4 * 2);
  for (size_t i = 0; i < act_scales.size(); ++i) ASSERT_EQ(bits(act_scales[i]), bits(act.scales.data()[i]));

  // silumul (FP32 out) rounded to BF16 is the golden BF16 path.
  const golden::MatrixU16 expect = golden::silu_mul_bf16(h, {});
  EXPECT_EQ(unit.execute(Op::VecSiluMul, src_dst(kSrc, kDst), rows_cols(4, 200)), vector_sweep_cycles(8, 4, 200, 2));
  const std::vector<float> out = rig.get<float>(kDst, 4 * 200);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(num::float_to_bf16(out[i]), expect.data()[i]) << i;
}

// Scores in local memory (sigmoid or softmax by the unit), then top-k, against golden::topk.
void check_topk(const model::RoutingSpec& spec, uint64_t lanes, uint32_t seed) {
  const arch::ArchConfig cfg = unit_config(8, 8, static_cast<uint32_t>(lanes));
  LocalRig rig(cfg);
  sim::VectorUnit unit(cfg, rig.memory);
  std::mt19937 rng(seed);
  const uint64_t tokens = 9, experts = spec.experts, k = spec.top_k;
  golden::MatrixF logits(static_cast<golden::Index>(tokens), static_cast<golden::Index>(experts));
  const std::vector<float> l = random_floats(rng, tokens * experts, -4, 4);
  std::copy(l.begin(), l.end(), logits.data());
  std::vector<float> bias;
  if (spec.selection_bias) bias = random_floats(rng, experts, -0.1f, 0.1f);
  const golden::TopK expect = golden::topk(spec, logits, bias);

  rig.put(kSrc2, l);
  if (spec.scoring == model::Scoring::Sigmoid)
    unit.execute(Op::VecSigmoid, src_dst(kSrc2, kSrc), ops::Count{.n = tokens * experts}.encode());
  else
    EXPECT_EQ(unit.execute(Op::VecSoftmax, src_dst(kSrc2, kSrc), rows_cols(tokens, experts)),
              vector_sweep_cycles(lanes, tokens, experts, 3));
  if (!bias.empty()) rig.put(kAux, bias);
  const bool grouped = spec.group_score != model::GroupScore::None;
  const uint64_t flags = (spec.normalise ? 1 : 0) | (spec.group_score == model::GroupScore::MaxOfGroup ? 2 : 0) |
                         (spec.norm_epsilon != 0.0f ? 4 : 0);
  unit.execute(Op::VecRouteConfig, ops::RouteConfig{.bias = bias.empty() ? 0 : kAux, .flags = flags}.encode(),
               ops::RouteGroups{.scale = bits(spec.scaling), .n_group = spec.n_group, .topk_group = spec.topk_group}
                   .encode());
  const uint64_t cycles = unit.execute(grouped ? Op::VecGroupTopK : Op::VecTopK, src_dst(kSrc, kDst),
                                       ops::TopK{.rows = tokens, .cols = experts, .k = k}.encode());
  EXPECT_EQ(cycles, vector_sweep_cycles(lanes, tokens, experts, 1 + k + (grouped ? 2 : 0)));
  EXPECT_EQ(rig.get<int32_t>(kDst, tokens * k), std::vector<int32_t>(expect.ids.data(), expect.ids.data() + expect.ids.size()));
  const std::vector<float> w = rig.get<float>(kDst + tokens * k * 4, tokens * k);
  for (size_t i = 0; i < w.size(); ++i) ASSERT_EQ(bits(w[i]), bits(expect.weights.data()[i])) << i;

  // align on the unit's own top-k output, against golden::align.
  const uint64_t block = 4;
  const golden::Alignment al = golden::align(expect, static_cast<uint32_t>(experts), static_cast<uint32_t>(block));
  const uint64_t capacity = tokens * k + experts * (block - 1);
  const uint64_t align_cycles = unit.execute(Op::VecAlign, src_dst(kDst, kSrc2),
      ops::Align{.tokens = tokens, .k = k, .experts = experts, .block = block}.encode());
  EXPECT_EQ(align_cycles, vector_sweep_cycles(lanes, 1, tokens * k, 2) + (capacity + lanes - 1) / lanes);
  EXPECT_EQ(rig.get<int32_t>(kSrc2, experts + 1), al.offsets);
  const uint64_t list = kSrc2 + (experts + 1) * 4;
  std::vector<int32_t> tokens_out = rig.get<int32_t>(list, capacity);
  std::vector<float> weights_out = rig.get<float>(list + capacity * 4, capacity);
  tokens_out.resize(al.tokens.size());
  weights_out.resize(al.row_weights.size());
  EXPECT_EQ(tokens_out, al.tokens);
  for (size_t i = 0; i < weights_out.size(); ++i) ASSERT_EQ(bits(weights_out[i]), bits(al.row_weights[i]));

  // count of the expert numbers.
  EXPECT_EQ(unit.execute(Op::VecCount, src_dst(kDst, kAux + 4096),
                         ops::ExpertCount{.n = tokens * k, .experts = experts}.encode()),
            vector_sweep_cycles(lanes, 1, tokens * k, 1));
  const std::vector<int32_t> counts = rig.get<int32_t>(kAux + 4096, experts);
  for (uint64_t e = 0; e < experts; ++e)
    ASSERT_EQ(counts[e], std::count(expect.ids.data(), expect.ids.data() + expect.ids.size(), static_cast<int32_t>(e)));
}

TEST(VectorUnit, SoftmaxTopkAlignMatchGoldenMixtral) {
  model::RoutingSpec spec;
  spec.scoring = model::Scoring::Softmax;
  spec.experts = 8;
  spec.top_k = 2;
  spec.normalise = true;
  check_topk(spec, 8, 7);
}

TEST(VectorUnit, SigmoidGroupedTopkMatchGoldenDeepSeekV3) {
  model::RoutingSpec spec;
  spec.scoring = model::Scoring::Sigmoid;
  spec.experts = 32;
  spec.top_k = 4;
  spec.n_group = 4;
  spec.topk_group = 2;
  spec.group_score = model::GroupScore::SumOfTop2;
  spec.selection_bias = true;
  spec.normalise = true;
  spec.norm_epsilon = 1e-20f;
  spec.scaling = 2.5f;
  check_topk(spec, 16, 8);
}

TEST(VectorUnit, GroupedByMaxTopkMatchesGoldenDeepSeekV2) {
  model::RoutingSpec spec;
  spec.scoring = model::Scoring::Softmax;
  spec.experts = 16;
  spec.top_k = 3;
  spec.n_group = 4;
  spec.topk_group = 2;
  spec.group_score = model::GroupScore::MaxOfGroup;
  spec.scaling = 16.0f;
  check_topk(spec, 3, 9);
}

TEST(VectorUnit, ErrorsNameTheProblem) {
  const arch::ArchConfig cfg = unit_config(8, 8, 8);
  LocalRig rig(cfg);
  sim::VectorUnit unit(cfg, rig.memory);
  rig.put(kSrc, std::vector<int32_t>{0, 3, 9, 1});
  try {
    unit.execute(Op::VecCount, src_dst(kSrc, kDst), ops::ExpertCount{.n = 4, .experts = 8}.encode());
    FAIL();
  } catch (const sim::AccelError& e) {
    EXPECT_NE(std::string(e.what()).find("expert 9 at index 2 is outside [0, 8)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(unit.execute(Op::VecSoftmax, src_dst(kSp + (1u << 20) - 8, kDst), rows_cols(1, 4)), sim::AccelError);
  EXPECT_THROW(unit.execute(Op::VecTopK, src_dst(kSrc, kDst), ops::TopK{.rows = 1, .cols = 4, .k = 5}.encode()),
               sim::AccelError);
  EXPECT_THROW(unit.execute(Op::VecAdd, 0, ops::DstCount{.dst = kDst, .n = 0}.encode()), sim::AccelError);
}

TEST(VectorUnit, SharedBankIsCostedAndCounted) {
  const arch::ArchConfig cfg = unit_config(8, 8, 8);
  LocalRig rig(cfg);
  sim::VectorUnit unit(cfg, rig.memory);
  // Source and destination in one bank: 2 streams share it, the sweep runs twice.
  const uint64_t cycles = unit.execute(Op::VecMulScalar, src_dst(kSrc, kSrc + 4096),
                                       ops::CountScalar{.n = 64, .scalar = bits(2.0f)}.encode());
  EXPECT_EQ(cycles, vector_sweep_cycles(8, 1, 64, 1) + 8);
  EXPECT_EQ(unit.stats().conflict_cycles, 8u);
}

}  // namespace
}  // namespace cadre::test
