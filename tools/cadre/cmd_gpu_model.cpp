// `cadre gpu-model`: how far to trust the GPU performance model. It re-runs
// the calibration (the grid search over DeepGEMM's published H800 rows) in
// sample and under cross-validation, then shows how each constant moves a
// layer's modelled time and the range the unconstrained constants allow
// (docs/gpu-model.md).
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cadre/gpumodel/calibration.h"
#include "cadre/gpumodel/model_range.h"
#include "commands.h"
#include "exit_codes.h"
#include "number_options.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace gpu_model_command {
namespace {

using namespace gpumodel;
using model::Phase;
using model::Precision;

struct Options {
  std::string model = "deepseek-v3", gpu = "h100", precision = "fp8";
  uint64_t decode_tokens = 128, prefill_tokens = 4096;
  bool json = false;
};

std::vector<const ModelConstant*> constants_of(ConstantBasis basis) {
  std::vector<const ModelConstant*> out;
  for (const ModelConstant& c : model_constants())
    if (c.basis == basis) out.push_back(&c);
  return out;
}

const char* basis_name(ConstantBasis b) { return b == ConstantBasis::Calibrated ? "calibrated" : "unconstrained"; }

double percent(double value, double nominal) { return 100 * (value / nominal - 1); }

size_t column_width(const ModelConstant& c) { return std::max<size_t>(c.name.size(), 10); }

// The calibration in sample and cross-validated, row by row.
nlohmann::ordered_json calibration_json(std::span<const DeepGemmRow> rows, const CrossValidation& cv) {
  auto fit_json = [](const KernelConstants& k) {
    nlohmann::ordered_json j;
    for (const ModelConstant* c : constants_of(ConstantBasis::Calibrated)) j[std::string(c->name)] = c->get(k);
    return j;
  };
  auto summary_json = [](std::span<const double> e) {
    const ErrorSummary s = summarise(e);
    return nlohmann::ordered_json{{"median_abs_error", s.median_abs}, {"worst_abs_error", s.worst_abs}};
  };
  nlohmann::ordered_json out;
  out["gpu"] = "h800";
  out["rows"] = nlohmann::ordered_json::array();
  for (size_t r = 0; r < rows.size(); ++r)
    out["rows"].push_back({{"layout", model::name(rows[r].layout)}, {"groups", rows[r].groups}, {"m", rows[r].m},
                           {"n", rows[r].n}, {"k", rows[r].k}, {"measured_tflops", rows[r].tflops},
                           {"in_sample_error", cv.in_sample_errors[r]}, {"table_out_error", cv.table_out_errors[r]},
                           {"row_out_error", cv.row_out_errors[r]}});
  out["in_sample"] = summary_json(cv.in_sample_errors);
  out["in_sample"]["fit"] = fit_json(cv.in_sample);
  out["leave_one_table_out"] = summary_json(cv.table_out_errors);
  out["leave_one_table_out"]["fits"] = nlohmann::ordered_json::array();
  for (size_t t = 0; t < cv.tables.size(); ++t)
    out["leave_one_table_out"]["fits"].push_back(
        {{"held_out", model::name(cv.tables[t])}, {"fit", fit_json(cv.table_fits[t])}});
  out["leave_one_row_out"] = summary_json(cv.row_out_errors);
  out["leave_one_row_out"]["fits"] = nlohmann::ordered_json::array();
  for (const KernelConstants& k : cv.row_fits) out["leave_one_row_out"]["fits"].push_back(fit_json(k));
  return out;
}

void print_calibration(std::span<const DeepGemmRow> rows, const CrossValidation& cv) {
  const auto calibrated = constants_of(ConstantBasis::Calibrated);
  std::string names;
  for (const ModelConstant* c : calibrated) names += (names.empty() ? "" : ", ") + std::string(c->name);
  fmt::print("Calibration: grid search over {}\nminimising median |error| + worst |error| / 3 over DeepGEMM's {} "
             "published H800 rows (FP8, BF16 out).\n",
             names, rows.size());
  fmt::print("Error of the modelled TFLOPS: in sample (fitted on every row), table out (fitted on the other two\n"
             "tables), row out (fitted on the other {} rows).\n\n",
             rows.size() - 1);
  fmt::print("{:<10}  {:>2} x {:>5}  {:>5}  {:>5}  {:>8}  {:>9}  {:>9}  {:>9}\n", "layout", "g", "M", "N", "K",
             "measured", "in sample", "table out", "row out");
  for (size_t r = 0; r < rows.size(); ++r)
    fmt::print("{:<10}  {:>2} x {:>5}  {:>5}  {:>5}  {:>8.0f}  {:>+8.1f}%  {:>+8.1f}%  {:>+8.1f}%\n",
               model::name(rows[r].layout), rows[r].groups, rows[r].m, rows[r].n, rows[r].k, rows[r].tflops,
               100 * cv.in_sample_errors[r], 100 * cv.table_out_errors[r], 100 * cv.row_out_errors[r]);
  const ErrorSummary in = summarise(cv.in_sample_errors), table = summarise(cv.table_out_errors),
                     row = summarise(cv.row_out_errors);
  fmt::print("{:<37}  {:>8.1f}%  {:>8.1f}%  {:>8.1f}%\n", "median |error|", 100 * in.median_abs,
             100 * table.median_abs, 100 * row.median_abs);
  fmt::print("{:<37}  {:>8.1f}%  {:>8.1f}%  {:>8.1f}%\n\n", "worst |error|", 100 * in.worst_abs, 100 * table.worst_abs,
             100 * row.worst_abs);

  fmt::print("{:<20}", "fitted constants");
  for (const ModelConstant* c : calibrated) fmt::print("  {:>{}}", c->name, column_width(*c));
  fmt::print("\n");
  auto print_fit = [&](const std::string& label, const KernelConstants& k) {
    fmt::print("{:<20}", label);
    for (const ModelConstant* c : calibrated) fmt::print("  {:>{}.3g}", c->get(k), column_width(*c));
    fmt::print("\n");
  };
  print_fit("in sample", cv.in_sample);
  for (size_t t = 0; t < cv.tables.size(); ++t)
    print_fit(fmt::format("without {}", model::name(cv.tables[t])), cv.table_fits[t]);
  fmt::print("{:<20}", "without one row");
  for (const ModelConstant* c : calibrated) {
    double lo = c->get(cv.row_fits.front()), hi = lo;
    for (const KernelConstants& k : cv.row_fits) {
      lo = std::min(lo, c->get(k));
      hi = std::max(hi, c->get(k));
    }
    fmt::print("  {:>{}}", fmt::format("{:.3g} to {:.3g}", lo, hi), column_width(*c));
  }
  fmt::print("\n\n");
}

struct Layer {
  const char* phase;
  uint64_t tokens;
  LayerTimes times;
  std::vector<Sensitivity> sensitivity;
  double fits_low_us, fits_high_us;  // the layer's time under the cross-validation fits
};

// The least and the most total time of the layer under any fold's constants.
std::pair<double, double> time_under_fits(const CrossValidation& cv, const model::MoeLayerSpec& spec, const Gpu& gpu,
                                          uint64_t tokens, Precision precision, Phase phase) {
  std::vector<KernelConstants> fits = cv.table_fits;
  fits.insert(fits.end(), cv.row_fits.begin(), cv.row_fits.end());
  double low = 0, high = 0;
  for (const KernelConstants& c : fits) {
    const double t = total_time_us(model_moe_layer(spec, gpu, tokens, precision, phase, {}, c));
    low = low == 0 ? t : std::min(low, t);
    high = std::max(high, t);
  }
  return {low, high};
}

int run(const Options& o) {
  const std::span<const DeepGemmRow> rows = deepgemm_h800_rows();
  const CrossValidation cv = cross_validate(rows, find_gpu("h800"));
  const model::MoeLayerSpec spec = model::load_model(o.model, {});
  const Gpu& gpu = find_gpu(o.gpu);
  const Precision precision = o.precision == "fp8" ? Precision::Fp8 : Precision::Bf16;
  std::vector<Layer> layers;
  for (const auto& [phase, name, tokens] : {std::tuple{Phase::Decode, "decode", o.decode_tokens},
                                            std::tuple{Phase::Prefill, "prefill", o.prefill_tokens}}) {
    const auto [fits_low, fits_high] = time_under_fits(cv, spec, gpu, tokens, precision, phase);
    layers.push_back({name, tokens, model_moe_layer_range(spec, gpu, tokens, precision, phase),
                      layer_sensitivity(spec, gpu, tokens, precision, phase), fits_low, fits_high});
  }

  if (o.json) {
    nlohmann::ordered_json out{{"calibration", calibration_json(rows, cv)}};
    nlohmann::ordered_json constants = nlohmann::ordered_json::array();
    for (size_t i = 0; i < model_constants().size(); ++i) {
      const ModelConstant& c = model_constants()[i];
      nlohmann::ordered_json j{{"name", c.name}, {"basis", basis_name(c.basis)}, {"value", c.get(kHopper)},
                               {"low", c.low}, {"high", c.high}};
      for (const Layer& l : layers)
        j[l.phase] = {{"low_us", l.sensitivity[i].low_us}, {"high_us", l.sensitivity[i].high_us}};
      constants.push_back(j);
    }
    nlohmann::ordered_json layer_json = nlohmann::ordered_json::array();
    for (const Layer& l : layers)
      layer_json.push_back({{"phase", l.phase},
                            {"tokens", l.tokens},
                            {"time_us", l.times.total.time_us},
                            {"low_us", l.times.total.low_us},
                            {"high_us", l.times.total.high_us},
                            {"cross_validation_fits_low_us", l.fits_low_us},
                            {"cross_validation_fits_high_us", l.fits_high_us}});
    out["sensitivity"] = {{"model", spec.name}, {"gpu", gpu.key}, {"precision", o.precision},
                          {"layers", layer_json}, {"constants", constants}};
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }

  print_calibration(rows, cv);
  fmt::print("Sensitivity: {} on {}, {}; the layer's modelled time with one constant at either end of its range.\n",
             spec.name, gpu.key, o.precision);
  for (const Layer& l : layers)
    fmt::print("  {} {} tokens: {:.1f} us\n", l.phase, l.tokens, l.times.total.time_us);
  fmt::print("\n{:<27}  {:<13}  {:>6}  {:>12}  {:>16}  {:>16}\n", "constant", "basis", "value", "range",
             "decode low/high", "prefill low/high");
  for (size_t i = 0; i < model_constants().size(); ++i) {
    const ModelConstant& c = model_constants()[i];
    std::string cells;
    for (const Layer& l : layers)
      cells += fmt::format("  {:>16}", fmt::format("{:+.1f}% / {:+.1f}%",
                                                   percent(l.sensitivity[i].low_us, l.times.total.time_us),
                                                   percent(l.sensitivity[i].high_us, l.times.total.time_us)));
    fmt::print("{:<27}  {:<13}  {:>6.3g}  {:>12}{}\n", c.name, basis_name(c.basis), c.get(kHopper),
               fmt::format("{:.3g} to {:.3g}", c.low, c.high), cells);
  }
  fmt::print("\nRange the unconstrained constants allow (every corner of their ranges):\n");
  for (const Layer& l : layers)
    fmt::print("  {} {} tokens: {:.1f} us ({:.1f}-{:.1f}), {:+.1f}% / {:+.1f}%\n", l.phase, l.tokens,
               l.times.total.time_us, l.times.total.low_us, l.times.total.high_us,
               percent(l.times.total.low_us, l.times.total.time_us),
               percent(l.times.total.high_us, l.times.total.time_us));
  fmt::print("\nUnder each of the {} cross-validation fits (the calibrated constants as the folds set them):\n",
             cv.table_fits.size() + cv.row_fits.size());
  for (const Layer& l : layers)
    fmt::print("  {} {} tokens: {:.1f}-{:.1f} us, {:+.1f}% / {:+.1f}%\n", l.phase, l.tokens, l.fits_low_us,
               l.fits_high_us, percent(l.fits_low_us, l.times.total.time_us),
               percent(l.fits_high_us, l.times.total.time_us));
  return kExitOk;
}

}  // namespace
}  // namespace gpu_model_command

void add_gpu_model_command(CLI::App& app, int& exit_code) {
  using namespace gpu_model_command;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "gpu-model", "How far to trust the GPU performance model: its calibration cross-validated, and its sensitivity");
  cmd->add_option("--model", o->model, "the layer of the sensitivity table: a bundled model name or a config.json");
  cmd->add_option("--gpu", o->gpu, "GPU of the sensitivity table")->check(CLI::IsMember({"h100", "h800", "h200"}));
  cmd->add_option("--precision", o->precision, "fp8 or bf16")->check(CLI::IsMember({"fp8", "bf16"}));
  cmd->add_option("--decode-tokens", o->decode_tokens, "tokens of the decode layer")->check(whole_number(1, UINT32_MAX));
  cmd->add_option("--prefill-tokens", o->prefill_tokens, "tokens of the prefill layer")->check(whole_number(1, UINT32_MAX));
  cmd->add_flag("--json", o->json, "machine-readable output");
  cmd->callback([o, &exit_code] {
    try {
      exit_code = run(*o);
    } catch (const model::ModelConfigError& e) {
      print_stderr("cadre gpu-model: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  });
}

}  // namespace cadre::cli
