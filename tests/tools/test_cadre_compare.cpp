// `cadre compare` run as a user runs it (docs/compare.md): every bundled model
// shrunk, checked bit for bit and in timing mode; the table, --json and the
// exit codes; --report on disk, checked as XML and, where chromium is
// installed, opened in headless Chromium.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/run_command.h"
#include "compiler_test_util.h"

namespace cadre {
namespace {

using test::run_command;

const std::string kCompare = std::string(CADRE_BINARY) + " compare ";

std::string sets(const test::ShrunkLayer& l) {
  std::string s;
  for (const auto& o : l.sets) s += " --set " + o.key + "=" + o.value;
  return s;
}

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("cadre_compare_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

class EveryModel : public testing::TestWithParam<test::ShrunkLayer> {};

TEST_P(EveryModel, CheckedBitExactAgainstTheGoldenModel) {
  const test::ShrunkLayer& l = GetParam();
  const auto r = run_command(kCompare + l.model + sets(l) + " --arch small --phase decode --tokens 8 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["checked"], true);
  EXPECT_EQ(j["bit_exact"], true);
  EXPECT_GE(j["kernels"].size(), 9u);
  for (const auto& k : j["kernels"]) {
    ASSERT_FALSE(k["cadre"].is_null()) << k.dump();
    ASSERT_FALSE(k["gpu"].is_null()) << k.dump();
    EXPECT_GT(k["cadre"]["time_us"].get<double>(), 0.0) << k["kernel"];
    EXPECT_GT(k["gpu"]["time_us"].get<double>(), 0.0) << k["kernel"];
    EXPECT_NE(k["check"].get<std::string>().find(k["check"] == "bit-exact" ? "bit-exact" : "fused"), std::string::npos);
  }
  EXPECT_GT(j["layer"]["cadre"]["tokens_per_j"].get<double>(), 0.0);
  EXPECT_GT(j["layer"]["gpu"]["tokens_per_s_per_mm2"].get<double>(), 0.0);
}

TEST_P(EveryModel, TimingOnlyChecksNothing) {
  const test::ShrunkLayer& l = GetParam();
  const auto r = run_command(kCompare + l.model + sets(l) + " --arch default --phase prefill --tokens 32 --timing-only --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["timing_only"], true);
  EXPECT_EQ(j["checked"], false);
  EXPECT_TRUE(j["bit_exact"].is_null());
  EXPECT_EQ(j["gpu_measured"], false);  // --timing-only runs no GPU
  for (const auto& k : j["kernels"]) EXPECT_EQ(k["check"], "not checked");
  EXPECT_GT(j["cycles"].get<uint64_t>(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Shrunk, EveryModel, testing::ValuesIn(test::shrunk_layers()),
                         [](const auto& p) { return p.param.name; });

const std::string kMixtral = "mixtral-8x7b --set hidden_size=256 --set intermediate_size=256 --phase decode --tokens 4 ";

TEST(CadreCompare, TheTableSaysWhereTheGpuTimesComeFromAndWhatItAssumes) {
  const auto r = run_command(kCompare + kMixtral + "--arch small --gpu h800 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const bool measured = r.output.find("(measured)") != std::string::npos;
  EXPECT_NE(measured, r.output.find("no GPU was used") != std::string::npos) << r.output;
  for (const char* s : {"H800 SXM5", "Cadre small", "router_gemm", "combine", "control", "tokens/J", "tokens/s/mm2",
                        "% of roofline", "assumptions:", "board-level upper bound", "check: every output"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
}

TEST(CadreCompare, ExitCodesForBadInput) {
  EXPECT_EQ(run_command(kCompare + kMixtral + "--arch small --gpu a100 2>&1").exit_code, 2);
  EXPECT_EQ(run_command(kCompare + kMixtral + "--arch nowhere 2>&1").exit_code, 3);
  EXPECT_EQ(run_command(kCompare + "no-such-model --arch small --phase decode --tokens 4 2>&1").exit_code, 3);
  // A node outside the energy model's table.
  const auto dir = scratch("node");
  std::filesystem::create_directories(dir);
  std::ifstream in(std::string(CADRE_SOURCE_DIR) + "/configs/arch/small.json");
  nlohmann::json arch = nlohmann::json::parse(in);
  arch["tech_node_nm"] = 65;
  std::ofstream(dir / "old.json") << arch.dump(2);
  const auto r = run_command(kCompare + kMixtral + "--arch " + (dir / "old.json").string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("65 nm is outside the energy model's table (4 to 45 nm"), std::string::npos) << r.output;
  // A report that cannot be written: its directory would be inside a file.
  std::ofstream(dir / "file") << "x";
  const auto w = run_command(kCompare + kMixtral + "--arch small --report " + (dir / "file" / "report").string() + " 2>&1");
  EXPECT_EQ(w.exit_code, 4) << w.output;
  // Refused before the work, naming the option and the path.
  EXPECT_NE(w.output.find("--report " + (dir / "file" / "report").string() + ": cannot be written"), std::string::npos)
      << w.output;
  std::filesystem::remove_all(dir);
}

std::string assumption(const nlohmann::json& j, const std::string& topic) {
  for (const auto& a : j["assumptions"])
    if (a["topic"] == topic) return a["text"];
  return "";
}

// The chip's area: the RTL's synthesised engine recorded in rtl/area/ for the
// array's shape, the energy model's estimate when asked, or a report given.
TEST(CadreCompare, AreaComesFromTheRtlsSynthesis) {
  const auto rtl = run_command(kCompare + kMixtral + "--arch small --timing-only --json");
  const auto estimate = run_command(kCompare + kMixtral + "--arch small --timing-only --json --estimated-area");
  ASSERT_EQ(rtl.exit_code, 0) << rtl.output;
  ASSERT_EQ(estimate.exit_code, 0) << estimate.output;
  const auto r = nlohmann::json::parse(rtl.output), e = nlohmann::json::parse(estimate.output);
  EXPECT_NE(assumption(r, "cadre_area").find("MAC cells: yosys synthesis of the matrix engine's RTL"), std::string::npos)
      << assumption(r, "cadre_area");
  EXPECT_EQ(assumption(e, "cadre_area").find("yosys"), std::string::npos) << assumption(e, "cadre_area");
  // The synthesised cell is larger than the estimate (docs/rtl.md); only the MAC arrays differ.
  EXPECT_GT(r["cadre_area"]["mac_arrays_mm2"].get<double>(), e["cadre_area"]["mac_arrays_mm2"].get<double>());
  EXPECT_EQ(r["cadre_area"]["scratchpads_mm2"], e["cadre_area"]["scratchpads_mm2"]);
  EXPECT_EQ(r["cadre_area"]["cores_mm2"], e["cadre_area"]["cores_mm2"]);

  const auto dir = scratch("area");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "not.json") << "{\"array\": ";
  const auto bad = run_command(kCompare + kMixtral + "--arch small --timing-only --area-report " + (dir / "not.json").string() + " 2>&1");
  EXPECT_EQ(bad.exit_code, 3) << bad.output;
  EXPECT_NE(bad.output.find("--area-report: " + (dir / "not.json").string() + ":"), std::string::npos) << bad.output;
  const auto missing = run_command(kCompare + kMixtral + "--arch small --timing-only --area-report " + (dir / "none.json").string() + " 2>&1");
  EXPECT_EQ(missing.exit_code, 3) << missing.output;
  EXPECT_NE(missing.output.find("none.json: cannot open: No such file"), std::string::npos) << missing.output;
  std::filesystem::remove_all(dir);
}

TEST(CadreCompare, HelpListsTheOptions) {
  const auto r = run_command(kCompare + "--help 2>&1");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--arch", "--phase", "--tokens", "--gpu", "--report", "--json", "--timing-only", "--area-report",
                        "--estimated-area"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
}

TEST(CadreCompare, TheReportIsWellFormed) {
  const auto dir = scratch("report");
  const auto r = run_command(kCompare + kMixtral + "--arch small --report " + dir.string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("report: " + dir.string() + "/index.html"), std::string::npos) << r.output;
  const auto check = run_command(std::string(CADRE_PYTHON) + " " + CADRE_SOURCE_DIR + "/tests/tools/check_report.py " +
                                 dir.string() + " 2>&1");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  std::filesystem::remove_all(dir);
}

TEST(CadreCompare, TheReportOpensInHeadlessChromium) {
  if (std::string(CADRE_CHROMIUM).empty() || !std::filesystem::exists(CADRE_CHROMIUM))
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium): the report was checked as XML only "
                    "(TheReportIsWellFormed)";
  const auto dir = scratch("browser");
  ASSERT_EQ(run_command(kCompare + kMixtral + "--arch small --report " + dir.string() + " 2>&1").exit_code, 0);
  const std::string browser = std::string(CADRE_CHROMIUM) + " --headless --no-sandbox --disable-gpu ";
  const std::string page = "file://" + (dir / "index.html").string();
  const auto dom = run_command(browser + "--dump-dom " + page + " 2>/dev/null");
  ASSERT_EQ(dom.exit_code, 0);
  EXPECT_NE(dom.output.find("Kernel by kernel"), std::string::npos) << dom.output;
  for (const char* chart : {"roofline.svg", "time.svg", "energy.svg", "utilisation.svg"})
    EXPECT_NE(dom.output.find(fmt::format("src=\"{}\"", chart)), std::string::npos) << chart;
  // The page and a chart drawn to pictures.
  for (const std::string& target : {page, "file://" + (dir / "roofline.svg").string()}) {
    const auto png = dir / "shot.png";
    std::filesystem::remove(png);
    run_command(browser + "--window-size=1000,1400 --screenshot=" + png.string() + " " + target + " 2>/dev/null");
    const std::vector<uint8_t> bytes = test::read_bytes(png);
    ASSERT_GT(bytes.size(), 10000u) << target;
    EXPECT_EQ(std::string(bytes.begin() + 1, bytes.begin() + 4), "PNG") << target;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cadre
