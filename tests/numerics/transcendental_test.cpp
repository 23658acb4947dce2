// Error of exp/sigmoid/silu against a correctly rounded reference (long double with
// the host libm, rounded to FP32 once), in ULP of the reference result.
//
// The regular tests sweep every 61st FP32 pattern of the useful range; the DISABLED_
// ones sweep every pattern and print the maximum (docs/numerics.md quotes them):
//   numerics_test --gtest_also_run_disabled_tests --gtest_filter='*FullSweep*'
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "cadre/numerics/transcendental.h"

namespace cadre::num {
namespace {

struct ErrorStats {
  long double max_ulp = 0;
  float worst_x = 0;
  uint64_t not_correctly_rounded = 0;
  uint64_t count = 0;
};

// |got - exact| in units of the last place of the correctly rounded result.
long double ulp_error(float got, long double exact) {
  const float rounded = static_cast<float>(exact);
  const float a = std::fabs(rounded);
  const long double ulp = a == 0.0f ? 0x1p-149L
                                    : static_cast<long double>(std::nextafter(a, INFINITY)) - static_cast<long double>(a);
  return std::fabs(static_cast<long double>(got) - exact) / ulp;
}

// Every `stride`-th FP32 pattern with lo <= x <= hi, split across the cores.
template <class Fn, class Ref>
ErrorStats sweep(Fn fn, Ref ref, float lo, float hi, uint32_t stride) {
  const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<ErrorStats> stats(n_threads);
  std::vector<std::thread> threads;
  constexpr uint64_t kTotal = uint64_t{1} << 32;
  for (unsigned t = 0; t < n_threads; ++t)
    threads.emplace_back([&, t] {
      ErrorStats& s = stats[t];
      for (uint64_t i = t * uint64_t{stride}; i < kTotal; i += uint64_t{stride} * n_threads) {
        const float x = std::bit_cast<float>(static_cast<uint32_t>(i));
        if (!(x >= lo && x <= hi)) continue;
        const float got = fn(x);
        const long double exact = ref(static_cast<long double>(x));
        const long double e = ulp_error(got, exact);
        if (std::bit_cast<uint32_t>(got) != std::bit_cast<uint32_t>(static_cast<float>(exact))) ++s.not_correctly_rounded;
        if (e > s.max_ulp) {
          s.max_ulp = e;
          s.worst_x = x;
        }
        ++s.count;
      }
    });
  for (std::thread& th : threads) th.join();
  ErrorStats total;
  for (const ErrorStats& s : stats) {
    if (s.max_ulp > total.max_ulp) {
      total.max_ulp = s.max_ulp;
      total.worst_x = s.worst_x;
    }
    total.not_correctly_rounded += s.not_correctly_rounded;
    total.count += s.count;
  }
  return total;
}

long double ref_exp(long double x) { return std::exp(x); }
long double ref_sigmoid(long double x) { return 1.0L / (1.0L + std::exp(-x)); }
long double ref_silu(long double x) { return x / (1.0L + std::exp(-x)); }

void report(const char* name, const ErrorStats& s) {
  std::printf("%s: %llu inputs, max error %.4Lf ulp at x = %.9g, %.4f%% not correctly rounded\n", name,
              static_cast<unsigned long long>(s.count), s.max_ulp, static_cast<double>(s.worst_x),
              100.0 * static_cast<double>(s.not_correctly_rounded) / static_cast<double>(s.count));
}

// The ranges where the results are neither exactly 0, 1 nor x: below them exp and
// sigmoid are 0 (or the smallest subnormal), above them sigmoid is 1 and silu is x.
constexpr float kLo = -104.0f, kExpHi = 89.0f, kHi = 64.0f;
// Bounds the sampled sweeps must meet: the full sweeps' maxima, rounded up.
constexpr long double kExpBound = 1.0L, kSigmoidBound = 2.5L, kSiluBound = 3.5L;

TEST(NumericsTranscendental, ExpSampledError) {
  const ErrorStats s = sweep(exp_f32, ref_exp, kLo, kExpHi, 61);
  report("exp", s);
  EXPECT_LE(s.max_ulp, kExpBound);
}

TEST(NumericsTranscendental, SigmoidSampledError) {
  const ErrorStats s = sweep(sigmoid_f32, ref_sigmoid, kLo, kHi, 61);
  report("sigmoid", s);
  EXPECT_LE(s.max_ulp, kSigmoidBound);
}

TEST(NumericsTranscendental, SiluSampledError) {
  const ErrorStats s = sweep(silu_f32, ref_silu, kLo, kHi, 61);
  report("silu", s);
  EXPECT_LE(s.max_ulp, kSiluBound);
}

TEST(NumericsTranscendental, DISABLED_FullSweepExp) { report("exp", sweep(exp_f32, ref_exp, kLo, kExpHi, 1)); }
TEST(NumericsTranscendental, DISABLED_FullSweepSigmoid) { report("sigmoid", sweep(sigmoid_f32, ref_sigmoid, kLo, kHi, 1)); }
TEST(NumericsTranscendental, DISABLED_FullSweepSilu) { report("silu", sweep(silu_f32, ref_silu, kLo, kHi, 1)); }

TEST(NumericsTranscendental, SpecialValues) {
  const float inf = INFINITY;
  EXPECT_EQ(exp_f32(0.0f), 1.0f);
  EXPECT_EQ(exp_f32(-0.0f), 1.0f);
  EXPECT_EQ(exp_f32(inf), inf);
  EXPECT_EQ(exp_f32(-inf), 0.0f);
  EXPECT_EQ(exp_f32(89.0f), inf);
  EXPECT_EQ(exp_f32(-104.0f), 0.0f);
  EXPECT_EQ(exp_f32(-103.0f), std::bit_cast<float>(uint32_t{1}));  // e^-103 = 1.3 * 2^-149: subnormal
  EXPECT_EQ(sigmoid_f32(0.0f), 0.5f);
  EXPECT_EQ(sigmoid_f32(inf), 1.0f);
  EXPECT_EQ(sigmoid_f32(-inf), 0.0f);
  EXPECT_EQ(silu_f32(0.0f), 0.0f);
  EXPECT_EQ(silu_f32(inf), inf);
  EXPECT_EQ(silu_f32(-inf), 0.0f);
  EXPECT_TRUE(std::signbit(silu_f32(-inf)));
  EXPECT_EQ(silu_f32(100.0f), 100.0f);
  for (float (*fn)(float) : {exp_f32, sigmoid_f32, silu_f32})
    EXPECT_EQ(std::bit_cast<uint32_t>(fn(std::bit_cast<float>(0xFFC00001u))), kCanonicalNanBits);
}

}  // namespace
}  // namespace cadre::num
