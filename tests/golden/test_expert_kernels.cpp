// input_quant, permute, the expert GEMMs, silu_mul_quant, shared_expert and
// combine on inputs small enough to check by hand.
#include <gtest/gtest.h>

#include "cadre/golden/moe_golden.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/quant.h"
#include "cadre/numerics/transcendental.h"
#include "counting_weights.h"

namespace cadre::golden {
namespace {

using weights::Role;

uint32_t bits(float f) { return num::float_bits(f); }

TEST(GoldenInputQuant, OneScalePerTokenPer128Channels) {
  MatrixU16 x = MatrixU16::Zero(2, 130);
  x(0, 0) = num::float_to_bf16(448);
  x(0, 5) = num::float_to_bf16(-1);
  x(0, 128) = num::float_to_bf16(0.5f);
  x(0, 129) = num::float_to_bf16(-0.25f);
  const Fp8Activations q = input_quant(x);
  ASSERT_EQ(q.codes.cols(), 130);
  ASSERT_EQ(q.scales.cols(), 2);
  EXPECT_EQ(q.scales(0, 0), 1.0f);  // amax 448 / 448
  EXPECT_EQ(q.codes(0, 0), 0x7E);
  EXPECT_EQ(q.codes(0, 5), 0xB8);  // -1
  EXPECT_EQ(q.codes(0, 1), 0x00);
  EXPECT_EQ(q.scales(0, 1), 0.5f / 448);  // the short last group has its own amax
  EXPECT_EQ(q.codes(0, 128), 0x7E);
  EXPECT_EQ(q.codes(0, 129), 0xF6);  // -224 = -1.75 * 2^7
  // An all-zero group takes the amax floor.
  EXPECT_EQ(q.scales(1, 0), num::kAmaxFloor / 448);
  EXPECT_EQ(q.codes(1, 7), 0x00);
}

Fp8Activations two_rows() {
  Fp8Activations a{MatrixU8(2, 3), MatrixF(2, 1)};
  a.codes << 1, 2, 3, 4, 5, 6;
  a.scales << 0.5f, 0.25f;
  return a;
}

TEST(GoldenPermute, GathersRowsAndZeroesPadding) {
  const int32_t tokens[] = {1, -1, 0};
  const Fp8Activations p = permute(two_rows(), tokens);
  EXPECT_EQ(p.codes.row(0), two_rows().codes.row(1));
  EXPECT_EQ(p.codes.row(2), two_rows().codes.row(0));
  EXPECT_EQ(p.scales(0, 0), 0.25f);
  EXPECT_EQ(p.scales(2, 0), 0.5f);
  EXPECT_TRUE((p.codes.row(1).array() == 0).all());
  EXPECT_EQ(bits(p.scales(1, 0)), 0u);  // +0.0

  MatrixU16 x(2, 2);
  x << 10, 11, 20, 21;
  const MatrixU16 b = permute(x, tokens);
  EXPECT_EQ(b.row(0), x.row(1));
  EXPECT_EQ(b.row(2), x.row(0));
  EXPECT_TRUE((b.row(1).array() == 0).all());
}

TEST(GoldenExpertGemm, Fp8BlocksTimesBothScales) {
  // K = 256: two blocks. a = 1.0 everywhere with scales 2 and 4; the weight's
  // row 0 is 1.0 everywhere, row 1 is 1.0 then 2.0, block scales 0.5 and 0.25.
  Fp8Activations a{MatrixU8::Constant(1, 256, 0x38), MatrixF(1, 2)};
  a.scales << 2, 4;
  Fp8Weight w{MatrixU8::Constant(2, 256, 0x38), MatrixF(1, 2)};
  w.codes.rightCols(128).row(1).setConstant(0x40);
  w.scales << 0.5f, 0.25f;
  MatrixU16 out = MatrixU16::Zero(1, 3);
  expert_gemm(a, 0, 1, w, out, 1);
  EXPECT_EQ(out(0, 0), 0);  // columns before col0 untouched
  EXPECT_EQ(num::bf16_to_float(out(0, 1)), 128 * 1 + 128 * 1);
  EXPECT_EQ(num::bf16_to_float(out(0, 2)), 128 * 1 + 256 * 1);
}

TEST(GoldenExpertGemm, Fp8OutputIsRoundedToBf16NearestEven) {
  Fp8Activations a{MatrixU8::Constant(1, 2, 0x38), MatrixF::Constant(1, 1, 1)};
  Fp8Weight w{MatrixU8(2, 2), MatrixF::Constant(1, 1, 1)};
  w.codes << num::float_to_e4m3(256), num::float_to_e4m3(1), num::float_to_e4m3(256), num::float_to_e4m3(3);
  MatrixU16 out(1, 2);
  expert_gemm(a, 0, 1, w, out, 0);
  EXPECT_EQ(num::bf16_to_float(out(0, 0)), 256);  // 257: tie between 256 and 258, even
  EXPECT_EQ(num::bf16_to_float(out(0, 1)), 260);  // 259: tie between 258 and 260, even
}

TEST(GoldenExpertGemm, Bf16SumsInIncreasingK) {
  MatrixU16 a(1, 3), w(1, 3);
  for (Index i = 0; i < 3; ++i) a(0, i) = num::float_to_bf16(1);
  w << num::float_to_bf16(0x1p24f), num::float_to_bf16(1), num::float_to_bf16(-0x1p24f);
  MatrixU16 out(1, 1);
  expert_gemm(a, 0, 1, w, out, 0);
  EXPECT_EQ(out(0, 0), 0);  // (2^24 + 1) - 2^24 with 2^24 + 1 rounded to 2^24: +0
}

TEST(GoldenExpertGemm, RefusesMismatchedShapes) {
  MatrixU16 a(1, 3), w(2, 4), out(1, 2);
  EXPECT_THROW(expert_gemm(a, 0, 1, w, out, 0), std::invalid_argument);
  MatrixU16 w3(2, 3);
  EXPECT_THROW(expert_gemm(a, 0, 1, w3, out, 1), std::invalid_argument);
}

model::MoeLayerSpec small_spec() {
  model::MoeLayerSpec s;
  s.name = "small";
  s.hidden = 256;
  s.expert_width = 192;  // a partial 128-block in the weights' scale grid
  s.routing.experts = 4;
  s.routing.top_k = 2;
  return s;
}

TEST(GoldenGroupedGemm, EachExpertsRowsAgainstItsWeightsOnlyChosenOnesRead) {
  const SyntheticWeights synthetic(weights::SyntheticLayer(small_spec(), 11, 3));
  const test::CountingWeights counted(synthetic);
  TopK t{MatrixI32(3, 2), MatrixF::Ones(3, 2)};
  t.ids << 2, 0, 0, 1, 2, 1;  // expert 3 is not chosen
  const Alignment al = align(t, 4, 4);
  const Fp8Activations rows = permute(input_quant(synthetic.bf16({Role::Input})), al.tokens);
  const MatrixU16 h = gate_up_gemm(rows, al, counted);
  const Fp8Activations act = silu_mul_quant(h, al.tokens);
  const MatrixU16 y = down_gemm(act, al, counted);
  for (uint32_t e = 0; e < 3; ++e) {
    EXPECT_EQ(counted.reads(Role::ExpertGate, e), 1);
    EXPECT_EQ(counted.reads(Role::ExpertUp, e), 1);
    EXPECT_EQ(counted.reads(Role::ExpertDown, e), 1);
  }
  EXPECT_EQ(counted.reads(Role::ExpertGate, 3) + counted.reads(Role::ExpertDown, 3), 0);

  // Every row, padding included, computed directly (no copying of padding rows).
  for (uint32_t e = 0; e < 3; ++e) {
    const Index begin = al.offsets[e], end = al.offsets[e + 1];
    MatrixU16 h_e(h.rows(), h.cols()), y_e(y.rows(), y.cols());
    expert_gemm(rows, begin, end, synthetic.fp8({Role::ExpertGate, e}), h_e, 0);
    expert_gemm(rows, begin, end, synthetic.fp8({Role::ExpertUp, e}), h_e, 192);
    expert_gemm(act, begin, end, synthetic.fp8({Role::ExpertDown, e}), y_e, 0);
    EXPECT_EQ(h.middleRows(begin, end - begin), h_e.middleRows(begin, end - begin)) << "expert " << e;
    EXPECT_EQ(y.middleRows(begin, end - begin), y_e.middleRows(begin, end - begin)) << "expert " << e;
  }
}

TEST(GoldenSiluMulQuant, Fp8RowsAsTheFusedRoutineAndZeroPadding) {
  MatrixU16 h(3, 260);  // W = 130: groups of 128 and 2
  for (Index r = 0; r < 3; ++r)
    for (Index c = 0; c < 260; ++c)
      h(r, c) = num::float_to_bf16(static_cast<float>((r * 260 + c) % 37) * 0.25f - 4.0f);
  h.row(2).setZero();
  const int32_t tokens[] = {0, -1, 1};
  const Fp8Activations a = silu_mul_quant(h, tokens);
  ASSERT_EQ(a.scales.cols(), 2);
  float gate[130], up[130], scales[2];
  uint8_t codes[130];
  for (Index j = 0; j < 130; ++j) gate[j] = num::bf16_to_float(h(0, j)), up[j] = num::bf16_to_float(h(0, 130 + j));
  num::silu_mul_quantize_row(num::Format::E4M3, gate, up, 130, codes, scales);
  for (Index j = 0; j < 130; ++j) EXPECT_EQ(a.codes(0, j), codes[j]) << j;
  EXPECT_EQ(a.scales(0, 0), scales[0]);
  EXPECT_EQ(a.scales(0, 1), scales[1]);
  // Padding: zero codes, scale +0.0. A real all-zero row: the amax floor.
  EXPECT_TRUE((a.codes.row(1).array() == 0).all());
  EXPECT_EQ(bits(a.scales(1, 0)), 0u);
  EXPECT_EQ(bits(a.scales(1, 1)), 0u);
  EXPECT_EQ(a.scales(2, 0), num::kAmaxFloor / 448);
}

TEST(GoldenSiluMulQuant, Bf16RoundsTheFp32Product) {
  MatrixU16 h(2, 2);
  h << num::float_to_bf16(1), num::float_to_bf16(2), num::float_to_bf16(-3), num::float_to_bf16(0.5f);
  const int32_t tokens[] = {0, -1};
  const MatrixU16 a = silu_mul_bf16(h, tokens);
  EXPECT_EQ(a(0, 0), num::float_to_bf16(num::mul_rn(num::silu_f32(1), 2)));
  EXPECT_EQ(a(1, 0), 0);
  EXPECT_EQ(silu_mul_bf16(h, {})(1, 0), num::float_to_bf16(num::mul_rn(num::silu_f32(-3), 0.5f)));
}

// A layer whose Qwen shared-expert gate weights are all zero: sigmoid(0) = 0.5.
class ZeroGate final : public LayerWeights {
 public:
  ZeroGate(const LayerWeights& inner, model::MoeLayerSpec spec) : inner_(inner), spec_(std::move(spec)) {}
  const model::MoeLayerSpec& spec() const override { return spec_; }
  uint32_t tokens() const override { return inner_.tokens(); }
  MatrixU16 bf16(weights::TensorRef t) const override {
    return t.role == Role::SharedExpertGate ? MatrixU16::Zero(1, spec_.hidden) : inner_.bf16(t);
  }
  MatrixF fp32(weights::TensorRef t) const override { return inner_.fp32(t); }
  Fp8Weight fp8(weights::TensorRef t) const override { return inner_.fp8(t); }

 private:
  const LayerWeights& inner_;
  model::MoeLayerSpec spec_;
};

TEST(GoldenSharedExpert, QwenGateScalesTheOutput) {
  model::MoeLayerSpec spec = small_spec();
  spec.shared.width = 256;
  const SyntheticWeights synthetic(weights::SyntheticLayer(spec, 5, 4));
  const MatrixU16 x = synthetic.bf16({Role::Input});
  const Fp8Activations x_q = input_quant(x);
  const MatrixU16 plain = shared_expert(synthetic, x, x_q);
  const MatrixU16 plain_bf16 = shared_expert(synthetic, x);
  spec.shared.sigmoid_gate = true;
  const ZeroGate gated(synthetic, spec);
  const MatrixU16 halved = shared_expert(gated, x, x_q), halved_bf16 = shared_expert(gated, x);
  ASSERT_EQ(plain.rows(), 4);
  ASSERT_EQ(plain.cols(), 256);
  for (Index t = 0; t < 4; ++t)
    for (Index h = 0; h < 256; ++h) {
      // Halving is exact at these magnitudes.
      EXPECT_EQ(num::bf16_to_float(halved(t, h)), num::bf16_to_float(plain(t, h)) / 2);
      EXPECT_EQ(num::bf16_to_float(halved_bf16(t, h)), num::bf16_to_float(plain_bf16(t, h)) / 2);
    }
  EXPECT_EQ(shared_expert(SyntheticWeights(weights::SyntheticLayer(small_spec(), 5, 4)), x).size(), 0);
}

uint16_t bf(float f) { return num::float_to_bf16(f); }

TEST(GoldenCombine, AddsInIncreasingExpertNumberFromTheSharedOutput) {
  // Token 0 chose expert 3 (slot 0) then expert 1 (slot 1); block 1, so rows are
  // [expert 1, expert 3]. From shared 1.0: (1 + -1) + 2^-30 = 2^-30, whereas slot
  // order would give (1 + 2^-30) + -1 = 0.
  Alignment al{{0, 0, 1, 1, 2}, {0, 0}, {1.0f, 1.0f}};
  MatrixU16 down(2, 1), shared(1, 1);
  down << bf(-1), bf(0x1p-30f);
  shared << bf(1);
  EXPECT_EQ(num::bf16_to_float(combine(al, down, shared, 1, 1)(0, 0)), 0x1p-30f);
}

TEST(GoldenCombine, RoundsTheProductBeforeTheAdd) {
  // w * y = (1 + 2^-23)(1 + 2^-7) = 1 + 2^-7 + 2^-23 + 2^-30 rounds to drop 2^-30;
  // added to -(1 + 2^-7) that leaves 2^-23. A fused multiply-add would keep
  // 2^-23 + 2^-30, which BF16 can hold.
  Alignment al{{0, 1}, {0}, {1.0f + 0x1p-23f}};
  MatrixU16 down(1, 1), shared(1, 1);
  down << bf(1.0f + 0x1p-7f);
  shared << bf(-(1.0f + 0x1p-7f));
  EXPECT_EQ(num::bf16_to_float(combine(al, down, shared, 1, 1)(0, 0)), 0x1p-23f);
}

TEST(GoldenCombine, StartsFromPlusZeroWithoutSharedExpertsAndSkipsPadding) {
  Alignment al{{0, 2}, {0, -1}, {1.0f, 0.0f}};
  MatrixU16 down(2, 1);
  down << bf(-0.0f), bf(5);
  const MatrixU16 out = combine(al, down, MatrixU16(), 1, 1);
  EXPECT_EQ(out(0, 0), 0x0000);  // +0 + -0 = +0; the padding row adds nothing
}

}  // namespace
}  // namespace cadre::golden
