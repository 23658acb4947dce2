#include "cadre/gpumodel/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace cadre::gpumodel {
namespace {

template <double KernelConstants::*member>
double get(const KernelConstants& c) {
  return c.*member;
}
template <double KernelConstants::*member>
void set(KernelConstants& c, double value) {
  c.*member = value;
}

// The FP8 rows fix only the ratio of the main loop's issue fraction to its
// exposed promotion; this sets the issue fraction (which alone paces BF16
// GEMMs) and moves the exposed promotion so that the ratio, and with it every
// FP8 GEMM, stays as it is.
void set_bf16_issue_fraction(KernelConstants& c, double value) {
  const double fp8_slowdown = (1 + c.promotion_cost * c.promotion_exposed) / c.tensor_issue_fraction;
  c.tensor_issue_fraction = value;
  c.promotion_exposed = (value * fp8_slowdown - 1) / c.promotion_cost;
}

using B = ConstantBasis;
#define CADRE_MEMBER(m) &get<&KernelConstants::m>, &set<&KernelConstants::m>

// The grid ranges are the physically plausible ones (docs/gpu-model.md gives
// each reason); the steps make a coarse grid of 5 x 5 x 5 x 5 x 5 points.
constexpr ModelConstant kConstants[] = {
    {"tensor_issue_fraction", B::Calibrated, 0.80, 0.90, 0.025, CADRE_MEMBER(tensor_issue_fraction)},
    {"hbm_fraction", B::Calibrated, 0.80, 0.90, 0.025, CADRE_MEMBER(hbm_fraction)},
    {"l2_to_sm_tbs", B::Calibrated, 8.0, 12.0, 1.0, CADRE_MEMBER(l2_to_sm_tbs)},
    {"launch_us", B::Calibrated, 1.0, 3.0, 0.5, CADRE_MEMBER(launch_us)},
    {"overlap_penalty", B::Calibrated, 0.1, 0.5, 0.1, CADRE_MEMBER(overlap_penalty)},
    {"load_latency_us", B::Unconstrained, 0.5, 1.0, 0, CADRE_MEMBER(load_latency_us)},
    {"bf16_tensor_issue_fraction", B::Unconstrained, 0.81, 0.90, 0, &get<&KernelConstants::tensor_issue_fraction>,
     &set_bf16_issue_fraction},
    {"streaming_hbm_fraction", B::Unconstrained, 0.60, 0.90, 0, CADRE_MEMBER(streaming_hbm_fraction)},
    {"streaming_launch_us", B::Unconstrained, 1.0, 2.5, 0, CADRE_MEMBER(streaming_launch_us)},
};
#undef CADRE_MEMBER

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The grid's values, each the double nearest its decimal (0.85, not
// 0.8500000000000001), as kHopper's literals are.
std::vector<double> grid_values(const ModelConstant& c) {
  std::vector<double> values;
  const long steps = std::lround((c.high - c.low) / c.step);
  for (long i = 0; i <= steps; ++i)
    values.push_back(std::stod(fmt::format("{:.6g}", c.low + static_cast<double>(i) * c.step)));
  return values;
}

}  // namespace

std::span<const ModelConstant> model_constants() { return kConstants; }

const ModelConstant& find_model_constant(std::string_view name) {
  for (const ModelConstant& c : kConstants)
    if (c.name == name) return c;
  throw std::invalid_argument("no model constant named " + std::string(name));
}

std::vector<double> row_errors(std::span<const DeepGemmRow> rows, const Gpu& gpu, const KernelConstants& c) {
  std::vector<double> errors;
  for (const DeepGemmRow& row : rows) {
    const GemmProblem problem{row.layout, model::Precision::Fp8, std::vector<uint64_t>(row.groups, row.m), row.n, row.k, 2};
    const GemmEstimate e = model_gemm(problem, gpu, c);
    const double modelled_tflops = e.flops / e.time_us / 1e6;
    errors.push_back((modelled_tflops - row.tflops) / row.tflops);
  }
  return errors;
}

ErrorSummary summarise(std::span<const double> errors) {
  if (errors.empty()) return {};
  std::vector<double> abs_errors;
  for (const double e : errors) abs_errors.push_back(std::abs(e));
  return {median_of(abs_errors), *std::max_element(abs_errors.begin(), abs_errors.end())};
}

double calibration_objective(std::span<const double> errors) {
  const ErrorSummary s = summarise(errors);
  return s.median_abs + s.worst_abs / 3;
}

CalibrationGrid::CalibrationGrid(std::span<const DeepGemmRow> rows, const Gpu& gpu, const KernelConstants& base)
    : base_(base), rows_(rows.size()) {
  for (const ModelConstant& c : kConstants) {
    if (c.basis != ConstantBasis::Calibrated) continue;
    axes_.push_back(&c);
    values_.push_back(grid_values(c));
    points_ *= values_.back().size();
  }
  errors_.reserve(points_ * rows_);
  for (size_t p = 0; p < points_; ++p) {
    const std::vector<double> e = row_errors(rows, gpu, constants(p));
    errors_.insert(errors_.end(), e.begin(), e.end());
  }
}

KernelConstants CalibrationGrid::constants(size_t point) const {
  KernelConstants c = base_;
  for (size_t a = axes_.size(); a-- > 0;) {
    axes_[a]->set(c, values_[a][point % values_[a].size()]);
    point /= values_[a].size();
  }
  return c;
}

size_t CalibrationGrid::fit(const std::vector<bool>& fit_rows) const {
  if (fit_rows.size() != rows_) throw std::invalid_argument("fit: one flag per row expected");
  size_t best = 0;
  double best_objective = std::numeric_limits<double>::infinity();
  std::vector<double> errors;
  for (size_t p = 0; p < points_; ++p) {
    errors.clear();
    for (size_t r = 0; r < rows_; ++r)
      if (fit_rows[r]) errors.push_back(error(p, r));
    const double objective = calibration_objective(errors);
    if (objective < best_objective) {
      best_objective = objective;
      best = p;
    }
  }
  return best;
}

CrossValidation cross_validate(std::span<const DeepGemmRow> rows, const Gpu& gpu) {
  const CalibrationGrid grid(rows, gpu);
  const size_t n = rows.size();
  CrossValidation cv;
  const size_t all = grid.fit(std::vector<bool>(n, true));
  cv.in_sample = grid.constants(all);
  for (size_t r = 0; r < n; ++r) cv.in_sample_errors.push_back(grid.error(all, r));

  for (const DeepGemmRow& row : rows)
    if (std::find(cv.tables.begin(), cv.tables.end(), row.layout) == cv.tables.end()) cv.tables.push_back(row.layout);
  cv.table_out_errors.resize(n);
  for (const model::GemmLayout table : cv.tables) {
    std::vector<bool> others(n);
    for (size_t r = 0; r < n; ++r) others[r] = rows[r].layout != table;
    const size_t p = grid.fit(others);
    cv.table_fits.push_back(grid.constants(p));
    for (size_t r = 0; r < n; ++r)
      if (!others[r]) cv.table_out_errors[r] = grid.error(p, r);
  }

  for (size_t held = 0; held < n; ++held) {
    std::vector<bool> others(n, true);
    others[held] = false;
    const size_t p = grid.fit(others);
    cv.row_fits.push_back(grid.constants(p));
    cv.row_out_errors.push_back(grid.error(p, held));
  }
  return cv;
}

}  // namespace cadre::gpumodel
