// Softmax, 1x128 group quantisation and fused SiLU-and-mul quantisation, against
// the formulas of docs/numerics.md written out step by step.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cadre/numerics/quant.h"
#include "cadre/numerics/softmax.h"

namespace cadre::num {
namespace {

TEST(NumericsRowOps, SoftmaxFollowsTheFixedOrder) {
  std::mt19937 rng(5);
  std::normal_distribution<float> d(0.0f, 4.0f);
  std::vector<float> x(61);
  for (float& v : x) v = d(rng);
  std::vector<float> y(x.size());
  softmax_row(x.data(), x.size(), y.data());
  float m = x[0];
  for (float v : x) m = v > m ? v : m;
  float sum = 0.0f;
  for (float v : x) sum = sum + exp_f32(v - m);
  double total = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(std::bit_cast<uint32_t>(y[i]), std::bit_cast<uint32_t>(exp_f32(x[i] - m) / sum)) << i;
    EXPECT_NEAR(y[i], std::exp(static_cast<double>(x[i] - m)) / static_cast<double>(sum), 1e-6);
    total += y[i];
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
  softmax_row(x.data(), x.size(), x.data());  // in place gives the same bits
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(std::bit_cast<uint32_t>(x[i]), std::bit_cast<uint32_t>(y[i]));
}

TEST(NumericsRowOps, SoftmaxEqualInputsAndLargeValues) {
  std::vector<float> y(4);
  const float same[] = {1000.0f, 1000.0f, 1000.0f, 1000.0f};
  softmax_row(same, 4, y.data());
  for (float v : y) EXPECT_EQ(v, 0.25f);
  const float one_big[] = {-1e30f, 3e38f};
  softmax_row(one_big, 2, y.data());
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 1.0f);
}

TEST(NumericsRowOps, GroupQuantisationFormula) {
  std::mt19937 rng(6);
  std::normal_distribution<float> d(0.0f, 2.0f);
  for (Format f : {Format::E4M3, Format::E5M2}) {
    const size_t n = 300;  // two full groups and a partial one
    std::vector<float> x(n);
    for (float& v : x) v = d(rng);
    std::vector<uint8_t> q(n);
    std::vector<float> scales(3);
    quantize_row_1x128(f, x.data(), n, q.data(), scales.data());
    for (size_t g = 0; g < 3; ++g) {
      const size_t begin = g * 128, end = std::min(n, begin + 128);
      float amax = 0.0f;
      for (size_t i = begin; i < end; ++i) amax = std::max(amax, std::fabs(x[i]));
      const float scale = std::max(amax, 1e-4f) / fp8_max(f);
      EXPECT_EQ(scales[g], scale);
      for (size_t i = begin; i < end; ++i) {
        EXPECT_EQ(q[i], float_to_fp8(f, x[i] / scale)) << i;
        // Dequantised values are within half an FP8 step of the input.
        EXPECT_NEAR(fp8_to_float(f, q[i]) * scale, x[i], std::fabs(x[i]) * (f == Format::E4M3 ? 0.0625 : 0.125) + 1e-6);
      }
    }
  }
}

TEST(NumericsRowOps, GroupQuantisationZerosAndMax) {
  std::vector<float> x(128, 0.0f);
  std::vector<uint8_t> q(128);
  float scale = 0.0f;
  quantize_row_1x128(Format::E4M3, x.data(), x.size(), q.data(), &scale);
  EXPECT_EQ(scale, 1e-4f / 448.0f);  // the amax floor
  for (uint8_t b : q) EXPECT_EQ(b, 0);
  x[17] = -3.0f;
  quantize_row_1x128(Format::E4M3, x.data(), x.size(), q.data(), &scale);
  EXPECT_EQ(scale, 3.0f / 448.0f);
  EXPECT_EQ(q[17], 0xFE);  // the group's amax lands on -448 (saturating if it rounds past)
}

TEST(NumericsRowOps, SiluMulQuantiseIsSiluTimesUpThenQuantise) {
  std::mt19937 rng(8);
  std::normal_distribution<float> d(0.0f, 3.0f);
  const size_t n = 200;
  std::vector<float> gate(n), up(n), h(n);
  for (float& v : gate) v = d(rng);
  for (float& v : up) v = d(rng);
  for (size_t i = 0; i < n; ++i) h[i] = silu_f32(gate[i]) * up[i];
  std::vector<uint8_t> q(n), q_ref(n);
  float scales[2], scales_ref[2];
  silu_mul_quantize_row(Format::E4M3, gate.data(), up.data(), n, q.data(), scales);
  quantize_row_1x128(Format::E4M3, h.data(), n, q_ref.data(), scales_ref);
  EXPECT_EQ(q, q_ref);
  EXPECT_EQ(scales[0], scales_ref[0]);
  EXPECT_EQ(scales[1], scales_ref[1]);
}

}  // namespace
}  // namespace cadre::num
