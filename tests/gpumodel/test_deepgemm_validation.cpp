// Validation: every row of DeepGEMM's published H800 tables modelled with the
// same formula and constants. `ctest -R gpumodel -V` shows the table that
// docs/gpu-model.md quotes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

#include "cadre/gpumodel/deepgemm_table.h"

namespace cadre::gpumodel {
namespace {

using model::Precision;

constexpr double kMedianBound = 0.10;  // median |relative error| over all rows
constexpr double kRowBound = 0.30;     // every row

TEST(DeepGemmValidation, ModelTracksEveryPublishedRow) {
  const Gpu& h800 = find_gpu("h800");
  std::vector<double> errors;
  std::cout << "layout      groups x M      N      K  tile     waves  bound    measured  modelled   error\n";
  for (const DeepGemmRow& row : deepgemm_h800_rows()) {
    const GemmProblem problem{row.layout, Precision::Fp8, std::vector<uint64_t>(row.groups, row.m), row.n, row.k, 2};
    const GemmEstimate e = model_gemm(problem, h800);
    const double modelled = e.flops / e.time_us / 1e6;
    const double error = (modelled - row.tflops) / row.tflops;
    errors.push_back(std::abs(error));
    char line[160];
    std::snprintf(line, sizeof line, "%-10s  %2u x %5llu  %5llu  %5llu  %3ux%-3u  %5llu  %-7s  %8.0f  %8.0f  %+6.1f%%\n",
                  model::name(row.layout).data(), row.groups, static_cast<unsigned long long>(row.m),
                  static_cast<unsigned long long>(row.n), static_cast<unsigned long long>(row.k), e.tile.block_m,
                  e.tile.block_n, static_cast<unsigned long long>(e.waves), to_string(e.bound), row.tflops, modelled,
                  100 * error);
    std::cout << line;
    EXPECT_LE(std::abs(error), kRowBound) << model::name(row.layout).data() << " " << row.groups << "x" << row.m << " "
                                          << row.n << " " << row.k;
  }
  ASSERT_FALSE(errors.empty());
  std::vector<double> sorted = errors;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  const double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  std::printf("rows %zu, median |error| %.1f%%, worst |error| %.1f%%\n", n, 100 * median, 100 * sorted.back());
  RecordProperty("median_abs_error_percent", std::to_string(100 * median));
  RecordProperty("worst_abs_error_percent", std::to_string(100 * sorted.back()));
  EXPECT_LE(median, kMedianBound);
}

}  // namespace
}  // namespace cadre::gpumodel
