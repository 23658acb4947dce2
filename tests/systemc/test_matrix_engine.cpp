// The matrix engine alone: bit-identical to the golden GEMMs on several array
// shapes, and its cycles equal to the weight-stationary formula and to
// SCALE-Sim's for the same dataflow.
#include <gtest/gtest.h>

#include <cstring>

#include <random>

#include "accel_test_util.h"
#include "cadre/cost/cost.h"
#include "cadre/golden/expert_kernels.h"
#include "cadre/isa/xcadre.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/gemm.h"
#include "cadre/sim/accel_error.h"
#include "cadre/sim/host_worker.h"
#include "cadre/sim/matrix_engine.h"
#include "cadre/sim/matrix_unit.h"

namespace cadre::test {
namespace {

namespace ops = isa::operands;
using num::Format;

struct Gemm {
  uint64_t m, n, k;
};

// SCALE-Sim's analytical runtime of a weight-stationary layer (Samajdar et
// al., "A Systematic Methodology for Characterizing Scalability of DNN
// Accelerators using SCALE-Sim", ISPASS 2020): per fold 2*Sr + Sc + T - 2
// with Sr, Sc the array's rows and columns and T the streamed rows (M);
// folds = ceil(K / Sr) * ceil(N / Sc).
uint64_t scale_sim_ws(uint64_t sr, uint64_t sc, const Gemm& g) {
  const uint64_t folds = (g.k + sr - 1) / sr * ((g.n + sc - 1) / sc);
  return folds * (2 * sr + sc + g.m - 2);
}

// Operands laid out in different banks: A at bank 0, B at bank 1, scales at
// banks 2 and 3, C in the accumulator.
constexpr uint64_t kA = kSp, kB = kSp + (1u << 18), kSa = kSp + (2u << 18), kSb = kSp + (3u << 18);

struct Fp8Case {
  golden::Fp8Activations a;
  golden::Fp8Weight w;
};

Fp8Case fp8_case(std::mt19937& rng, const Gemm& g) {
  std::uniform_int_distribution<int> code(0, 255);
  Fp8Case c;
  c.a.codes.resize(static_cast<golden::Index>(g.m), static_cast<golden::Index>(g.k));
  c.w.codes.resize(static_cast<golden::Index>(g.n), static_cast<golden::Index>(g.k));
  // E4M3 codes without NaN (0x7F / 0xFF), so the sums are meaningful.
  for (auto* mat : {&c.a.codes, &c.w.codes})
    for (golden::Index i = 0; i < mat->size(); ++i) {
      int v = code(rng);
      if ((v & 0x7F) == 0x7F) v ^= 1;
      mat->data()[i] = static_cast<uint8_t>(v);
    }
  const auto kb = golden::blocks_of(static_cast<golden::Index>(g.k));
  c.a.scales.resize(static_cast<golden::Index>(g.m), kb);
  c.w.scales.resize(golden::blocks_of(static_cast<golden::Index>(g.n)), kb);
  for (auto* s : {&c.a.scales, &c.w.scales})
    for (golden::Index i = 0; i < s->size(); ++i) s->data()[i] = std::ldexp(random_floats(rng, 1, 0.5f, 1.0f)[0], -6);
  return c;
}

// Runs cmx.cfg, cmx.preload, cmx.mm on a fresh engine; returns C and the mm cycles.
std::vector<float> run_fp8(const arch::ArchConfig& cfg, const Fp8Case& c, const Gemm& g, uint64_t* cycles) {
  LocalRig rig(cfg);
  rig.memory.write(kA, {c.a.codes.data(), static_cast<size_t>(c.a.codes.size())});
  rig.memory.write(kB, {c.w.codes.data(), static_cast<size_t>(c.w.codes.size())});
  rig.put(kSa, std::vector<float>(c.a.scales.data(), c.a.scales.data() + c.a.scales.size()));
  rig.put(kSb, std::vector<float>(c.w.scales.data(), c.w.scales.data() + c.w.scales.size()));
  sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}, {});
  engine.preload(ops::TileWithScales{.tile = kB, .scales = kSb},
                 ops::WeightShape{.k = g.k, .n = g.n});
  *cycles = engine.matmul(ops::TileWithScales{.tile = kA, .scales = kSa},
                          ops::MatmulOut{.acc = kAcc, .m = g.m}, false);
  EXPECT_EQ(engine.stats().macs, g.m * g.n * g.k);
  return rig.get<float>(kAcc, g.m * g.n);
}

TEST(MatrixEngine, Fp8MatchesGoldenOnEveryArrayShape) {
  std::mt19937 rng(1);
  const Gemm shapes[] = {{1, 1, 1}, {5, 7, 130}, {16, 16, 256}, {9, 129, 200}, {3, 40, 384}};
  const std::pair<uint32_t, uint32_t> arrays[] = {{1, 1}, {8, 8}, {4, 16}, {3, 5}, {128, 128}};
  for (const Gemm& g : shapes) {
    const Fp8Case c = fp8_case(rng, g);
    // The oracle: the golden expert GEMM (BF16 out) and the numerics GEMM (FP32).
    golden::MatrixU16 expect(static_cast<golden::Index>(g.m), static_cast<golden::Index>(g.n));
    golden::expert_gemm(c.a, 0, static_cast<golden::Index>(g.m), c.w, expect, 0);
    std::vector<uint32_t> first;
    for (const auto& [r, cl] : arrays) {
      uint64_t cycles = 0;
      const std::vector<float> out = run_fp8(unit_config(r, cl), c, g, &cycles);
      std::vector<uint32_t> out_bits;
      for (size_t i = 0; i < out.size(); ++i) {
        out_bits.push_back(bits(out[i]));
        ASSERT_EQ(num::float_to_bf16(out[i]), expect.data()[i]) << "m" << g.m << " n" << g.n << " k" << g.k
                                                                 << " array " << r << "x" << cl << " i" << i;
      }
      if (first.empty()) first = out_bits;
      EXPECT_EQ(out_bits, first) << "array " << r << "x" << cl;
      EXPECT_EQ(cycles, cost::ws_timing(r, cl, g.m, g.n, g.k).total());
    }
  }
}

TEST(MatrixEngine, WeightBuffersAndPreloadWidthChangeCyclesNotBits) {
  std::mt19937 rng(3);
  const Gemm shapes[] = {{2, 40, 384}, {33, 16, 256}, {1, 129, 130}};
  for (const Gemm& g : shapes) {
    const Fp8Case c = fp8_case(rng, g);
    uint64_t base_cycles = 0;
    const std::vector<float> base = run_fp8(unit_config(8, 8), c, g, &base_cycles);
    EXPECT_EQ(base_cycles, cost::ws_timing(8, 8, g.m, g.n, g.k).total());
    for (uint32_t buffers : {1u, 2u})
      for (uint32_t rows_per_cycle : {1u, 2u, 3u, 8u}) {
        arch::ArchConfig cfg = unit_config(8, 8);
        cfg.matrix.weight_buffers = buffers;
        cfg.matrix.preload_rows_per_cycle = rows_per_cycle;
        uint64_t cycles = 0;
        const std::vector<float> out = run_fp8(cfg, c, g, &cycles);
        EXPECT_EQ(std::memcmp(out.data(), base.data(), out.size() * 4), 0) << buffers << " " << rows_per_cycle;
        // The formula, written out: F folds, P preload, M rows, R + C - 2 fill and drain.
        const uint64_t folds = ((g.k + 7) / 8) * ((g.n + 7) / 8), p = (8 + rows_per_cycle - 1) / rows_per_cycle;
        const uint64_t expect = buffers == 1 ? folds * (p + g.m + 14) : p + (folds - 1) * std::max(p, g.m) + g.m + 14;
        EXPECT_EQ(cycles, expect) << buffers << " " << rows_per_cycle;
      }
  }
}

TEST(MatrixEngine, MixedFp8AndAccumulateMatchNumerics) {
  std::mt19937 rng(2);
  const Gemm g{6, 10, 300};
  const arch::ArchConfig cfg = unit_config(4, 4);
  LocalRig rig(cfg);
  std::uniform_int_distribution<int> code(0, 255);
  std::vector<uint8_t> a(g.m * g.k), b(g.n * g.k);
  for (auto& x : a) x = static_cast<uint8_t>(code(rng));  // E4M3, NaN codes included
  for (auto& x : b) x = static_cast<uint8_t>(code(rng));  // E5M2, infinities and NaNs included
  const std::vector<float> sa = random_floats(rng, g.m * 3, 0.01f, 1.0f), sb = random_floats(rng, 3, 0.01f, 1.0f);
  std::vector<float> c0 = random_floats(rng, g.m * g.n, -10.0f, 10.0f);
  rig.put(kA, a);
  rig.put(kB, b);
  rig.put(kSa, sa);
  rig.put(kSb, sb);
  rig.put(kAcc, c0);
  sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 3}, {});
  engine.preload(ops::TileWithScales{.tile = kB, .scales = kSb},
                 ops::WeightShape{.k = g.k, .n = g.n});
  engine.matmul(ops::TileWithScales{.tile = kA, .scales = kSa},
                ops::MatmulOut{.acc = kAcc, .m = g.m}, true);
  std::vector<float> expect = c0;
  const num::Fp8Operand oa{Format::E4M3, a.data(), g.k, sa.data(), 1, 3, 1};
  const num::Fp8Operand ob{Format::E5M2, b.data(), g.k, sb.data(), 128, 3, 1};
  num::gemm_fp8(g.m, g.n, g.k, oa, ob, expect.data(), g.n, true);
  const std::vector<float> out = rig.get<float>(kAcc, g.m * g.n);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(bits(out[i]), bits(expect[i])) << i;
}

TEST(MatrixEngine, Bf16MatchesGoldenWithStrides) {
  std::mt19937 rng(3);
  const Gemm g{7, 12, 45};
  golden::MatrixU16 a(7, 45), w(12, 45);
  for (auto* mat : {&a, &w})
    for (golden::Index i = 0; i < mat->size(); ++i)
      mat->data()[i] = num::float_to_bf16(random_floats(rng, 1, -2.0f, 2.0f)[0]);
  golden::MatrixU16 expect(7, 12);
  golden::expert_gemm(a, 0, 7, w, expect, 0);
  for (const auto& [r, cl] : {std::pair{8u, 8u}, std::pair{2u, 3u}}) {
    const arch::ArchConfig cfg = unit_config(r, cl);
    LocalRig rig(cfg);
    // Rows padded to 128 bytes (A) and 100 bytes (B): the strides are honoured.
    for (golden::Index i = 0; i < 7; ++i) rig.memory.write(kA + 128 * static_cast<uint64_t>(i), {reinterpret_cast<const uint8_t*>(&a(i, 0)), 90});
    for (golden::Index i = 0; i < 12; ++i) rig.memory.write(kB + 100 * static_cast<uint64_t>(i), {reinterpret_cast<const uint8_t*>(&w(i, 0)), 90});
    sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
    engine.configure(ops::MatrixFormats{.a_fmt = 1, .b_fmt = 1},
                     ops::OperandStrides{.a_stride = 128, .b_stride = 100});
    engine.preload(ops::TileWithScales{.tile = kB}, ops::WeightShape{.k = 45, .n = 12});
    const uint64_t cycles = engine.matmul(ops::TileWithScales{.tile = kA},
                                          ops::MatmulOut{.acc = kAcc, .m = 7}, false);
    EXPECT_EQ(cycles, scale_sim_ws(r, cl, g));
    const std::vector<float> out = rig.get<float>(kAcc, 7 * 12);
    for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(num::float_to_bf16(out[i]), expect.data()[i]) << i;
  }
}

// The way an expert's gate_up GEMM is tiled: B in 128-column K chunks
// (cmx.mm, then cmx.mm.acc in increasing K) and in two N halves written as
// the left and right columns of one C (the cmx.cfg C stride). The bits equal
// the whole GEMM's.
TEST(MatrixEngine, KChunksAndCStrideTileAGemmExactly) {
  std::mt19937 rng(4);
  const Gemm g{5, 24, 384};
  const Fp8Case c = fp8_case(rng, g);
  golden::MatrixU16 expect(5, 24);
  golden::expert_gemm(c.a, 0, 5, c.w, expect, 0);
  const arch::ArchConfig cfg = unit_config(8, 8);
  LocalRig rig(cfg);
  rig.memory.write(kA, {c.a.codes.data(), static_cast<size_t>(c.a.codes.size())});
  rig.memory.write(kB, {c.w.codes.data(), static_cast<size_t>(c.w.codes.size())});
  sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
  const uint64_t half = g.n / 2;
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2, .c_stride = g.n * 4},
                   ops::OperandStrides{.a_stride = g.k, .b_stride = g.k});
  uint64_t cycles = 0;
  for (uint64_t h = 0; h < 2; ++h)
    for (uint64_t k0 = 0; k0 < g.k; k0 += 128) {
      // The chunk's scales, packed as cmx.mm reads them: A one per row, B one (rows 0..23 are one block).
      std::vector<float> sa(g.m);
      for (uint64_t r = 0; r < g.m; ++r) sa[r] = c.a.scales(static_cast<golden::Index>(r), static_cast<golden::Index>(k0 / 128));
      rig.put(kSa, sa);
      rig.put(kSb, std::vector<float>{c.w.scales(0, static_cast<golden::Index>(k0 / 128))});
      engine.preload(ops::TileWithScales{.tile = kB + h * half * g.k + k0, .scales = kSb},
                     ops::WeightShape{.k = 128, .n = half});
      cycles += engine.matmul(ops::TileWithScales{.tile = kA + k0, .scales = kSa},
                              ops::MatmulOut{.acc = kAcc + h * half * 4, .m = g.m}, k0 > 0);
    }
  const std::vector<float> out = rig.get<float>(kAcc, g.m * g.n);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(num::float_to_bf16(out[i]), expect.data()[i]) << i;
  EXPECT_EQ(cycles, 2 * 3 * cost::ws_timing(8, 8, g.m, half, 128).total());
  // A stride shorter than a row of C would overlap its rows.
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2, .c_stride = half * 4 - 4}, {});
  try {
    engine.matmul(ops::TileWithScales{.tile = kA}, ops::MatmulOut{.acc = kAcc, .m = 2},
                  false);
    FAIL() << "no error";
  } catch (const sim::AccelError& e) {
    EXPECT_NE(std::string(e.what()).find("C row stride 44 (cmx.cfg) is shorter than a row of 12 FP32"),
              std::string::npos)
        << e.what();
  }
}

// With a host worker, cmx.mm's products run on it: the operands are copies
// taken at the command (so the scratchpad may be overwritten at once), the
// K chunks accumulate in order, and a read of the accumulator waits for them.
// The bits and cycles equal the inline engine's.
TEST(MatrixEngine, ProductsOnTheHostWorkerEqualInlineOnes) {
  std::mt19937 rng(6);
  const Gemm g{33, 64, 896};
  const Fp8Case c = fp8_case(rng, g);
  const arch::ArchConfig cfg = unit_config(8, 8);
  const auto run = [&](sim::HostWorker* worker, uint64_t* cycles) {
    LocalRig rig(cfg);
    rig.memory.defer_to(worker, 0);
    sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
    engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}, {});
    for (uint64_t k0 = 0; k0 < g.k; k0 += 128) {
      // Each chunk's A and B packed at the same addresses, overwriting the last chunk's.
      std::vector<uint8_t> a(g.m * 128), b(g.n * 128);
      std::vector<float> sa(g.m);
      for (uint64_t r = 0; r < g.m; ++r) {
        std::memcpy(&a[r * 128], &c.a.codes(static_cast<golden::Index>(r), static_cast<golden::Index>(k0)), 128);
        sa[r] = c.a.scales(static_cast<golden::Index>(r), static_cast<golden::Index>(k0 / 128));
      }
      for (uint64_t r = 0; r < g.n; ++r)
        std::memcpy(&b[r * 128], &c.w.codes(static_cast<golden::Index>(r), static_cast<golden::Index>(k0)), 128);
      rig.put(kA, a);
      rig.put(kB, b);
      rig.put(kSa, sa);
      rig.put(kSb, std::vector<float>{c.w.scales(0, static_cast<golden::Index>(k0 / 128))});
      engine.preload(ops::TileWithScales{.tile = kB, .scales = kSb}, ops::WeightShape{.k = 128, .n = g.n});
      *cycles += engine.matmul(ops::TileWithScales{.tile = kA, .scales = kSa}, ops::MatmulOut{.acc = kAcc, .m = g.m},
                               k0 > 0);
    }
    return rig.get<float>(kAcc, g.m * g.n);
  };
  uint64_t inline_cycles = 0, worker_cycles = 0;
  const std::vector<float> inline_out = run(nullptr, &inline_cycles);
  sim::HostWorker worker(1);
  const std::vector<float> worker_out = run(&worker, &worker_cycles);
  ASSERT_EQ(worker_out.size(), inline_out.size());
  EXPECT_EQ(std::memcmp(worker_out.data(), inline_out.data(), inline_out.size() * 4), 0);
  EXPECT_EQ(worker_cycles, inline_cycles);
  golden::MatrixU16 expect(static_cast<golden::Index>(g.m), static_cast<golden::Index>(g.n));
  golden::expert_gemm(c.a, 0, static_cast<golden::Index>(g.m), c.w, expect, 0);
  for (size_t i = 0; i < worker_out.size(); ++i) ASSERT_EQ(num::float_to_bf16(worker_out[i]), expect.data()[i]) << i;
}

TEST(MatrixEngine, FormulaAgreesWithScaleSimOnManyShapes) {
  int checked = 0;
  for (uint64_t r : {1, 2, 3, 8, 16, 128})
    for (uint64_t c : {1, 4, 7, 8, 32, 128})
      for (uint64_t m : {1, 2, 17, 64, 1000})
        for (uint64_t n : {1, 5, 8, 129, 2048})
          for (uint64_t k : {1, 7, 128, 300, 7168}) {
            const cost::MatrixTiming t = cost::ws_timing(r, c, m, n, k);
            ASSERT_EQ(t.folds, ((k + r - 1) / r) * ((n + c - 1) / c));
            ASSERT_EQ(t.preload_cycles, r);
            ASSERT_EQ(t.stream_cycles, r + c + m - 2);
            ASSERT_EQ(t.total(), scale_sim_ws(r, c, {m, n, k})) << r << "x" << c << " " << m << " " << n << " " << k;
            ++checked;
          }
  EXPECT_EQ(checked, 6 * 6 * 5 * 5 * 5);
}

TEST(MatrixEngine, SharedBankCostsTheStreamAgainAndIsCounted) {
  const arch::ArchConfig cfg = unit_config(8, 8);
  LocalRig rig(cfg);
  sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}, {});
  engine.preload(ops::TileWithScales{.tile = kB}, ops::WeightShape{.k = 16, .n = 16});
  // Output in the scratchpad bank that A streams from: the two streams take turns.
  const uint64_t cycles = engine.matmul(ops::TileWithScales{.tile = kA},
                                        ops::MatmulOut{.acc = kA + 4096, .m = 10}, false);
  const cost::MatrixTiming t = cost::ws_timing(8, 8, 10, 16, 16);
  EXPECT_EQ(cycles, t.total() + t.folds * 10);
  EXPECT_EQ(rig.memory.stats().conflicts, 1u);
  EXPECT_EQ(rig.memory.stats().conflict_cycles, t.folds * 10);
  EXPECT_EQ(engine.stats().conflict_cycles, t.folds * 10);
}

TEST(MatrixEngine, BadOperandsAreClearErrors) {
  const arch::ArchConfig cfg = unit_config(8, 8);
  LocalRig rig(cfg);
  sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
  EXPECT_THROW(engine.matmul({}, ops::MatmulOut{.acc = kAcc, .m = 1}, false), sim::AccelError);
  EXPECT_THROW(engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 1}, {}), sim::AccelError);
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}, {});
  engine.preload(ops::TileWithScales{.tile = kB}, ops::WeightShape{.k = 64, .n = 8});
  // A runs past the end of the scratchpad.
  try {
    engine.matmul(ops::TileWithScales{.tile = kSp + (1u << 20) - 100},
                  ops::MatmulOut{.acc = kAcc, .m = 4}, false);
    FAIL() << "no error";
  } catch (const sim::AccelError& e) {
    EXPECT_NE(std::string(e.what()).find("cmx.mm A"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("outside local memory"), std::string::npos) << e.what();
  }
  EXPECT_THROW(engine.matmul(ops::TileWithScales{.tile = kA},
                             ops::MatmulOut{.acc = kAcc, .m = 0}, false),
               sim::AccelError);
}

// The local memory traffic of a cmx.mm.acc is the array's (A once per column
// fold, B once, C written per row fold and read back), the same whether the
// FP8 values are computed or not (`cadre run --timing-only`).
TEST(MatrixEngine, CountsTheArraysTrafficWithAndWithoutValues) {
  const arch::ArchConfig cfg = unit_config(8, 8);  // 16 x 20 x 24: 3 column folds, 3 row folds
  for (const bool values : {true, false}) {
    LocalRig rig(cfg);
    sim::BehaviouralMatrixEngine engine(cfg, rig.memory);
    engine.set_fp8_values(values);
    engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}, {});
    engine.preload(ops::TileWithScales{.tile = kB, .scales = kSb}, ops::WeightShape{.k = 24, .n = 20});
    engine.matmul(ops::TileWithScales{.tile = kA, .scales = kSa}, ops::MatmulOut{.acc = kAcc, .m = 16}, true);
    const sim::LocalMemoryStats& s = rig.memory.stats();
    // A 3 x 16 x 24 + its scales 3 x 16 x 4; B 20 x 24 + one scale block of 4 bytes.
    EXPECT_EQ(s.scratchpad_bytes_read, 3u * 16 * 24 + 3 * 16 * 4 + 20 * 24 + 4) << values;
    EXPECT_EQ(s.scratchpad_bytes_written, 0u) << values;
    EXPECT_EQ(s.accumulator_bytes_written, 3u * 16 * 20 * 4) << values;
    EXPECT_EQ(s.accumulator_bytes_read, 3u * 16 * 20 * 4) << values;  // 2 later row folds + accumulate
    EXPECT_EQ(engine.stats().bf16_macs, 0u);
  }
}

// /matrix/engine picks the implementation behind MatrixUnit, and
// matrix_command hands it each cmx.* instruction with its operands decoded.
TEST(MatrixUnit, TheConfigurationSelectsTheEngineAndCommandsReachIt) {
  const arch::ArchConfig cfg = unit_config();
  ASSERT_EQ(cfg.matrix.engine, arch::MatrixEngineKind::Behavioural);
  LocalRig rig(cfg);
  const std::unique_ptr<sim::MatrixUnit> unit = sim::make_matrix_unit(cfg, rig.memory);
  EXPECT_NE(dynamic_cast<sim::BehaviouralMatrixEngine*>(unit.get()), nullptr);
  const uint64_t e4m3 = ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}.encode();
  EXPECT_EQ(sim::matrix_command(*unit, isa::Op::MatrixConfig, e4m3, 0), cost::kConfigCycles);
  EXPECT_EQ(sim::matrix_command(*unit, isa::Op::MatrixPreload, ops::TileWithScales{.tile = kB}.encode(),
                                ops::WeightShape{.k = 16, .n = 16}.encode()),
            cost::kConfigCycles);
  EXPECT_EQ(sim::matrix_command(*unit, isa::Op::MatrixMulAcc, ops::TileWithScales{.tile = kA}.encode(),
                                ops::MatmulOut{.acc = kAcc, .m = 10}.encode()),
            cost::matmul_timing(cfg, 10, 16, 16).total());
  EXPECT_EQ(unit->stats().commands, 3u);
  EXPECT_EQ(unit->stats().macs, 10u * 16 * 16);
  EXPECT_THROW(sim::matrix_command(*unit, isa::Op::VecAdd, 0, 0), sim::AccelError);
}

}  // namespace
}  // namespace cadre::test
