// `cadre gpu-model` run as a user runs it, and the ranges `cadre gpu` prints
// beside each modelled time.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/run_command.h"

namespace {

using cadre::test::run_command;

const std::string kCadre = std::string(CADRE_BINARY) + " ";

TEST(CadreGpuModel, JsonHasEveryRowHeldOutAndEveryConstant) {
  const auto r = run_command(kCadre + "gpu-model --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  const auto& cal = j["calibration"];
  EXPECT_EQ(cal["rows"].size(), 28u);
  EXPECT_EQ(cal["leave_one_table_out"]["fits"].size(), 3u);
  EXPECT_EQ(cal["leave_one_row_out"]["fits"].size(), 28u);
  for (const char* kind : {"in_sample", "leave_one_table_out", "leave_one_row_out"}) {
    EXPECT_GT(cal[kind]["median_abs_error"].get<double>(), 0.0) << kind;
    EXPECT_GE(cal[kind]["worst_abs_error"].get<double>(), cal[kind]["median_abs_error"].get<double>()) << kind;
  }
  EXPECT_EQ(cal["in_sample"]["fit"]["hbm_fraction"], 0.9);
  const auto& s = j["sensitivity"];
  EXPECT_EQ(s["model"], "deepseek-v3");
  EXPECT_EQ(s["gpu"], "h100");
  ASSERT_EQ(s["layers"].size(), 2u);
  for (const auto& layer : s["layers"]) {
    EXPECT_LE(layer["low_us"].get<double>(), layer["time_us"].get<double>()) << layer.dump();
    EXPECT_GE(layer["high_us"].get<double>(), layer["time_us"].get<double>()) << layer.dump();
    EXPECT_LE(layer["cross_validation_fits_low_us"].get<double>(),
              layer["cross_validation_fits_high_us"].get<double>());
  }
  EXPECT_EQ(s["constants"].size(), 9u);
  for (const auto& c : s["constants"]) {
    EXPECT_LE(c["low"].get<double>(), c["value"].get<double>()) << c.dump();
    EXPECT_GE(c["high"].get<double>(), c["value"].get<double>()) << c.dump();
    EXPECT_TRUE(c.contains("decode") && c.contains("prefill")) << c.dump();
  }
}

TEST(CadreGpuModel, TextShowsInSampleAndHeldOutSideBySide) {
  const auto r = run_command(kCadre + "gpu-model --decode-tokens 8 --prefill-tokens 512 --gpu h200 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* text : {"in sample", "table out", "row out", "median |error|", "worst |error|", "without masked",
                           "decode 8 tokens", "prefill 512 tokens", "streaming_hbm_fraction", "unconstrained"})
    EXPECT_NE(r.output.find(text), std::string::npos) << text << "\n" << r.output;
}

TEST(CadreGpuModel, BadInputExitCodes) {
  EXPECT_EQ(run_command(kCadre + "gpu-model --model no-such-model 2>&1").exit_code, 3);
  EXPECT_EQ(run_command(kCadre + "gpu-model --gpu a100 2>&1").exit_code, 2);
  EXPECT_EQ(run_command(kCadre + "gpu-model --decode-tokens 0 2>&1").exit_code, 2);
}

TEST(CadreGpu, EveryModelledTimeComesWithItsRange) {
  const auto r = run_command(kCadre + "gpu mixtral-8x7b --set hidden_size=256 --set intermediate_size=256 "
                                      "--phase decode --tokens 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  double sum = 0;
  for (const auto& k : j["kernels"]) {
    EXPECT_LE(k["model_us_low"].get<double>(), k["model_us"].get<double>()) << k.dump();
    EXPECT_GE(k["model_us_high"].get<double>(), k["model_us"].get<double>()) << k.dump();
    sum += k["model_us"].get<double>();
  }
  EXPECT_NEAR(j["model_total_us"].get<double>(), sum, 1e-9 * sum);
  // Streaming kernels' launch and bandwidth are unconstrained: a small layer's range is wide.
  EXPECT_LT(j["model_total_us_low"].get<double>(), j["model_total_us"].get<double>());
  EXPECT_GT(j["model_total_us_high"].get<double>(), j["model_total_us"].get<double>());
  const auto text = run_command(kCadre + "gpu mixtral-8x7b --set hidden_size=256 --set intermediate_size=256 "
                                         "--phase decode --tokens 2 2>&1");
  EXPECT_NE(text.output.find("total of the modelled times"), std::string::npos) << text.output;
}

}  // namespace
