// common::Divisor against the divide instruction (and ceil_div): divisors
// of every size (powers of two, the clock periods and channel counts the
// presets use, the largest), numerators at and around each divisor's
// multiply limit.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "cadre/common/int_math.h"

namespace cadre::common {
namespace {

TEST(Divisor, QuotientAndRemainderAreTheDivideInstructions) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> divisors = {1, 2, 3, 5, 7, 64, 80, 96, 500, 546, 1000, 1024, 1025, (uint64_t{1} << 32) + 1,
                                    ~uint64_t{0} - 1, ~uint64_t{0}};
  for (int i = 0; i < 200; ++i) divisors.push_back(rng() >> (rng() % 64));
  for (const uint64_t d : divisors) {
    if (d == 0) continue;
    const Divisor by(d);
    std::vector<uint64_t> numerators = {0, 1, d - 1, d, d + 1, 2 * d, ~uint64_t{0}, ~uint64_t{0} - 1};
    for (int b = 1; b < 64; ++b) {
      const uint64_t edge = uint64_t{1} << b;
      numerators.insert(numerators.end(), {edge - 1, edge, edge + 1});
    }
    for (int i = 0; i < 2000; ++i) numerators.push_back(rng() >> (rng() % 64));
    for (const uint64_t n : numerators) {
      ASSERT_EQ(by.quotient(n), n / d) << n << " / " << d;
      ASSERT_EQ(by.remainder(n), n % d) << n << " % " << d;
      if (n <= ~uint64_t{0} - (d - 1)) {
        ASSERT_EQ(by.quotient_up(n), ceil_div(n, d)) << n << " / " << d << " up";
      }
    }
  }
}

}  // namespace
}  // namespace cadre::common
