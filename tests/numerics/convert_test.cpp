// Conversion edge cases by name; the exhaustive sweeps are in
// exhaustive_convert_test.cpp.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cadre/numerics/convert.h"

namespace cadre::num {
namespace {

float f(uint32_t bits) { return std::bit_cast<float>(bits); }
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(NumericsConvert, E4M3LargestFiniteAndSaturation) {
  EXPECT_EQ(float_to_e4m3(448.0f), 0x7E);
  EXPECT_EQ(float_to_e4m3(-448.0f), 0xFE);
  // 464 is halfway between 448 (mantissa 110, even) and the would-be 480: ties to 448.
  EXPECT_EQ(float_to_e4m3(464.0f), 0x7E);
  EXPECT_EQ(float_to_e4m3(465.0f), 0x7E);
  EXPECT_EQ(float_to_e4m3(1e30f), 0x7E);
  EXPECT_EQ(float_to_e4m3(kInf), 0x7E);  // E4M3FN has no infinity: saturate
  EXPECT_EQ(float_to_e4m3(-kInf), 0xFE);
  EXPECT_EQ(e4m3_to_float(0x7E), 448.0f);
}

TEST(NumericsConvert, E5M2LargestFiniteAndSaturation) {
  EXPECT_EQ(float_to_e5m2(57344.0f), 0x7B);
  // 61440 is halfway between 57344 (odd mantissa) and 65536: it would round up to
  // infinity, and satfinite clamps it to the largest finite value.
  EXPECT_EQ(float_to_e5m2(61440.0f), 0x7B);
  EXPECT_EQ(float_to_e5m2(-1e30f), 0xFB);
  EXPECT_EQ(float_to_e5m2(kInf), 0x7B);  // satfinite also clamps infinities
  EXPECT_EQ(float_to_e5m2(-kInf), 0xFB);
  EXPECT_EQ(e5m2_to_float(0x7C), kInf);
  EXPECT_EQ(e5m2_to_float(0xFC), -kInf);
}

TEST(NumericsConvert, TiesToEven) {
  // E4M3 around 1: step 1/8. 1 + 1/16 ties to 1 (even), 1 + 3/16 ties to 1.25.
  EXPECT_EQ(float_to_e4m3(1.0625f), 0x38);
  EXPECT_EQ(float_to_e4m3(1.1875f), 0x3A);
  EXPECT_EQ(float_to_e4m3(std::nextafter(1.0625f, 2.0f)), 0x39);
  // E5M2 around 1: step 1/4.
  EXPECT_EQ(float_to_e5m2(1.125f), 0x3C);
  EXPECT_EQ(float_to_e5m2(1.375f), 0x3E);
  // BF16 around 1: step 2^-7.
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f), 0x3F80);
  EXPECT_EQ(float_to_bf16(1.0f + 3 * 0x1p-8f), 0x3F82);
  EXPECT_EQ(float_to_bf16(std::nextafter(1.0f + 0x1p-8f, 2.0f)), 0x3F81);
}

TEST(NumericsConvert, SubnormalsAndUnderflow) {
  // E4M3 smallest subnormal 2^-9: 2^-10 (half of it) ties to 0, just above rounds up.
  EXPECT_EQ(float_to_e4m3(0x1p-9f), 0x01);
  EXPECT_EQ(float_to_e4m3(0x1p-10f), 0x00);
  EXPECT_EQ(float_to_e4m3(std::nextafter(0x1p-10f, 1.0f)), 0x01);
  EXPECT_EQ(float_to_e4m3(3 * 0x1p-10f), 0x02);  // 1.5 LSB ties to even 2
  EXPECT_EQ(float_to_e4m3(7 * 0x1p-9f), 0x07);   // largest subnormal
  EXPECT_EQ(float_to_e4m3(15 * 0x1p-10f), 0x08);  // rounds up into the smallest normal 2^-6
  EXPECT_EQ(e4m3_to_float(0x01), 0x1p-9f);
  // E5M2 smallest subnormal 2^-16.
  EXPECT_EQ(float_to_e5m2(0x1p-16f), 0x01);
  EXPECT_EQ(float_to_e5m2(0x1p-17f), 0x00);
  EXPECT_EQ(float_to_e5m2(-0x1p-16f), 0x81);
  EXPECT_EQ(e5m2_to_float(0x01), 0x1p-16f);
  // FP32 subnormals: far below FP8's range; BF16 keeps them (same exponent range).
  EXPECT_EQ(float_to_e4m3(f(0x00000001u)), 0x00);
  EXPECT_EQ(float_to_e4m3(f(0x80000001u)), 0x80);
  EXPECT_EQ(float_to_bf16(f(0x00010000u)), 0x0001);
  EXPECT_EQ(float_to_bf16(f(0x00008000u)), 0x0000);  // tie to even 0
  EXPECT_EQ(float_to_bf16(f(0x00018000u)), 0x0002);  // tie to even 2
}

TEST(NumericsConvert, NegativeZero) {
  EXPECT_EQ(float_to_e4m3(-0.0f), 0x80);
  EXPECT_EQ(float_to_e5m2(-0.0f), 0x80);
  EXPECT_EQ(float_to_bf16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_e4m3(-0x1p-12f), 0x80);  // underflow keeps the sign
  EXPECT_TRUE(std::signbit(e4m3_to_float(0x80)));
  EXPECT_TRUE(std::signbit(e5m2_to_float(0x80)));
  EXPECT_TRUE(std::signbit(bf16_to_float(0x8000)));
}

TEST(NumericsConvert, NanPayloadsBecomeCanonical) {
  // Every NaN, whatever its sign and payload, becomes the positive canonical NaN, as
  // CUDA's conversions (host and device) produce.
  for (uint32_t bits : {0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFF800001u, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x7FA00000u}) {
    EXPECT_EQ(float_to_e4m3(f(bits)), 0x7F) << std::hex << bits;
    EXPECT_EQ(float_to_e5m2(f(bits)), 0x7F) << std::hex << bits;
    EXPECT_EQ(float_to_bf16(f(bits)), 0x7FFF) << std::hex << bits;
  }
  // FP8 NaN encodings decode to the canonical FP32 NaN.
  for (uint8_t b : {uint8_t{0x7F}, uint8_t{0xFF}})
    EXPECT_EQ(std::bit_cast<uint32_t>(e4m3_to_float(b)), kCanonicalNanBits);
  for (uint8_t b : {uint8_t{0x7D}, uint8_t{0x7E}, uint8_t{0x7F}, uint8_t{0xFD}, uint8_t{0xFF}})
    EXPECT_EQ(std::bit_cast<uint32_t>(e5m2_to_float(b)), kCanonicalNanBits);
}

TEST(NumericsConvert, Bf16InfinityAndOverflow) {
  EXPECT_EQ(float_to_bf16(kInf), 0x7F80);
  EXPECT_EQ(float_to_bf16(-kInf), 0xFF80);
  EXPECT_EQ(float_to_bf16(f(0x7F7FFFFFu)), 0x7F80);  // FLT_MAX rounds up to infinity
  EXPECT_EQ(float_to_bf16(f(0x7F7F7FFFu)), 0x7F7F);  // just below the halfway point
  EXPECT_EQ(bf16_to_float(0x7F7F), f(0x7F7F0000u));
}

TEST(NumericsConvert, Decompose) {
  // 448 = 14 * 2^5; 0x01 = 1 * 2^-9; E5M2 57344 = 7 * 2^13.
  const Fp8Parts max4 = decompose_e4m3(0x7E);
  EXPECT_EQ(max4.kind, Fp8Parts::kFinite);
  EXPECT_EQ(max4.sig, 14u);
  EXPECT_EQ(max4.exp, 5);
  const Fp8Parts sub4 = decompose_e4m3(0x81);
  EXPECT_TRUE(sub4.neg);
  EXPECT_EQ(sub4.sig, 1u);
  EXPECT_EQ(sub4.exp, -9);
  const Fp8Parts max5 = decompose_e5m2(0x7B);
  EXPECT_EQ(max5.sig, 7u);
  EXPECT_EQ(max5.exp, 13);
  EXPECT_EQ(decompose_e5m2(0xFC).kind, Fp8Parts::kInf);
  EXPECT_TRUE(decompose_e5m2(0xFC).neg);
  EXPECT_EQ(decompose_e5m2(0x7D).kind, Fp8Parts::kNan);
  EXPECT_EQ(decompose_e4m3(0xFF).kind, Fp8Parts::kNan);
  EXPECT_EQ(decompose_e4m3(0x78).kind, Fp8Parts::kFinite);  // 256: E=15 is a normal exponent in E4M3FN
}

}  // namespace
}  // namespace cadre::num
