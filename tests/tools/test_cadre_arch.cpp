// `cadre arch` run as a user runs it: the presets, one config, JSON, errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "common/run_command.h"

namespace {

using cadre::test::run_command;

const std::string kArch = std::string(CADRE_BINARY) + " arch ";

TEST(CadreArch, ListsEveryPresetWithItsPeak) {
  const auto r = run_command(kArch + "2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected : {"small", "default", "h100-class", "1978.9"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
}

TEST(CadreArch, JsonOfOnePresetHasConfigAndDerivedFigures) {
  const auto r = run_command(kArch + "h100-class --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["config"]["tiles"], 132);
  EXPECT_NEAR(j["derived"]["peak_fp8_tflops"].get<double>(), 1978.9, 0.1);
  EXPECT_NEAR(j["derived"]["hbm_bandwidth_gb_s"].get<double>(), 3350.0, 0.5);
}

TEST(CadreArch, UnknownPresetIsABadInputWithTheChoices) {
  const auto r = run_command(kArch + "nope 2>&1");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("small, default, h100-class"), std::string::npos) << r.output;
}

}  // namespace
