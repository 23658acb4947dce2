// The calibration re-run as code: in sample it gives the shipped constants,
// and cross-validated (each row judged by a fit that did not see it) its
// median error stays bounded. The constants called unconstrained move no
// published row, and the ranges they give bound the nominal time.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "cadre/gpumodel/calibration.h"
#include "cadre/gpumodel/model_range.h"

namespace cadre::gpumodel {
namespace {

using model::GemmLayout;
using model::Phase;
using model::Precision;

// Held-out median |error|, leaving one table or one row out (docs/gpu-model.md:
// 6.0% and 5.9% when written; in sample 4.3%).
constexpr double kHeldOutMedianBound = 0.07;
constexpr double kHeldOutWorstBound = 0.25;

const CrossValidation& cv() {
  static const CrossValidation result = cross_validate(deepgemm_h800_rows(), find_gpu("h800"));
  return result;
}

TEST(Calibration, InSampleFitIsTheShippedConstants) {
  for (const ModelConstant& c : model_constants()) {
    if (c.basis != ConstantBasis::Calibrated) continue;
    EXPECT_EQ(c.get(cv().in_sample), c.get(kHopper)) << c.name;
    EXPECT_GE(c.get(kHopper), c.low) << c.name;
    EXPECT_LE(c.get(kHopper), c.high) << c.name;
  }
  const std::vector<double> shipped = row_errors(deepgemm_h800_rows(), find_gpu("h800"), kHopper);
  ASSERT_EQ(cv().in_sample_errors.size(), shipped.size());
  for (size_t r = 0; r < shipped.size(); ++r) EXPECT_NEAR(cv().in_sample_errors[r], shipped[r], 1e-12) << r;
}

TEST(Calibration, EveryRowIsHeldOutOnceByTableAndByRow) {
  const auto rows = deepgemm_h800_rows();
  ASSERT_EQ(cv().tables.size(), 3u);
  EXPECT_EQ(cv().tables[0], GemmLayout::Dense);
  EXPECT_EQ(cv().tables[1], GemmLayout::Contiguous);
  EXPECT_EQ(cv().tables[2], GemmLayout::Masked);
  EXPECT_EQ(cv().table_fits.size(), 3u);
  EXPECT_EQ(cv().table_out_errors.size(), rows.size());
  EXPECT_EQ(cv().row_fits.size(), rows.size());
  EXPECT_EQ(cv().row_out_errors.size(), rows.size());
  // A row's held-out error is its error under the fold's own constants.
  const Gpu& h800 = find_gpu("h800");
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_NEAR(row_errors(rows.subspan(r, 1), h800, cv().row_fits[r])[0], cv().row_out_errors[r], 1e-12) << r;
    size_t t = 0;
    while (cv().tables[t] != rows[r].layout) ++t;
    EXPECT_NEAR(row_errors(rows.subspan(r, 1), h800, cv().table_fits[t])[0], cv().table_out_errors[r], 1e-12) << r;
  }
}

TEST(Calibration, FitMinimisesTheObjectiveOverItsRows) {
  const auto rows = deepgemm_h800_rows();
  const CalibrationGrid grid(rows, find_gpu("h800"));
  EXPECT_EQ(grid.points(), 3125u);
  std::vector<bool> dense(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) dense[r] = rows[r].layout == GemmLayout::Dense;
  auto objective = [&](size_t point) {
    std::vector<double> e;
    for (size_t r = 0; r < rows.size(); ++r)
      if (dense[r]) e.push_back(grid.error(point, r));
    return calibration_objective(e);
  };
  const size_t best = grid.fit(dense);
  for (size_t p = 0; p < grid.points(); ++p) ASSERT_LE(objective(best), objective(p)) << p;
}

TEST(Calibration, HeldOutMedianErrorIsBounded) {
  const ErrorSummary in = summarise(cv().in_sample_errors);
  const ErrorSummary table = summarise(cv().table_out_errors);
  const ErrorSummary row = summarise(cv().row_out_errors);
  std::printf("median |error|: in sample %.1f%%, table out %.1f%%, row out %.1f%%\n", 100 * in.median_abs,
              100 * table.median_abs, 100 * row.median_abs);
  std::printf("worst |error|:  in sample %.1f%%, table out %.1f%%, row out %.1f%%\n", 100 * in.worst_abs,
              100 * table.worst_abs, 100 * row.worst_abs);
  RecordProperty("table_out_median_percent", std::to_string(100 * table.median_abs));
  RecordProperty("row_out_median_percent", std::to_string(100 * row.median_abs));
  EXPECT_LE(table.median_abs, kHeldOutMedianBound);
  EXPECT_LE(row.median_abs, kHeldOutMedianBound);
  EXPECT_LE(table.worst_abs, kHeldOutWorstBound);
  EXPECT_LE(row.worst_abs, kHeldOutWorstBound);
}

// What makes a constant unconstrained: across its plausible range, no
// published row's modelled time moves.
TEST(ModelRange, UnconstrainedConstantsMoveNoPublishedRow) {
  const auto rows = deepgemm_h800_rows();
  const Gpu& h800 = find_gpu("h800");
  const std::vector<double> nominal = row_errors(rows, h800, kHopper);
  for (const ModelConstant& c : model_constants()) {
    if (c.basis != ConstantBasis::Unconstrained) continue;
    for (const double value : {c.low, c.high}) {
      KernelConstants k = kHopper;
      c.set(k, value);
      const std::vector<double> moved = row_errors(rows, h800, k);
      for (size_t r = 0; r < rows.size(); ++r) EXPECT_NEAR(moved[r], nominal[r], 1e-9) << c.name << " " << value;
    }
  }
}

TEST(ModelRange, Bf16IssueFractionMovesOnlyBf16Gemms) {
  const ModelConstant& split = find_model_constant("bf16_tensor_issue_fraction");
  KernelConstants slow = kHopper, fast = kHopper;
  split.set(slow, split.low);
  split.set(fast, split.high);
  EXPECT_GE(slow.promotion_exposed, 0.0);
  const Gpu& h100 = find_gpu("h100");
  for (const Precision p : {Precision::Fp8, Precision::Bf16}) {
    const GemmProblem problem{GemmLayout::Dense, p, {4096}, 7168, 2048, 2};
    const double t_slow = model_gemm(problem, h100, slow).time_us, t_fast = model_gemm(problem, h100, fast).time_us;
    if (p == Precision::Fp8)
      EXPECT_NEAR(t_slow, t_fast, 1e-9 * t_fast);
    else
      EXPECT_GT(t_slow, t_fast * 1.05);
  }
}

TEST(ModelRange, RangeBoundsTheNominalTimeOfEveryKernel) {
  const model::MoeLayerSpec spec = model::load_model("deepseek-v3");
  for (const Phase phase : {Phase::Decode, Phase::Prefill}) {
    const LayerTimes t = model_moe_layer_range(spec, find_gpu("h100"), phase == Phase::Decode ? 128 : 4096,
                                               Precision::Fp8, phase);
    ASSERT_EQ(t.ranges.size(), t.kernels.size());
    for (size_t k = 0; k < t.kernels.size(); ++k) {
      EXPECT_EQ(t.ranges[k].time_us, t.kernels[k].time_us);
      EXPECT_LE(t.ranges[k].low_us, t.ranges[k].time_us) << model::name(t.kernels[k].kernel);
      EXPECT_GE(t.ranges[k].high_us, t.ranges[k].time_us) << model::name(t.kernels[k].kernel);
    }
    EXPECT_DOUBLE_EQ(t.total.time_us, total_time_us(t.kernels));
    // The streaming kernels' bandwidth and launch are unconstrained: the range is not a point.
    EXPECT_LT(t.total.low_us, t.total.time_us);
    EXPECT_GT(t.total.high_us, t.total.time_us);
  }
}

TEST(ModelRange, SensitivityHasEveryConstantAndItsDirection) {
  const model::MoeLayerSpec spec = model::load_model("deepseek-v3");
  const std::vector<Sensitivity> s = layer_sensitivity(spec, find_gpu("h100"), 128, Precision::Fp8, Phase::Decode);
  ASSERT_EQ(s.size(), model_constants().size());
  const double nominal = total_time_us(model_moe_layer(spec, find_gpu("h100"), 128, Precision::Fp8, Phase::Decode));
  for (const Sensitivity& one : s) {
    const std::string_view name = one.constant->name;
    // More bandwidth or issue rate: faster; more launch, latency or penalty: slower.
    if (name.ends_with("fraction") || name == "l2_to_sm_tbs")
      EXPECT_GE(one.low_us, one.high_us) << name;
    else
      EXPECT_LE(one.low_us, one.high_us) << name;
  }
  // Decode streams the active experts' weights: HBM bandwidth moves it most.
  const Sensitivity& hbm = s[1];
  ASSERT_EQ(hbm.constant->name, "hbm_fraction");
  EXPECT_GT(hbm.low_us, nominal * 1.05);
}

}  // namespace
}  // namespace cadre::gpumodel
