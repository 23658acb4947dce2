// The matrix engine's arithmetic units in RTL (rtl/harness/cadre_numerics_units.sv,
// verilated) against the numerics library, bit for bit: every operand pair of
// the FP8 multipliers, and random plus adversarial operands for the BF16 and
// FP32 multipliers, the FP32 adder, the block-sum rounding, the scale step and
// a processing element summing a whole K block.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "Vcadre_numerics_units.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/exact.h"
#include "cadre/numerics/gemm.h"
#include "rtl_test_util.h"

namespace cadre::test {
namespace {

using num::Format;
using num::i128;

constexpr unsigned kFixedBits = 72;
constexpr unsigned kLaneBits = 75;  // {nan, pos_inf, neg_inf, fixed}

// The FP32 result the numerics library gives, with every NaN canonical (the
// RTL produces only 0x7FFFFFFF, as the GEMMs' outputs are).
uint32_t lib(float x) { return std::bit_cast<uint32_t>(num::canonical(x)); }
float f(uint32_t bits) { return std::bit_cast<float>(bits); }

// A lane from a block sum in the library's form.
template <class Wide>
void put_lane(Wide& port, const num::BlockSum& s) {
  put_wide(port, 0, kFixedBits, static_cast<num::u128>(s.fixed));
  put_wide(port, kFixedBits, 3, (s.nan ? 4u : 0u) | (s.pos_inf ? 2u : 0u) | (s.neg_inf ? 1u : 0u));
}

class RtlUnits : public ::testing::Test {
 protected:
  RtlUnits() {
    u.clk = 0;
    u.eval();
  }
  void tick() {
    u.clk = 1;
    u.eval();
    u.clk = 0;
    u.eval();
  }
  Vcadre_numerics_units u;
};

// FP32 operands that stress rounding and the special cases: signed zeros,
// the subnormal range and its edges, the normal range's edges, values whose
// sums and products round exactly halfway, infinities and NaNs.
std::vector<uint32_t> edge_floats() {
  std::vector<uint32_t> v = {0x00000000, 0x00000001, 0x00000002, 0x00000003, 0x007FFFFF, 0x00400000, 0x00800000,
                             0x00800001, 0x00FFFFFF, 0x01000000, 0x33800000, 0x33800001, 0x34000000, 0x3F7FFFFF,
                             0x3F800000, 0x3F800001, 0x3FC00000, 0x3FFFFFFF, 0x40000000, 0x4B7FFFFF, 0x4B800000,
                             0x4B800001, 0x5F800000, 0x7F000000, 0x7F7FFFFE, 0x7F7FFFFF, 0x7F800000, 0x7F800001,
                             0x7FC00000, 0x7FFFFFFF, 0x1F800000, 0x1F000000, 0x20000000, 0x3E800001, 0x0C000000};
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) v.push_back(v[i] | 0x80000000u);
  return v;
}

// Random FP32 bit patterns, and pairs of them with close exponents (where
// addition cancels and multiplication rounds often).
uint32_t random_float(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return static_cast<uint32_t>(rng());                          // anything
    case 1: return static_cast<uint32_t>(rng()) & 0x807FFFFFu;            // subnormal
    case 2: return (static_cast<uint32_t>(rng()) & 0x81FFFFFFu) | 0x3E000000u;  // near 1
    default: return (static_cast<uint32_t>(rng()) & 0x80FFFFFFu) | 0x7E000000u;  // near overflow
  }
}

TEST_F(RtlUnits, Fp8ProductsAllPairs) {
  for (Format fa : {Format::E4M3, Format::E5M2})
    for (Format fb : {Format::E4M3, Format::E5M2}) {
      u.fp8_a_e5m2 = fa == Format::E5M2;
      u.fp8_b_e5m2 = fb == Format::E5M2;
      int failures = 0;
      for (unsigned a = 0; a < 256; ++a)
        for (unsigned b = 0; b < 256; ++b) {
          u.fp8_a = static_cast<uint8_t>(a);
          u.fp8_b = static_cast<uint8_t>(b);
          u.eval();
          const num::Fp8Product p = num::exact_product(num::decompose_fp8(fa, static_cast<uint8_t>(a)),
                                                       num::decompose_fp8(fb, static_cast<uint8_t>(b)));
          i128 want_fixed = 0;
          if (p.kind == num::Fp8Parts::kFinite) {
            want_fixed = static_cast<i128>(p.sig) << (p.exp - num::kBlockLsbExp);
            if (p.neg) want_fixed = -want_fixed;
          }
          const bool ok = u.fp8_nan == (p.kind == num::Fp8Parts::kNan) &&
                          u.fp8_inf == (p.kind == num::Fp8Parts::kInf) && u.fp8_neg == p.neg &&
                          get_signed(u.fp8_fixed, 0, kFixedBits) == want_fixed;
          if (!ok && failures++ < 5)
            ADD_FAILURE() << num::info(fa).name << " 0x" << std::hex << a << " x " << num::info(fb).name << " 0x"
                          << b;
        }
      EXPECT_EQ(failures, 0) << num::info(fa).name << " x " << num::info(fb).name;
    }
}

TEST_F(RtlUnits, Bf16Products) {
  // Every pair of BF16 values made from the edge floats' top halves, then
  // random pairs.
  std::vector<uint16_t> edges;
  for (uint32_t x : edge_floats()) edges.push_back(static_cast<uint16_t>(x >> 16));
  for (const uint16_t x : std::initializer_list<uint16_t>{0x0001, 0x007F, 0x0080, 0x0081, 0x3F81, 0x7F7F, 0x7F7E,
                                                          0x0040, 0x1F81}) {
    edges.push_back(x);
    edges.push_back(static_cast<uint16_t>(x | 0x8000));
  }
  std::vector<std::pair<uint16_t, uint16_t>> pairs;
  for (uint16_t a : edges)
    for (uint16_t b : edges) pairs.push_back({a, b});
  std::mt19937_64 rng(14);
  for (int i = 0; i < 1'000'000; ++i) pairs.push_back({static_cast<uint16_t>(rng()), static_cast<uint16_t>(rng())});
  int failures = 0;
  for (const auto& [a, b] : pairs) {
    u.bf16_a = a;
    u.bf16_b = b;
    u.eval();
    const uint32_t want = lib(num::mul_rn(num::bf16_to_float(a), num::bf16_to_float(b)));
    if (u.bf16_product != want && failures++ < 5)
      ADD_FAILURE() << std::hex << "0x" << a << " x 0x" << b << ": 0x" << u.bf16_product << ", want 0x" << want;
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(RtlUnits, Fp32ProductsAndSums) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  const std::vector<uint32_t> edges = edge_floats();
  for (uint32_t a : edges)
    for (uint32_t b : edges) pairs.push_back({a, b});
  std::mt19937_64 rng(140);
  for (int i = 0; i < 1'000'000; ++i) {
    const uint32_t a = random_float(rng);
    // Half the pairs share a's exponent or a neighbour's, the other half are independent.
    const uint32_t b = rng() % 2 ? random_float(rng)
                                 : (a & 0xFF800000u) + static_cast<uint32_t>((rng() % 3) << 23) - (1u << 23) +
                                       (static_cast<uint32_t>(rng()) & 0x007FFFFFu) + (rng() % 2 ? 0x80000000u : 0u);
    pairs.push_back({a, b});
  }
  int failures = 0;
  for (const auto& [a, b] : pairs) {
    u.mul_a = u.add_a = a;
    u.mul_b = u.add_b = b;
    u.eval();
    const uint32_t want_mul = lib(num::mul_rn(f(a), f(b))), want_add = lib(num::add_rn(f(a), f(b)));
    if ((u.mul_product != want_mul || u.add_sum != want_add) && failures++ < 5)
      ADD_FAILURE() << std::hex << "0x" << a << ", 0x" << b << ": product 0x" << u.mul_product << " (want 0x"
                    << want_mul << "), sum 0x" << u.add_sum << " (want 0x" << want_add << ")";
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(RtlUnits, BlockSumRounding) {
  std::mt19937_64 rng(1414);
  std::vector<num::BlockSum> sums;
  // Magnitudes of every width up to the lane's 71 bits, each sign, with runs
  // of ones and zeros below the rounding point (halfway cases, carries into
  // the exponent), and the flags alone and together.
  for (unsigned bits = 0; bits <= 71; ++bits)
    for (int variant = 0; variant < 200; ++variant) {
      num::u128 mag = bits == 0 ? 0 : (num::u128{1} << (bits - 1));
      switch (variant % 4) {
        case 0: mag |= (static_cast<num::u128>(rng()) << 64 | rng()) & ((num::u128{1} << bits) - 1) >> 1; break;
        case 1: if (bits > 0) mag = (num::u128{1} << bits) - 1; break;             // all ones: carries
        case 2: if (bits > 25) mag |= num::u128{1} << (bits - 25); break;          // exactly halfway
        default: if (bits > 25) mag |= (num::u128{3} << (bits - 25)) | 1; break;    // just above halfway
      }
      num::BlockSum s;
      s.fixed = variant % 8 < 4 ? static_cast<i128>(mag) : -static_cast<i128>(mag);
      sums.push_back(s);
    }
  for (int flags = 1; flags < 8; ++flags) {
    num::BlockSum s;
    s.fixed = 12345;
    s.nan = flags & 4;
    s.pos_inf = flags & 2;
    s.neg_inf = flags & 1;
    sums.push_back(s);
  }
  int failures = 0;
  for (const num::BlockSum& s : sums) {
    put_lane(u.round_lane, s);
    u.eval();
    const uint32_t want = lib(s.result());
    if (u.round_result != want && failures++ < 5)
      ADD_FAILURE() << std::hex << "fixed 0x" << static_cast<uint64_t>(s.fixed >> 64) << "_"
                    << static_cast<uint64_t>(s.fixed) << ": 0x" << u.round_result << ", want 0x" << want;
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(RtlUnits, ScaleStep) {
  std::mt19937_64 rng(11414);
  const std::vector<uint32_t> edges = edge_floats();
  int failures = 0;
  for (int i = 0; i < 500'000; ++i) {
    // Scales and blocks near 1 most of the time (so the step does not just
    // saturate), edge values and random bits otherwise.
    const auto pick = [&] {
      const uint64_t r = rng() % 8;
      if (r == 0) return edges[rng() % edges.size()];
      if (r == 1) return random_float(rng);
      return (static_cast<uint32_t>(rng()) & 0x83FFFFFFu) | 0x3C000000u;
    };
    const uint32_t acc = pick(), block = pick(), sa = pick(), sb = pick();
    u.step_acc = acc;
    u.step_block = block;
    u.step_sa = sa;
    u.step_sb = sb;
    u.eval();
    const uint32_t want = lib(num::scale_step(f(acc), f(block), f(sa), f(sb)));
    if (u.step_result != want && failures++ < 5)
      ADD_FAILURE() << std::hex << "acc 0x" << acc << " block 0x" << block << " sa 0x" << sa << " sb 0x" << sb
                    << ": 0x" << u.step_result << ", want 0x" << want;
  }
  EXPECT_EQ(failures, 0);
}

// One cell summing a K block of 128 products (FP8: the exact fixed-point
// sum, rounded once; BF16: the sequential FP32 sum).
TEST_F(RtlUnits, CellSumsABlock) {
  std::mt19937_64 rng(141414);
  for (int trial = 0; trial < 400; ++trial) {
    const Format fa = trial % 2 ? Format::E5M2 : Format::E4M3, fb = trial % 3 ? Format::E4M3 : Format::E5M2;
    const bool bf16 = trial % 5 == 4;
    const int kind = trial % 7;  // 0..3 random codes; 4 subnormals; 5 cancelling pairs; 6 specials allowed
    std::vector<uint8_t> a8(128), b8(128);
    std::vector<uint16_t> a16(128), b16(128);
    for (int i = 0; i < 128; ++i) {
      uint8_t x = static_cast<uint8_t>(rng()), y = static_cast<uint8_t>(rng());
      if (kind == 4) x &= 0x83, y &= 0x83;
      if (kind == 5 && i % 2) x = a8[i - 1] ^ 0x80, y = b8[i - 1];
      if (kind != 6) {
        if (num::decompose_fp8(fa, x).kind != num::Fp8Parts::kFinite) x = 0x40;
        if (num::decompose_fp8(fb, y).kind != num::Fp8Parts::kFinite) y = 0x38;
      }
      a8[i] = x, b8[i] = y;
      a16[i] = static_cast<uint16_t>(kind == 5 && i % 2 ? a16[i - 1] ^ 0x8000 : (rng() & 0x8FFF) | 0x3000);
      b16[i] = static_cast<uint16_t>(kind == 5 && i % 2 ? b16[i - 1] : (rng() & 0x8FFF) | 0x3800);
      if (kind == 6 && rng() % 64 == 0) a16[i] = 0x7F80;
    }
    // A cell holds one weight, so each product is a weight load, which also
    // sets the cell's sum (the running sum fed back; zero at the start), and
    // a step with the activation.
    u.pe_bf16 = bf16;
    u.fp8_a_e5m2 = fa == Format::E5M2;
    u.fp8_b_e5m2 = fb == Format::E5M2;
    float bf16_sum = 0.0f;
    for (int i = 0; i < 128; ++i) {
      if (i == 0) {
        put_lane(u.pe_start, num::BlockSum{});
      } else {
        for (unsigned w = 0; w < 3; ++w) u.pe_start[w] = u.pe_sum[w];
      }
      u.fp8_b = b8[i];
      u.bf16_b = b16[i];
      u.pe_load = 1;
      tick();
      u.pe_load = 0;
      u.fp8_a = a8[i];
      u.bf16_a = a16[i];
      u.pe_step = 1;
      tick();
      u.pe_step = 0;
      bf16_sum = num::add_rn(bf16_sum, num::mul_rn(num::bf16_to_float(a16[i]), num::bf16_to_float(b16[i])));
    }
    u.eval();
    const uint32_t got = bf16 ? static_cast<uint32_t>(get_wide(u.pe_sum, 0, 32)) : u.pe_rounded;
    const uint32_t want = bf16 ? lib(bf16_sum) : lib(num::fp8_block_dot(fa, a8.data(), fb, b8.data(), 128));
    ASSERT_EQ(got, want) << "trial " << trial << (bf16 ? " (BF16)" : " (FP8)");
  }
}

}  // namespace
}  // namespace cadre::test
