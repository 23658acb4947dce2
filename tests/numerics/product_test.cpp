// Exact FP8 x FP8 products for all 2^16 byte pairs of every format pair, and the
// block accumulator's final rounding against the host's long double conversion.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include "cadre/numerics/exact.h"
#include "reference.h"

namespace cadre::num {
namespace {

using test::kFp8;

TEST(NumericsProduct, AllPairsExact) {
  for (Format fa : kFp8)
    for (Format fb : kFp8) {
      int failures = 0;
      for (unsigned a = 0; a < 256; ++a)
        for (unsigned b = 0; b < 256; ++b) {
          const Fp8Product p = exact_product(decompose_fp8(fa, static_cast<uint8_t>(a)),
                                             decompose_fp8(fb, static_cast<uint8_t>(b)));
          // Products of at most 4-bit significands are exact in double.
          const double want = test::fp8_value(fa, static_cast<uint8_t>(a)) * test::fp8_value(fb, static_cast<uint8_t>(b));
          bool ok;
          if (std::isnan(want)) {
            ok = p.kind == Fp8Parts::kNan;
          } else if (std::isinf(want)) {
            ok = p.kind == Fp8Parts::kInf && p.neg == std::signbit(want);
          } else {
            const double got = std::ldexp(static_cast<double>(p.sig), p.exp);
            ok = p.kind == Fp8Parts::kFinite && (p.neg ? -got : got) == want && p.exp >= kBlockLsbExp &&
                 (want == 0 || p.neg == std::signbit(want));
          }
          if (!ok && failures++ < 5)
            ADD_FAILURE() << info(fa).name << " 0x" << std::hex << a << " x " << info(fb).name << " 0x" << b;
        }
      EXPECT_EQ(failures, 0) << info(fa).name << " x " << info(fb).name;
    }
}

// A single product through the block accumulator comes back as the exact FP32 value.
TEST(NumericsProduct, SingleProductBlockSum) {
  for (Format fa : kFp8)
    for (Format fb : kFp8)
      for (unsigned a = 0; a < 256; ++a)
        for (unsigned b = 0; b < 256; ++b) {
          BlockSum s;
          s.add(exact_product(decompose_fp8(fa, static_cast<uint8_t>(a)), decompose_fp8(fb, static_cast<uint8_t>(b))));
          const float got = s.result();
          const double want = test::fp8_value(fa, static_cast<uint8_t>(a)) * test::fp8_value(fb, static_cast<uint8_t>(b));
          if (std::isnan(want)) {
            ASSERT_EQ(std::bit_cast<uint32_t>(got), kCanonicalNanBits);
          } else {
            ASSERT_EQ(static_cast<double>(got), want) << a << " " << b;  // exact zero sums are +0
          }
        }
}

// round_to_float against the hardware's long double -> float conversion, which is
// one correct rounding of the exactly representable (64-bit) value, for magnitudes
// of every width and scales that reach FP32 subnormals and overflow.
TEST(NumericsProduct, RoundToFloatMatchesLongDouble) {
  std::mt19937_64 rng(12345);
  int checked = 0;
  for (int width = 1; width <= 64; ++width)
    for (int lsb_exp : {-200, -170, -160, -149, -140, -100, -32, -10, 0, 40, 64, 100})
      for (int i = 0; i < 300; ++i) {
        uint64_t mag = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
        mag |= uint64_t{1} << (width - 1);
        if (i % 3 == 0) mag &= ~uint64_t{0} << (width > 26 ? width - 26 : 0);  // near ties
        if (i % 3 == 1 && width > 25) mag = (mag & (~uint64_t{0} << (width - 24))) | (uint64_t{1} << (width - 25));  // exact tie
        const bool neg = (i & 1) != 0;
        const long double exact = std::ldexp(static_cast<long double>(mag), lsb_exp);
        const float want = static_cast<float>(neg ? -exact : exact);
        const float got = round_to_float(neg, mag, lsb_exp);
        ASSERT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(want))
            << "mag " << mag << " lsb_exp " << lsb_exp << " neg " << neg;
        ++checked;
      }
  EXPECT_GT(checked, 200000);
}

// Magnitudes wider than 64 bits (E5M2 x E5M2 block sums reach 71 bits).
TEST(NumericsProduct, RoundToFloatWide) {
  const u128 one = 1;
  // 2^70 + 2^46 is halfway between 2^70 and 2^70 + 2^47: ties to even (2^70).
  EXPECT_EQ(round_to_float(false, (one << 70) + (one << 46), 0), 0x1p70f);
  EXPECT_EQ(round_to_float(false, (one << 70) + (one << 46) + 1, 0), 0x1p70f + 0x1p47f);
  EXPECT_EQ(round_to_float(true, (one << 70) + (3 * (one << 46)), 0), -(0x1p70f + 0x1p48f));
  EXPECT_EQ(round_to_float(false, (one << 71) - 1, -32), 0x1p39f);  // rounds up across a power of two
  EXPECT_EQ(round_to_float(false, one << 127, 1), INFINITY);
}

}  // namespace
}  // namespace cadre::num
