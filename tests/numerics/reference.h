// Independent references for the numerics tests: written from the format
// definitions with double arithmetic and searches, not from Cadre's bit tricks.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "cadre/numerics/format.h"

namespace cadre::test {

struct Fp8Spec {
  int mbits;
  int bias;
  uint8_t max_code;  // largest finite positive code
};

inline constexpr Fp8Spec kE4M3Spec{3, 7, 0x7E};
inline constexpr Fp8Spec kE5M2Spec{2, 15, 0x7B};

// The two FP8 formats, for tests that sweep both.
inline constexpr num::Format kFp8[] = {num::Format::E4M3, num::Format::E5M2};

inline const Fp8Spec& spec(num::Format f) { return f == num::Format::E4M3 ? kE4M3Spec : kE5M2Spec; }

// Value of a non-negative finite FP8 code, from the textbook definition.
inline double fp8_code_value(const Fp8Spec& s, unsigned code) {
  const unsigned e = code >> s.mbits;
  const unsigned f = code & ((1u << s.mbits) - 1);
  if (e == 0) return std::ldexp(static_cast<double>(f), 1 - s.bias - s.mbits);
  return std::ldexp(static_cast<double>((1u << s.mbits) + f), static_cast<int>(e) - s.bias - s.mbits);
}

// The values of a format's codes 0..max_code, made once: the exhaustive sweeps
// search them four billion times.
inline const std::array<double, 128>& fp8_code_values(num::Format f) {
  static const auto make = [](const Fp8Spec& s) {
    std::array<double, 128> v{};
    for (unsigned c = 0; c <= s.max_code; ++c) v[c] = fp8_code_value(s, c);
    return v;
  };
  static const std::array<double, 128> e4m3 = make(kE4M3Spec), e5m2 = make(kE5M2Spec);
  return f == num::Format::E4M3 ? e4m3 : e5m2;
}

// Full value of any FP8 byte as a double (NaN, infinities included).
inline double fp8_value(num::Format f, uint8_t b) {
  const Fp8Spec& s = spec(f);
  const unsigned mag = b & 0x7Fu;
  const double sign = (b & 0x80u) ? -1.0 : 1.0;
  if (f == num::Format::E4M3 && mag == 0x7F) return NAN;
  if (f == num::Format::E5M2 && mag >= 0x7C) return mag == 0x7C ? sign * INFINITY : NAN;
  return sign * fp8_code_value(s, mag);
}

// Nearest FP8 by binary search over the sorted finite codes; ties to the even code;
// above the largest finite value, the largest finite value (saturation).
inline uint8_t ref_float_to_fp8(num::Format f, float x) {
  const Fp8Spec& s = spec(f);
  const std::array<double, 128>& value = fp8_code_values(f);
  if (std::isnan(x)) return 0x7F;
  const uint8_t sign = std::signbit(x) ? 0x80 : 0x00;
  const double ax = std::fabs(static_cast<double>(x));
  unsigned lo = 0, hi = s.max_code;  // invariant: value[lo] <= ax
  if (ax >= value[hi]) return static_cast<uint8_t>(sign | hi);
  while (hi - lo > 1) {
    const unsigned mid = (lo + hi) / 2;
    (value[mid] <= ax ? lo : hi) = mid;
  }
  const double below = ax - value[lo];
  const double above = value[hi] - ax;
  const unsigned code = below < above ? lo : above < below ? hi : (lo % 2 == 0 ? lo : hi);
  return static_cast<uint8_t>(sign | code);
}

// Nearest BF16 from the two BF16 values around x (the one beyond the largest finite
// value is 2^128, which stands for infinity); ties to the even one.
inline uint16_t ref_float_to_bf16(float x) {
  if (std::isnan(x)) return 0x7FFF;
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t sign = u & 0x80000000u;
  const uint32_t mag = u & 0x7FFFFFFFu;
  if (mag == 0x7F800000u) return static_cast<uint16_t>(u >> 16);
  const uint32_t lo = mag & 0xFFFF0000u;
  const uint32_t hi = lo + 0x10000u;
  const double ax = std::fabs(static_cast<double>(x));
  const double vlo = std::bit_cast<float>(lo);
  const double vhi = hi == 0x7F800000u ? 0x1p128 : static_cast<double>(std::bit_cast<float>(hi));
  const double below = ax - vlo, above = vhi - ax;
  const uint32_t pick = below < above ? lo : above < below ? hi : ((lo >> 16) % 2 == 0 ? lo : hi);
  return static_cast<uint16_t>((sign | pick) >> 16);
}

// Runs check(u) for every 32-bit pattern u on all hardware threads; returns the
// number of patterns for which it returned false and the first such pattern seen.
struct SweepResult {
  uint64_t failures = 0;
  uint32_t first_failure = 0;
};

template <class Check>
SweepResult sweep_all_u32(Check check) {
  const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<SweepResult> results(n_threads);
  std::vector<std::thread> threads;
  constexpr uint64_t kTotal = uint64_t{1} << 32;
  for (unsigned t = 0; t < n_threads; ++t)
    threads.emplace_back([&, t] {
      const uint64_t begin = kTotal * t / n_threads, end = kTotal * (t + 1) / n_threads;
      SweepResult& r = results[t];
      for (uint64_t i = begin; i < end; ++i)
        if (!check(static_cast<uint32_t>(i)) && r.failures++ == 0) r.first_failure = static_cast<uint32_t>(i);
    });
  for (std::thread& th : threads) th.join();
  SweepResult total;
  for (const SweepResult& r : results) {
    if (r.failures != 0 && total.failures == 0) total.first_failure = r.first_failure;
    total.failures += r.failures;
  }
  return total;
}

}  // namespace cadre::test
