// All 2^32 FP32 bit patterns through each conversion, against the CUDA toolkit's
// host conversions when its headers are installed and always against the tests'
// own reference (reference.h), which is a different method.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstdio>

#include "cadre/numerics/convert.h"
#include "reference.h"
#if CADRE_HAVE_CUDA_FP8
#include "cuda_oracle.h"
#endif

namespace cadre::num {
namespace {

std::string describe(uint32_t u) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%08X (%.9g)", u, static_cast<double>(std::bit_cast<float>(u)));
  return buf;
}

#if CADRE_HAVE_CUDA_FP8
constexpr bool kHaveCuda = true;
#else
constexpr bool kHaveCuda = false;
#endif

void report_oracle() {
  std::printf("oracle: %s\n", kHaveCuda ? "CUDA toolkit host conversions and the tests' reference"
                                        : "the tests' reference only (no cuda_fp8.h found)");
}

TEST(NumericsExhaustive, E4M3AllFloats) {
  report_oracle();
  const test::SweepResult r = test::sweep_all_u32([](uint32_t u) {
    const float x = std::bit_cast<float>(u);
    const uint8_t got = float_to_e4m3(x);
#if CADRE_HAVE_CUDA_FP8
    if (got != test::cuda_float_to_e4m3(x)) return false;
#endif
    return got == test::ref_float_to_fp8(Format::E4M3, x);
  });
  EXPECT_EQ(r.failures, 0u) << "first mismatch at " << describe(r.first_failure);
}

TEST(NumericsExhaustive, E5M2AllFloats) {
  report_oracle();
  const test::SweepResult r = test::sweep_all_u32([](uint32_t u) {
    const float x = std::bit_cast<float>(u);
    const uint8_t got = float_to_e5m2(x);
#if CADRE_HAVE_CUDA_FP8
    if (got != test::cuda_float_to_e5m2(x)) return false;
#endif
    return got == test::ref_float_to_fp8(Format::E5M2, x);
  });
  EXPECT_EQ(r.failures, 0u) << "first mismatch at " << describe(r.first_failure);
}

TEST(NumericsExhaustive, BF16AllFloats) {
  report_oracle();
  const test::SweepResult r = test::sweep_all_u32([](uint32_t u) {
    const float x = std::bit_cast<float>(u);
    const uint16_t got = float_to_bf16(x);
#if CADRE_HAVE_CUDA_FP8
    if (got != test::cuda_float_to_bf16(x)) return false;
#endif
    return got == test::ref_float_to_bf16(x);
  });
  EXPECT_EQ(r.failures, 0u) << "first mismatch at " << describe(r.first_failure);
}

// Every FP8 byte decodes to its textbook value, and every non-NaN byte survives
// the round trip FP8 -> FP32 -> FP8 unchanged.
TEST(NumericsExhaustive, Fp8DecodeAndRoundTrip) {
  for (Format f : {Format::E4M3, Format::E5M2}) {
    for (unsigned b = 0; b < 256; ++b) {
      const uint8_t byte = static_cast<uint8_t>(b);
      const float x = fp8_to_float(f, byte);
      const double want = test::fp8_value(f, byte);
      if (std::isnan(want)) {
        EXPECT_EQ(std::bit_cast<uint32_t>(x), kCanonicalNanBits) << b;
        continue;
      }
      EXPECT_EQ(static_cast<double>(x), want) << info(f).name << " byte " << b;
      EXPECT_EQ(std::signbit(x), (b & 0x80u) != 0) << b;
      if (!std::isinf(want)) {
        EXPECT_EQ(float_to_fp8(f, x), byte) << info(f).name << " byte " << b;
      }
    }
  }
}

// BF16 -> FP32 -> BF16 is the identity on every non-NaN pattern.
TEST(NumericsExhaustive, Bf16RoundTrip) {
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    const uint16_t h = static_cast<uint16_t>(b);
    const float x = bf16_to_float(h);
    if (std::isnan(x)) continue;
    EXPECT_EQ(float_to_bf16(x), h) << b;
  }
}

}  // namespace
}  // namespace cadre::num
