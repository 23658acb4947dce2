// `cadre area`: the matrix engine synthesised by yosys, gates turned into
// area by the cell table and the node, the SRAM model beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/energy/area_model.h"
#include "cadre/energy/tech_node.h"
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
  const energy::TechNode node = energy::tech_node(7);
  EXPECT_DOUBLE_EQ(j["area_scale"].get<double>(), energy::area_scale(node));
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
  // Area: the gates times their cells, scaled to 7 nm by the energy model's rule.
  double um2 = 0;
  for (const auto& [type, count] : pe["cells"].items()) {
    for (const rtl::CellArea& c : rtl::cell_areas())
      if (type == c.type) um2 += count.get<double>() * c.um2_at_45nm;
  }
  EXPECT_NEAR(pe["um2_at_45nm"].get<double>(), um2, 1e-6 * um2);
  EXPECT_NEAR(pe["mm2"].get<double>(), um2 * 6 * energy::area_scale(node) * 1e-6, 1e-9);
  // The energy model's MAC cell: the engine divided among its 6 cells.
  EXPECT_NEAR(j["mac_cell_um2"]["rtl"].get<double>(), engine["um2_at_45nm"].get<double>() * energy::area_scale(node) / 6,
              1e-6);
  EXPECT_GT(j["mac_cell_um2"]["energy_model_estimate"].get<double>(), 0.0);
  // SRAM: the energy model's.
  EXPECT_DOUBLE_EQ(j["sram_mm2"]["scratchpad"].get<double>(), energy::sram_area_mm2(65536, node));
  EXPECT_NEAR(j["tile_mm2"].get<double>(),
              j["engine_mm2"].get<double>() + j["sram_mm2"]["scratchpad"].get<double>() +
                  j["sram_mm2"]["accumulator"].get<double>(),
              1e-12);
}

TEST(CadreArea, BadArchIsBadInput) {
  const CommandResult r = run_command(kCadre + " area --arch no-such-preset 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cadre area:"));
}

TEST(RtlLogicArea, EngineReplacesTheMacCellEstimate) {
  arch::ArchConfig cfg = arch::load_arch("small");
  const energy::TechNode node = energy::tech_node(cfg.tech_node_nm);
  // A made-up synthesis: the whole engine 64,000 um^2 at 45 nm for 64 cells.
  const std::vector<rtl::SynthesisedPart> parts = {
      {"processing element", 64, {{"$_NAND_", 1}}}, {"matrix engine", 1, {{"$_NAND_", 80200}}}};
  const energy::LogicArea with_rtl = rtl::logic_area_with_engine(cfg, node, parts);
  const energy::LogicArea estimate = energy::estimated_logic_area(cfg, node);
  EXPECT_DOUBLE_EQ(with_rtl.mac_cell_um2, 80200 * 0.798 * energy::area_scale(node) / 64);
  EXPECT_EQ(with_rtl.vector_lane_um2, estimate.vector_lane_um2);
  EXPECT_EQ(with_rtl.core_um2, estimate.core_um2);
  EXPECT_NE(with_rtl.basis.find("yosys synthesis"), std::string::npos);
}

// The syntheses recorded in rtl/area/ are of this build's RTL and whole, and
// the presets whose shape was synthesised find theirs. A change to rtl/sv/
// fails here until the records are made again (docs/rtl.md, "Area").
TEST(RtlAreaRecords, AreOfThisRtl) {
  for (const char* preset : {"small", "default", "h100-class"}) {
    const arch::ArchConfig cfg = arch::load_arch(preset);
    std::optional<std::vector<rtl::SynthesisedPart>> parts;
    ASSERT_NO_THROW(parts = rtl::recorded_synthesis(cfg)) << preset;
    ASSERT_TRUE(parts.has_value()) << preset << ": no synthesis of its shape in rtl/area/";
    EXPECT_EQ(parts->front().part, "processing element");
    EXPECT_EQ(parts->front().instances, uint64_t{cfg.matrix.rows} * cfg.matrix.cols);
    EXPECT_GT(parts->back().gates(), parts->front().gates() * parts->front().instances) << preset;
  }
}

nlohmann::json small_report() {
  nlohmann::json r = {{"array", {{"rows", 8}, {"cols", 8}, {"preload_rows_per_cycle", 1}, {"weight_buffers", 1}}},
                      {"rtl_fingerprint", rtl::rtl_fingerprint()},
                      {"logic", nlohmann::json::array({{{"part", "processing element"}, {"instances", 64}, {"cells", {{"$_NAND_", 10}}}},
                                                        {{"part", "matrix engine"}, {"instances", 1}, {"cells", {{"$_NAND_", 700}, {"$_DFF_P_", 5}}}}})}};
  return r;
}

TEST(RtlAreaReport, ReadsTheParts) {
  const std::vector<rtl::SynthesisedPart> parts = rtl::parts_of_area_report(small_report(), arch::load_arch("small"), "r.json");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].part, "matrix engine");
  EXPECT_EQ(parts[1].gates(), 705u);
  EXPECT_EQ(parts[1].cells.at("$_DFF_P_"), 5u);
}

TEST(RtlAreaReport, RefusesWhatIsNotThisArchitecturesSynthesis) {
  const arch::ArchConfig small = arch::load_arch("small");
  const auto refusal = [&](const nlohmann::json& report) {
    try {
      rtl::parts_of_area_report(report, small, "r.json");
    } catch (const rtl::SynthesisError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(refusal(small_report()), ::testing::Eq("accepted"));
  nlohmann::json other_shape = small_report();
  other_shape["array"]["weight_buffers"] = 2;
  EXPECT_THAT(refusal(other_shape), HasSubstr("r.json: /array: a synthesis of the 8x8, 1 preload row a cycle, 2 weight buffers array"));
  nlohmann::json other_rtl = small_report();
  other_rtl["rtl_fingerprint"] = "0000000000000000";
  EXPECT_THAT(refusal(other_rtl), HasSubstr("/rtl_fingerprint: \"0000000000000000\" is a synthesis of other RTL"));
  nlohmann::json no_logic = small_report();
  no_logic.erase("logic");
  EXPECT_THAT(refusal(no_logic), HasSubstr("r.json: /: no \"logic\""));
  nlohmann::json unknown_cell = small_report();
  unknown_cell["logic"][1]["cells"]["$_LUT9_"] = 1;
  EXPECT_THAT(refusal(unknown_cell), HasSubstr("r.json: /logic/1/cells: no area for the yosys cell $_LUT9_"));
  nlohmann::json negative = small_report();
  negative["logic"][0]["instances"] = -1;
  EXPECT_THAT(refusal(negative), HasSubstr("r.json: /logic/0/instances: not a non-negative integer"));
  nlohmann::json engine_first = small_report();
  std::swap(engine_first["logic"][0], engine_first["logic"][1]);
  EXPECT_THAT(refusal(engine_first), HasSubstr("the last part is not the one matrix engine"));
}

// The record of `small` is what yosys makes of this RTL today, cell for cell
// (two CPU-minutes of yosys: label slow).
TEST(RtlAreaRecords, SmallMatchesTheRtlSynthesisedNow) {
  if (!have_yosys()) GTEST_SKIP() << "yosys not found";
  const arch::ArchConfig cfg = arch::load_arch("small");
  const std::vector<rtl::SynthesisedPart> fresh = rtl::synthesise_engine(cfg);
  const std::vector<rtl::SynthesisedPart> recorded = *rtl::recorded_synthesis(cfg);
  ASSERT_EQ(fresh.size(), recorded.size());
  for (size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ(fresh[i].part, recorded[i].part);
    EXPECT_EQ(fresh[i].instances, recorded[i].instances);
    EXPECT_EQ(fresh[i].cells, recorded[i].cells) << fresh[i].part;
  }
}

}  // namespace
}  // namespace cadre::test
