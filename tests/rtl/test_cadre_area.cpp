// `cadre area`: the matrix engine synthesised by yosys, gates turned into
// area by the cell table and the node, the SRAM model beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cadre/arch/arch_json.h"
#include "cadre/rtl/area.h"
#include "common/run_command.h"

namespace cadre::test {
namespace {

using ::testing::HasSubstr;

const std::string kCadre = CADRE_BINARY;

// A small configuration of the 2 x 3 array with two weight buffers: every
// part of the engine, and yosys finishes in well under a minute.
std::string tiny_arch(const std::filesystem::path& dir) {
  arch::ArchConfig cfg = arch::load_arch("small");
  cfg.name = "tiny";
  cfg.matrix.rows = 2;
  cfg.matrix.cols = 3;
  cfg.matrix.preload_rows_per_cycle = 2;
  cfg.matrix.weight_buffers = 2;
  const std::string path = (dir / "tiny.json").string();
  std::ofstream(path) << arch::to_json(cfg).dump(2);
  return path;
}

bool have_yosys() { return std::system("command -v yosys >/dev/null 2>&1") == 0; }

TEST(CadreArea, SynthesisedEngineAndSrams) {
  if (!have_yosys()) GTEST_SKIP() << "yosys not found";
  const std::filesystem::path dir = scratch_dir("area");
  const CommandResult r = run_command(kCadre + " area --json --arch " + tiny_arch(dir) + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["arch"], "tiny");
  EXPECT_EQ(j["tech_node_nm"], 7.0);
  EXPECT_DOUBLE_EQ(j["logic_scale"].get<double>(), (7.0 / 45) * (7.0 / 45));
  const nlohmann::json& pe = j["logic"][0];
  const nlohmann::json& stage = j["logic"][1];
  const nlohmann::json& engine = j["logic"][2];
  EXPECT_EQ(pe["part"], "processing element");
  EXPECT_EQ(pe["instances"], 6);
  EXPECT_EQ(stage["part"], "accumulator stage");
  EXPECT_EQ(stage["instances"], 3);
  EXPECT_EQ(engine["instances"], 1);
  // Two weight registers of 18 bits, the activation and its register select
  // passed on (17), at least: the cell has flip-flops, and thousands of gates
  // (an FP8 multiplier into a 72-bit sum, a BF16 multiplier, an FP32 adder).
  EXPECT_GE(pe["cells"]["$_DFF_P_"].get<uint64_t>(), 2u * 18 + 17);
  EXPECT_GT(pe["gates"].get<uint64_t>(), 1000u);
  // The engine holds the cells and the stages, and its own control.
  EXPECT_GT(engine["gates"].get<uint64_t>(),
            6 * pe["gates"].get<uint64_t>() + 3 * stage["gates"].get<uint64_t>());
  // Area: the gates times their cells, scaled to 7 nm.
  double um2 = 0;
  for (const auto& [type, count] : pe["cells"].items()) {
    for (const rtl::CellArea& c : rtl::cell_areas())
      if (type == c.type) um2 += count.get<double>() * c.um2_at_45nm;
  }
  EXPECT_NEAR(pe["um2_at_45nm"].get<double>(), um2, 1e-6 * um2);
  EXPECT_NEAR(pe["mm2"].get<double>(), um2 * 6 * j["logic_scale"].get<double>() * 1e-6, 1e-9);
  // SRAM: 64 KiB of scratchpad in 7 nm bit cells of 0.027 um^2 at 70 % efficiency.
  EXPECT_NEAR(j["sram"]["scratchpad_mm2"].get<double>(), 65536 * 8 * 0.027 / 0.7 * 1e-6, 1e-9);
  EXPECT_NEAR(j["chip_mm2"].get<double>(), 2 * j["tile_mm2"].get<double>(), 1e-12);
}

TEST(CadreArea, BadArchIsBadInput) {
  const CommandResult r = run_command(kCadre + " area --arch no-such-preset 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cadre area:"));
}

TEST(SramModel, PublishedCellsAndTheRulesBetweenAndBeyond) {
  EXPECT_DOUBLE_EQ(rtl::sram_bitcell_um2(45), 0.346);
  EXPECT_DOUBLE_EQ(rtl::sram_bitcell_um2(7), 0.027);
  EXPECT_DOUBLE_EQ(rtl::sram_bitcell_um2(90), 0.346 * 4);  // square rule above 45 nm
  const double between = rtl::sram_bitcell_um2(6);       // log-log between 7 and 5 nm
  EXPECT_LT(between, 0.027);
  EXPECT_GT(between, 0.021);
  EXPECT_DOUBLE_EQ(rtl::sram_mm2(1 << 20, 7), (1 << 20) * 8 * 0.027 / 0.7 * 1e-6);
}

}  // namespace
}  // namespace cadre::test
