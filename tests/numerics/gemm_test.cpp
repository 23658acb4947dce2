// Block-scaled FP8 GEMM and BF16 GEMM against independent references, adversarial
// cases by name, and tiling invariance.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cadre/numerics/gemm.h"
#include "reference.h"

namespace cadre::num {
namespace {

// ---- Independent reference -------------------------------------------------------
// Products come from the textbook values in double (exact); their sum is kept as an
// exact integer count of 2^-32 (every product is a multiple of it); the FP32 result is
// picked by comparing that integer with the three floats around an approximation.
// Infinities and NaN come from plain IEEE double arithmetic on the same products.

float ref_round(i128 s) {
  if (s == 0) return 0.0f;
  const i128 mag = s < 0 ? -s : s;
  if (mag < (i128{1} << 24)) return static_cast<float>(static_cast<int64_t>(s)) * 0x1p-32f;  // exact
  // |s| * 2^-32 >= 2^-8: the floats around it are whole multiples of 2^-32.
  const float approx = static_cast<float>(std::ldexp(static_cast<long double>(s), -32));
  float best = approx;
  i128 best_dist = -1;
  for (float c : {std::nextafter(approx, -INFINITY), approx, std::nextafter(approx, INFINITY)}) {
    const i128 cs = static_cast<i128>(std::ldexp(static_cast<long double>(c), 32));
    const i128 dist = cs > s ? cs - s : s - cs;
    const bool even = (std::bit_cast<uint32_t>(c) & 1u) == 0;
    if (best_dist < 0 || dist < best_dist || (dist == best_dist && even)) {
      best = c;
      best_dist = dist;
    }
  }
  return best;
}

float ref_block(Format fa, const uint8_t* a, Format fb, const uint8_t* b, size_t n) {
  double ieee = 0.0;
  i128 exact = 0;
  for (size_t i = 0; i < n; ++i) {
    const double p = test::fp8_value(fa, a[i]) * test::fp8_value(fb, b[i]);
    ieee += p;
    if (std::isfinite(p)) exact += static_cast<i128>(std::ldexp(static_cast<long double>(p), 32));
  }
  if (std::isnan(ieee)) return std::bit_cast<float>(kCanonicalNanBits);
  if (std::isinf(ieee)) return static_cast<float>(ieee);
  return ref_round(exact);
}

uint32_t bits(float x) { return std::bit_cast<uint32_t>(x); }

// A problem in the contract's layouts: A M x K, B N x K (both K-contiguous),
// activation scales M x kblocks, weight scales ceil(N/128) x kblocks.
struct Fp8Problem {
  size_t m, n, k, kblocks;
  Format fa, fb;
  std::vector<uint8_t> a, b;
  std::vector<float> sa, sb;

  Fp8Problem(size_t m_, size_t n_, size_t k_, Format fa_, Format fb_)
      : m(m_), n(n_), k(k_), kblocks((k_ + 127) / 128), fa(fa_), fb(fb_), a(m_ * k_), b(n_ * k_),
        sa(m_ * kblocks, 1.0f), sb(((n_ + 127) / 128) * kblocks, 1.0f) {}

  Fp8Operand op_a() const { return {fa, a.data(), k, sa.data(), 1, kblocks, 1}; }
  Fp8Operand op_b() const { return {fb, b.data(), k, sb.data(), 128, kblocks, 1}; }

  std::vector<float> reference(const std::vector<float>& c0) const {
    std::vector<float> c(c0);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        float acc = c[i * n + j];
        for (size_t kb = 0; kb < kblocks; ++kb) {
          const size_t k0 = kb * 128, len = std::min<size_t>(128, k - k0);
          const float block = ref_block(fa, &a[i * k + k0], fb, &b[j * k + k0], len);
          const float s = sa[i * kblocks + kb] * sb[(j / 128) * kblocks + kb];
          acc = acc + block * s;  // -ffp-contract=off: a rounded product, then a rounded sum
        }
        c[i * n + j] = std::isnan(acc) ? std::bit_cast<float>(kCanonicalNanBits) : acc;
      }
    return c;
  }

  std::vector<float> cadre(const std::vector<float>& c0) const {
    std::vector<float> c(c0);
    gemm_fp8(m, n, k, op_a(), op_b(), c.data(), n, true);
    return c;
  }
};

enum class Fill { kFinite, kSubnormal, kSpecials };

uint8_t random_fp8(std::mt19937& rng, Format f, Fill fill) {
  for (;;) {
    const uint8_t byte = static_cast<uint8_t>(rng());
    const double v = test::fp8_value(f, byte);
    if (fill == Fill::kSubnormal) return static_cast<uint8_t>(byte & (f == Format::E4M3 ? 0x87 : 0x83));
    if (fill == Fill::kSpecials) {
      // Mostly finite, with zeros, infinities (E5M2) and NaNs about 1 in 40 each.
      const auto r = static_cast<unsigned>(rng() % 40);
      if (r == 0) return f == Format::E4M3 ? 0x7F : 0x7E;
      if (r == 1) return f == Format::E4M3 ? 0x00 : static_cast<uint8_t>(rng() % 2 ? 0x7C : 0xFC);
      if (r == 2) return 0x80;
    }
    if (std::isfinite(v)) return byte;
  }
}

float random_scale(std::mt19937& rng) {
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  return std::ldexp(mant(rng), static_cast<int>(rng() % 41) - 20);
}

void fill(Fp8Problem& p, std::mt19937& rng, Fill how) {
  for (uint8_t& x : p.a) x = random_fp8(rng, p.fa, how);
  for (uint8_t& x : p.b) x = random_fp8(rng, p.fb, how);
  for (float& s : p.sa) s = random_scale(rng);
  for (float& s : p.sb) s = random_scale(rng);
}

std::vector<float> random_c(std::mt19937& rng, size_t size) {
  std::vector<float> c(size);
  std::normal_distribution<float> d(0.0f, 1000.0f);
  for (float& x : c) x = d(rng);
  return c;
}

void expect_same_bits(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  int failures = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (bits(got[i]) != bits(want[i]) && failures++ < 5)
      ADD_FAILURE() << what << " element " << i << ": got " << got[i] << " want " << want[i];
  EXPECT_EQ(failures, 0) << what;
}

using test::kFp8;

void check_fill(Fill how, uint32_t seed) {
  std::mt19937 rng(seed);
  for (Format fa : kFp8)
    for (Format fb : kFp8)
      for (size_t k : {size_t{5}, size_t{128}, size_t{300}}) {
        Fp8Problem p(6, 150, k, fa, fb);
        fill(p, rng, how);
        const std::vector<float> c0 = random_c(rng, p.m * p.n);
        expect_same_bits(p.cadre(c0), p.reference(c0), info(fa).name.data());
        const std::vector<float> zero(p.m * p.n, 0.0f);
        std::vector<float> c(p.m * p.n, 42.0f);
        gemm_fp8(p.m, p.n, p.k, p.op_a(), p.op_b(), c.data(), p.n, false);  // overwrite, not +=
        expect_same_bits(c, p.reference(zero), "accumulate=false");
      }
}

TEST(NumericsGemmFp8, RandomMatchesReference) { check_fill(Fill::kFinite, 1); }

// An exact zero block sum is +0 (BlockSum), also when every product is -0:
// the fast E4M3 path must not let a double's -0 through. From C = -0, the
// result is -0 + (+0 * s) = +0.
TEST(NumericsGemmFp8, NegativeZeroProductsSumToPositiveZero) {
  for (Format f : kFp8) {
    Fp8Problem p(2, 3, 200, f, f);
    std::fill(p.a.begin(), p.a.end(), uint8_t{0x80});  // -0
    std::fill(p.b.begin(), p.b.end(), f == Format::E4M3 ? uint8_t{0x38} : uint8_t{0x3C});  // 1.0
    const std::vector<float> c0(p.m * p.n, -0.0f);
    const std::vector<float> got = p.cadre(c0);
    expect_same_bits(got, p.reference(c0), info(f).name.data());
    for (float x : got) EXPECT_EQ(bits(x), 0u);
  }
}
// The E4M3 host GEMM works on register blocks of 4 x 4 rows in chunks of 32
// rows of A, and pads K to whole vectors: every partial block and chunk, and
// every E4M3 code (all 256, NaNs and subnormals among them), against the
// element-by-element reference.
TEST(NumericsGemmFp8, E4m3RegisterBlockEdges) {
  std::mt19937 rng(4);
  for (size_t m : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{33}, size_t{38}})
    for (size_t n : {size_t{1}, size_t{3}, size_t{4}, size_t{6}, size_t{9}})
      for (size_t k : {size_t{1}, size_t{7}, size_t{8}, size_t{130}, size_t{263}}) {
        Fp8Problem p(m, n, k, Format::E4M3, Format::E4M3);
        for (uint8_t& x : p.a) x = static_cast<uint8_t>(rng());
        for (uint8_t& x : p.b) x = static_cast<uint8_t>(rng());
        for (float& x : p.sa) x = random_scale(rng);
        for (float& x : p.sb) x = random_scale(rng);
        const std::vector<float> c0 = random_c(rng, m * n);
        expect_same_bits(p.cadre(c0), p.reference(c0), ("m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k)).c_str());
      }
}

// Every E4M3 code times every other, one product a sum (K = 1, the rest of
// the vector padded with zeros): the host GEMM decodes each code on its own
// path, subnormals, signs and NaN codes among them.
TEST(NumericsGemmFp8, EveryE4m3CodePairIsTheReferenceProduct) {
  Fp8Problem p(256, 256, 1, Format::E4M3, Format::E4M3);
  for (size_t i = 0; i < 256; ++i) p.a[i] = p.b[i] = static_cast<uint8_t>(i);
  const std::vector<float> zero(p.m * p.n, 0.0f);
  expect_same_bits(p.cadre(zero), p.reference(zero), "every code pair");
}

TEST(NumericsGemmFp8, SubnormalOperands) { check_fill(Fill::kSubnormal, 2); }
TEST(NumericsGemmFp8, SpecialValuesMatchReference) { check_fill(Fill::kSpecials, 3); }

// The exact block sum of single rows, checked against values worked out by hand.
float block_of(Format fa, std::vector<uint8_t> a, Format fb, std::vector<uint8_t> b) {
  return fp8_block_dot(fa, a.data(), fb, b.data(), static_cast<int>(a.size()));
}

constexpr uint8_t kE4M3_448 = 0x7E, kE4M3_1 = 0x38, kE4M3_Min = 0x01, kE4M3_Nan = 0x7F;
constexpr uint8_t kE5M2_4096 = 0x6C, kE5M2_1 = 0x3C, kE5M2_Max = 0x7B, kE5M2_Inf = 0x7C, kE5M2_NegInf = 0xFC;
constexpr Format E4 = Format::E4M3, E5 = Format::E5M2;

TEST(NumericsGemmFp8, CancellationIsExact) {
  // 448^2 + 2^-18 - 448^2: FP32 step by step loses the 2^-18; the exact sum keeps it.
  EXPECT_EQ(block_of(E4, {kE4M3_448, kE4M3_Min, kE4M3_448}, E4, {kE4M3_448, kE4M3_Min, kE4M3_448 | 0x80}), 0x1p-18f);
  // E5M2: 57344^2 - 57344^2 + 2^-32 (smallest subnormal squared).
  EXPECT_EQ(block_of(E5, {kE5M2_Max, kE5M2_Max, 0x01}, E5, {kE5M2_Max, 0xFB, 0x01}), 0x1p-32f);
}

TEST(NumericsGemmFp8, RoundingTiesToEven) {
  // 4096 * 4096 = 2^24; plus n products of 1.
  const auto sum_with_ones = [](int ones) {
    std::vector<uint8_t> a{kE5M2_4096}, b{kE5M2_4096};
    for (int i = 0; i < ones; ++i) {
      a.push_back(kE5M2_1);
      b.push_back(kE5M2_1);
    }
    return block_of(E5, a, E5, b);
  };
  EXPECT_EQ(sum_with_ones(1), 0x1p24f);         // 2^24 + 1: tie, to even 2^24
  EXPECT_EQ(sum_with_ones(2), 0x1p24f + 2.0f);  // exact
  EXPECT_EQ(sum_with_ones(3), 0x1p24f + 4.0f);  // 2^24 + 3: tie, to even 2^24 + 4
}

TEST(NumericsGemmFp8, SaturatedOperands) {
  const std::vector<uint8_t> e4(128, kE4M3_448), e5(128, kE5M2_Max);
  EXPECT_EQ(block_of(E4, e4, E4, e4), 128.0f * 448.0f * 448.0f);
  EXPECT_EQ(block_of(E4, e4, E5, e5), 128.0f * 448.0f * 57344.0f);
  EXPECT_EQ(block_of(E5, e5, E5, e5), 128.0f * 57344.0f * 57344.0f);  // 49 * 2^33, needs 71 bits in fixed point
}

TEST(NumericsGemmFp8, NanAndInfinity) {
  const uint32_t nan = kCanonicalNanBits;
  EXPECT_EQ(bits(block_of(E5, {kE5M2_Inf, kE5M2_1}, E5, {0x00, kE5M2_1})), nan);  // inf * 0
  EXPECT_EQ(bits(block_of(E5, {kE5M2_Inf, kE5M2_Inf}, E5, {kE5M2_1, kE5M2_NegInf})), nan);  // +inf + -inf
  EXPECT_EQ(block_of(E5, {kE5M2_Inf, kE5M2_Max}, E5, {kE5M2_1, 0xFB}), INFINITY);  // inf absorbs finite
  EXPECT_EQ(block_of(E4, {kE4M3_1}, E5, {kE5M2_NegInf}), -INFINITY);
  EXPECT_EQ(bits(block_of(E4, {kE4M3_Nan, kE4M3_1}, E4, {kE4M3_1, kE4M3_1})), nan);
  EXPECT_EQ(bits(block_of(E4, {0xFF}, E4, {0x00})), nan);  // negative-signed NaN byte
  // Through the scale step an infinite block times a zero scale gives the canonical NaN.
  Fp8Problem p(1, 1, 1, E5, E5);
  p.a = {kE5M2_Inf};
  p.b = {kE5M2_1};
  p.sa = {0.0f};
  EXPECT_EQ(bits(p.cadre({0.0f})[0]), nan);
}

TEST(NumericsGemmFp8, ScaleStepOrder) {
  // s = sa * sb first: (1 + 2^-12)^2 rounds to 1 + 2^-11, so 3 * s = 3 + 3 * 2^-11
  // exactly; (3 * sa) * sb would round to 3 + 3 * 2^-11 + 2^-22 instead.
  Fp8Problem p(1, 1, 1, E4, E4);
  p.a = {0x44};  // 3
  p.b = {kE4M3_1};
  p.sa = {1.0f + 0x1p-12f};
  p.sb = {1.0f + 0x1p-12f};
  EXPECT_EQ(p.cadre({0.0f})[0], 3.0f + 3 * 0x1p-11f);
}

// The same GEMM computed tile by tile -- M split anywhere, N at weight-scale block
// boundaries, K at K-block boundaries with += -- in several tile orders gives the
// same bits as one call.
TEST(NumericsGemmFp8, TilingInvariance) {
  std::mt19937 rng(7);
  Fp8Problem p(37, 300, 400, E4, E5);
  fill(p, rng, Fill::kFinite);
  const std::vector<float> c0 = random_c(rng, p.m * p.n);
  const std::vector<float> whole = p.cadre(c0);

  struct Tiling {
    std::vector<size_t> m_cuts, n_cuts, k_cuts;
    bool n_outer;
  };
  const Tiling tilings[] = {
      {{0, 37}, {0, 300}, {0, 128, 256, 384, 400}, false},
      {{0, 5, 16, 37}, {0, 128, 256, 300}, {0, 256, 400}, false},
      {{0, 1, 2, 30, 37}, {0, 256, 300}, {0, 128, 400}, true},
      {{0, 20, 37}, {0, 128, 300}, {0, 384, 400}, true},
  };
  for (const Tiling& t : tilings) {
    std::vector<float> c(c0);
    const auto run_tile = [&](size_t mi, size_t ni) {
      const size_t m0 = t.m_cuts[mi], m1 = t.m_cuts[mi + 1], n0 = t.n_cuts[ni], n1 = t.n_cuts[ni + 1];
      for (size_t ki = 0; ki + 1 < t.k_cuts.size(); ++ki) {
        const size_t k0 = t.k_cuts[ki], k1 = t.k_cuts[ki + 1], kb0 = k0 / 128;
        Fp8Operand a = p.op_a(), b = p.op_b();
        a.data += m0 * p.k + k0;
        a.scales += m0 * p.kblocks + kb0;
        b.data += n0 * p.k + k0;
        b.scales += (n0 / 128) * p.kblocks + kb0;
        gemm_fp8(m1 - m0, n1 - n0, k1 - k0, a, b, &c[m0 * p.n + n0], p.n, true);
      }
    };
    const size_t mt = t.m_cuts.size() - 1, nt = t.n_cuts.size() - 1;
    if (t.n_outer) {
      for (size_t ni = nt; ni-- > 0;)
        for (size_t mi = mt; mi-- > 0;) run_tile(mi, ni);
    } else {
      for (size_t mi = 0; mi < mt; ++mi)
        for (size_t ni = 0; ni < nt; ++ni) run_tile(mi, ni);
    }
    expect_same_bits(c, whole, "tiled");
  }
}

// ---- BF16 ------------------------------------------------------------------------

TEST(NumericsGemmBf16, MatchesSequentialFp32Reference) {
  std::mt19937 rng(11);
  std::normal_distribution<float> d(0.0f, 3.0f);
  const size_t m = 5, n = 9, k = 333;
  std::vector<uint16_t> a(m * k), b(n * k);
  for (uint16_t& x : a) x = float_to_bf16(d(rng));
  for (uint16_t& x : b) x = float_to_bf16(d(rng));
  std::vector<float> c = random_c(rng, m * n);
  const std::vector<float> c0 = c;
  gemm_bf16(m, n, k, a.data(), k, b.data(), k, c.data(), n, true);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      float acc = c0[i * n + j];
      for (size_t kk = 0; kk < k; ++kk) {
        const double pd = static_cast<double>(bf16_to_float(a[i * k + kk])) * bf16_to_float(b[j * k + kk]);
        const float pf = static_cast<float>(pd);
        ASSERT_EQ(static_cast<double>(pf), pd);  // the product is exact in FP32
        acc = acc + pf;
      }
      EXPECT_EQ(bits(c[i * n + j]), bits(acc));
    }
}

TEST(NumericsGemmBf16, TilingInvariance) {
  std::mt19937 rng(12);
  std::normal_distribution<float> d(0.0f, 3.0f);
  const size_t m = 6, n = 10, k = 200;
  std::vector<uint16_t> a(m * k), b(n * k);
  for (uint16_t& x : a) x = float_to_bf16(d(rng));
  for (uint16_t& x : b) x = float_to_bf16(d(rng));
  std::vector<float> whole(m * n);
  gemm_bf16(m, n, k, a.data(), k, b.data(), k, whole.data(), n, false);
  // K split at arbitrary points (the sum is sequential), tiles in reverse order.
  std::vector<float> c(m * n);
  const size_t k_cuts[] = {0, 1, 77, 150, 200};
  for (size_t mi : {size_t{3}, size_t{0}})
    for (size_t ni : {size_t{7}, size_t{0}}) {
      const size_t m1 = mi == 0 ? 3 : m, n1 = ni == 0 ? 7 : n;
      for (size_t ki = 0; ki + 1 < std::size(k_cuts); ++ki)
        gemm_bf16(m1 - mi, n1 - ni, k_cuts[ki + 1] - k_cuts[ki], &a[mi * k + k_cuts[ki]], k, &b[ni * k + k_cuts[ki]],
                  k, &c[mi * n + ni], n, ki != 0);
    }
  expect_same_bits(c, whole, "bf16 tiled");
}

}  // namespace
}  // namespace cadre::num
