// The GEMM model's calibration as code: the grid search over DeepGEMM's
// published H800 rows that sets kHopper's calibrated constants, the same
// search under cross-validation (fitted on some rows, judged on the others),
// and the constants no published row constrains, with their plausible ranges.
// docs/gpu-model.md gives the figures and `cadre gpu-model` prints them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "cadre/gpumodel/deepgemm_table.h"
#include "cadre/gpumodel/gemm_model.h"
#include "cadre/gpumodel/gpu.h"

namespace cadre::gpumodel {

// How a constant's value is known.
enum class ConstantBasis : uint8_t {
  Calibrated,     // the grid search over the published rows sets it
  Unconstrained,  // no published row moves it: a nominal value and a plausible range
};

// A constant the calibration or the range of a modelled time varies.
struct ModelConstant {
  std::string_view name;
  ConstantBasis basis;
  double low = 0, high = 0;  // the grid's range (Calibrated) or the plausible one (Unconstrained)
  double step = 0;           // the grid's step (Calibrated)
  double (*get)(const KernelConstants&);
  void (*set)(KernelConstants&, double);
};

// Every such constant, the calibrated ones first.
std::span<const ModelConstant> model_constants();
const ModelConstant& find_model_constant(std::string_view name);

// Signed relative error of the modelled TFLOPS against the measured, per row,
// each row an FP8 GEMM with BF16 output on `gpu`.
std::vector<double> row_errors(std::span<const DeepGemmRow> rows, const Gpu& gpu, const KernelConstants& c);

struct ErrorSummary {
  double median_abs = 0;
  double worst_abs = 0;
};
ErrorSummary summarise(std::span<const double> errors);
// What the grid search minimises: median |error| + worst |error| / 3.
double calibration_objective(std::span<const double> errors);

// Every combination of the calibrated constants' grid values, the other
// constants as in `base`. The error of every point on every row is computed
// once, so a fit on any subset of the rows is a scan.
class CalibrationGrid {
 public:
  CalibrationGrid(std::span<const DeepGemmRow> rows, const Gpu& gpu, const KernelConstants& base = kHopper);

  size_t points() const { return points_; }
  KernelConstants constants(size_t point) const;
  // The point with the least objective over the rows marked in `fit_rows`
  // (one flag per row); ties go to the first point in grid order.
  size_t fit(const std::vector<bool>& fit_rows) const;
  // Signed error of `row` under the constants of `point`.
  double error(size_t point, size_t row) const { return errors_[point * rows_ + row]; }

 private:
  KernelConstants base_;
  std::vector<const ModelConstant*> axes_;
  std::vector<std::vector<double>> values_;  // per axis
  size_t points_ = 1;
  size_t rows_ = 0;
  std::vector<double> errors_;  // point-major
};

// The calibration fitted on every row (in sample), on all tables but one (for
// each table: the layouts dense, contiguous and masked), and on all rows but
// one (for each row); every held-out error is that of the row under the fit
// that did not see it.
struct CrossValidation {
  KernelConstants in_sample;
  std::vector<double> in_sample_errors;
  std::vector<model::GemmLayout> tables;           // the layouts in the rows' order of appearance
  std::vector<KernelConstants> table_fits;  // per table: fitted on the others
  std::vector<double> table_out_errors;     // per row
  std::vector<KernelConstants> row_fits;    // per row: fitted on the others
  std::vector<double> row_out_errors;       // per row
};
CrossValidation cross_validate(std::span<const DeepGemmRow> rows, const Gpu& gpu);

}  // namespace cadre::gpumodel
