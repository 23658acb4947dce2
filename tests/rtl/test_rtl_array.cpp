// The verilated matrix engine (every shape in CADRE_RTL_SHAPES) against the
// numerics library's GEMMs and the cost model's cycles: random and
// adversarial tiles in every format pair, K that crosses 128-blocks inside
// a fold (R that does not divide 128), partial folds in K and N, and
// accumulation onto existing values.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/cost/cost.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/gemm.h"
#include "cadre/rtl/array_model.h"

namespace cadre::rtl {
// How gtest names a shape in test output.
void PrintTo(const ArrayShape& s, std::ostream* out) { *out << describe(s); }
}  // namespace cadre::rtl

namespace cadre::test {
namespace {

using num::Format;

struct Gemm {
  uint32_t m, n, k;
};

// What values a case's operands take.
enum class Values { Random, Subnormal, Specials, Cancelling, Saturated };

struct Case {
  Format a_format, b_format;
  Gemm g;
  Values values;
  bool scaled;      // FP8: with block scales (else every scale is 1)
  bool accumulate;  // C starts from random values (cmx.mm.acc)
};

struct Operands {
  std::vector<uint8_t> a, b;
  std::vector<float> sa, sb, c0;
};

uint8_t fp8_code(std::mt19937_64& rng, Format f, Values v) {
  uint8_t x = static_cast<uint8_t>(rng());
  switch (v) {
    case Values::Subnormal: x &= f == Format::E4M3 ? 0x87 : 0x83; break;
    case Values::Saturated: x = static_cast<uint8_t>((f == Format::E4M3 ? 0x7E : 0x7B) | (x & 0x80)); break;
    case Values::Specials:
      if (rng() % 16 == 0) return static_cast<uint8_t>((f == Format::E4M3 ? 0x7F : 0x7C | (rng() % 4)) | (x & 0x80));
      break;
    default: break;
  }
  // Outside the specials case, NaN and infinity codes become finite ones.
  if (v != Values::Specials && num::decompose_fp8(f, x).kind != num::Fp8Parts::kFinite) x ^= 0x08;
  return x;
}

uint16_t bf16_code(std::mt19937_64& rng, Values v) {
  uint16_t x = static_cast<uint16_t>((rng() & 0x80FF) | ((0x78 + rng() % 16) << 7));  // about 2^-7 .. 2^8
  switch (v) {
    case Values::Subnormal: return static_cast<uint16_t>(rng() & 0x807F);
    case Values::Saturated: return static_cast<uint16_t>(0x7F7F | (x & 0x8000));
    case Values::Specials: {
      const uint16_t special[] = {0x7F80, 0xFF80, 0x7FC1, 0x0000, 0x8000, 0x0001};
      if (rng() % 16 == 0) return special[rng() % 6];
      return x;
    }
    default: return x;
  }
}

Operands make_operands(const Case& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const bool bf16 = c.a_format == Format::BF16;
  const uint32_t m = c.g.m, n = c.g.n, k = c.g.k, kb = (k + 127) / 128;
  Operands o;
  const auto fill = [&](std::vector<uint8_t>& out, uint32_t rows, Format f) {
    out.resize(static_cast<size_t>(rows) * k * (bf16 ? 2 : 1));
    for (size_t i = 0; i < static_cast<size_t>(rows) * k; ++i) {
      if (bf16) {
        const uint16_t x = bf16_code(rng, c.values);
        out[2 * i] = static_cast<uint8_t>(x);
        out[2 * i + 1] = static_cast<uint8_t>(x >> 8);
      } else {
        out[i] = fp8_code(rng, f, c.values);
      }
    }
  };
  fill(o.a, m, c.a_format);
  fill(o.b, n, c.b_format);
  if (c.values == Values::Cancelling) {
    // Row 1 of A is row 0 negated, so with B's row 0 they cancel exactly.
    const size_t row = static_cast<size_t>(k) * (bf16 ? 2 : 1);
    if (m > 1)
      for (size_t i = 0; i < row; ++i) o.a[row + i] = static_cast<uint8_t>(o.a[i] ^ ((bf16 ? i % 2 : 1) ? 0x80 : 0));
  }
  if (!bf16 && c.scaled) {
    std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
    o.sa.resize(static_cast<size_t>(m) * kb);
    o.sb.resize(static_cast<size_t>((n + 127) / 128) * kb);
    for (float& s : o.sa) s = std::ldexp(mantissa(rng), static_cast<int>(rng() % 16) - 10);
    for (float& s : o.sb) s = std::ldexp(mantissa(rng), static_cast<int>(rng() % 16) - 10);
  }
  o.c0.assign(static_cast<size_t>(m) * n, 0.0f);
  if (c.accumulate)
    for (float& x : o.c0) x = std::ldexp(static_cast<float>(static_cast<int32_t>(rng() % 2001) - 1000), -4);
  return o;
}

// The numerics library's result.
std::vector<float> reference(const Case& c, const Operands& o) {
  const uint32_t m = c.g.m, n = c.g.n, k = c.g.k, kb = (k + 127) / 128;
  std::vector<float> out = o.c0;
  if (c.a_format == Format::BF16) {
    num::gemm_bf16(m, n, k, reinterpret_cast<const uint16_t*>(o.a.data()), k,
                   reinterpret_cast<const uint16_t*>(o.b.data()), k, out.data(), n, true);
    return out;
  }
  const std::vector<float> ones_a(static_cast<size_t>(m) * kb, 1.0f), ones_b(static_cast<size_t>((n + 127) / 128) * kb, 1.0f);
  const num::Fp8Operand a{c.a_format, o.a.data(), k, o.sa.empty() ? ones_a.data() : o.sa.data(), 1, kb, 1};
  const num::Fp8Operand b{c.b_format, o.b.data(), k, o.sb.empty() ? ones_b.data() : o.sb.data(), 128, kb, 1};
  num::gemm_fp8(m, n, k, a, b, out.data(), n, true);
  return out;
}

arch::ArchConfig config_of(const rtl::ArrayShape& s) {
  arch::ArchConfig cfg = arch::load_arch("small");
  cfg.matrix.rows = s.rows;
  cfg.matrix.cols = s.cols;
  cfg.matrix.preload_rows_per_cycle = s.preload_rows_per_cycle;
  cfg.matrix.weight_buffers = s.weight_buffers;
  return cfg;
}

// The cost model's cycles, except one documented difference (docs/rtl.md,
// "Cycles"): with two weight buffers a BF16 fold that continues the previous
// fold's K range starts at least R cycles after it, because its column sums
// begin from the accumulator values the previous fold leaves at the bottom.
uint64_t expected_cycles(const rtl::ArrayShape& s, const Case& c) {
  const cost::MatrixTiming t = cost::matmul_timing(config_of(s), c.g.m, c.g.n, c.g.k);
  if (c.a_format != Format::BF16 || s.weight_buffers == 1) return t.total();
  const uint64_t k_folds = (c.g.k + s.rows - 1) / s.rows, n_folds = (c.g.n + s.cols - 1) / s.cols;
  const uint64_t continuing = n_folds * (k_folds - 1), others = t.folds - 1 - continuing;
  const uint64_t gap = std::max(t.preload_cycles, t.rows);
  return t.preload_cycles + continuing * std::max<uint64_t>(gap, s.rows) + others * gap + t.stream_cycles;
}

std::string fmt_case(const Case& c) {
  const char* values[] = {"random", "subnormal", "specials", "cancelling", "saturated"};
  return std::string(num::info(c.a_format).name) + "x" + std::string(num::info(c.b_format).name) + " m" +
         std::to_string(c.g.m) + " n" + std::to_string(c.g.n) + " k" + std::to_string(c.g.k) + " " +
         values[static_cast<int>(c.values)] + (c.scaled ? " scaled" : "") + (c.accumulate ? " acc" : "");
}

std::vector<Case> cases() {
  std::vector<Case> out;
  const Gemm shapes[] = {{1, 1, 1}, {3, 7, 5}, {9, 10, 130}, {4, 3, 300}, {2, 6, 256}, {5, 2, 129}};
  const std::pair<Format, Format> pairs[] = {{Format::E4M3, Format::E4M3},
                                             {Format::E4M3, Format::E5M2},
                                             {Format::E5M2, Format::E4M3},
                                             {Format::E5M2, Format::E5M2},
                                             {Format::BF16, Format::BF16}};
  int i = 0;
  for (const Gemm& g : shapes)
    for (const auto& [fa, fb] : pairs) {
      out.push_back({fa, fb, g, Values::Random, i % 2 == 0, i % 3 == 0});
      ++i;
    }
  for (Values v : {Values::Subnormal, Values::Specials, Values::Cancelling, Values::Saturated})
    for (const auto& [fa, fb] : pairs) out.push_back({fa, fb, {3, 4, 200}, v, true, v == Values::Specials});
  return out;
}

class RtlArray : public ::testing::TestWithParam<rtl::ArrayShape> {};

TEST_P(RtlArray, MatchesNumericsAndCostModel) {
  const rtl::ArrayShape shape = GetParam();
  const std::unique_ptr<rtl::ArrayModel> model = rtl::make_array_model(shape);
  uint64_t seed = 0;
  for (const Case& c : cases()) {
    const Operands o = make_operands(c, ++seed);
    const std::vector<float> want = reference(c, o);
    std::vector<float> got = o.c0;
    const rtl::GemmOperands ops{c.a_format, c.b_format, c.g.m, c.g.n, c.g.k, o.a, o.b, o.sa, o.sb};
    const uint64_t cycles = model->run(ops, got, 0);
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i]))
          << rtl::describe(shape) << ", " << fmt_case(c) << ": C[" << i / c.g.n << "][" << i % c.g.n << "] is "
          << got[i] << ", the numerics library gives " << want[i];
    EXPECT_EQ(cycles, expected_cycles(shape, c)) << rtl::describe(shape) << ", " << fmt_case(c);
  }
}

INSTANTIATE_TEST_SUITE_P(BuiltShapes, RtlArray, ::testing::ValuesIn(rtl::built_shapes()),
                         [](const ::testing::TestParamInfo<rtl::ArrayShape>& param) {
                           const rtl::ArrayShape& s = param.param;
                           return std::to_string(s.rows) + "x" + std::to_string(s.cols) + "_p" +
                                  std::to_string(s.preload_rows_per_cycle) + "_w" + std::to_string(s.weight_buffers);
                         });

// The documented difference, worked by hand on the 2x3 array with two weight
// buffers and one-cycle preloads: BF16, m 1, n 3, k 4 is two folds along K.
// The cost model streams the second fold max(P, M) = 1 cycle after the
// first; the RTL waits R = 2 cycles, for the first fold's sums to leave the
// bottom of the columns: 1 + 2 + (M + R + C - 2 = 4) = 7 cycles, not 6.
TEST(RtlArrayShapes, Bf16FoldContinuingASumWaitsForIt) {
  const rtl::ArrayShape shape{2, 3, 2, 2};
  if (!rtl::missing_model(shape).empty()) GTEST_SKIP() << rtl::missing_model(shape);
  const Case c{Format::BF16, Format::BF16, {1, 3, 4}, Values::Random, false, false};
  EXPECT_EQ(cost::matmul_timing(config_of(shape), 1, 3, 4).total(), 6u);
  const Operands o = make_operands(c, 7);
  std::vector<float> got = o.c0;
  const rtl::GemmOperands ops{c.a_format, c.b_format, 1, 3, 4, o.a, o.b, o.sa, o.sb};
  EXPECT_EQ(rtl::make_array_model(shape)->run(ops, got, 0), 7u);
  // FP8 carries its partial sums at the bottom and keeps the cost model's 6.
  const Case f{Format::E4M3, Format::E4M3, {1, 3, 4}, Values::Random, false, false};
  const Operands fo = make_operands(f, 8);
  std::vector<float> fgot = fo.c0;
  const rtl::GemmOperands fops{f.a_format, f.b_format, 1, 3, 4, fo.a, fo.b, fo.sa, fo.sb};
  EXPECT_EQ(rtl::make_array_model(shape)->run(fops, fgot, 0), 6u);
}

TEST(RtlArrayShapes, UnbuiltShapeIsAClearError) {
  try {
    rtl::make_array_model({7, 9, 1, 1});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("7x9"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CADRE_RTL_SHAPES"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cadre::test
