// The built-in presets load, round-trip and are the files in configs/arch.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "arch_test_util.h"
#include "cadre/arch/arch_json.h"

namespace cadre::arch {
namespace {

TEST(ArchPresets, NamesAreTheThreeShipped) {
  const std::set<std::string_view> names(preset_names().begin(), preset_names().end());
  EXPECT_EQ(names, (std::set<std::string_view>{"small", "default", "h100-class"}));
}

TEST(ArchPresets, EveryPresetLoadsUnderItsOwnName) {
  for (std::string_view name : preset_names()) EXPECT_EQ(load_arch(name).name, name);
}

TEST(ArchPresets, EveryPresetRoundTripsThroughJson) {
  for (std::string_view name : preset_names()) {
    const ArchConfig cfg = load_arch(name);
    EXPECT_EQ(parse_arch_json(to_json(cfg).dump(), "round-trip"), cfg) << name;
    EXPECT_EQ(parse_arch_json(to_json(cfg).dump(2), "round-trip"), cfg) << name;
  }
}

// The files are written the way to_json writes them (table order, two-space
// indent), so a config saved by a tool diffs cleanly against a preset.
TEST(ArchPresets, FilesAreInCanonicalForm) {
  for (std::string_view name : preset_names()) {
    const std::string file = test::read_source_file("configs/arch/" + std::string(name) + ".json");
    EXPECT_EQ(file, to_json(load_arch(name)).dump(2) + "\n") << name;
  }
}

TEST(ArchPresets, EveryConfigFileIsBuiltIn) {
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CADRE_SOURCE_DIR) + "/configs/arch"))
    if (entry.path().extension() == ".json" && entry.path().stem() != "schema") files.insert(entry.path().stem());
  const std::set<std::string> presets(preset_names().begin(), preset_names().end());
  EXPECT_EQ(files, presets) << "list new presets in CADRE_ARCH_PRESETS (arch/CMakeLists.txt)";
}

TEST(ArchPresets, SmallSimulatesQuickly) {
  const ArchConfig small = load_arch("small");
  EXPECT_LE(small.tiles, 2u);
  EXPECT_EQ(small.matrix.rows, 8u);
  EXPECT_EQ(small.matrix.cols, 8u);
}

TEST(ArchLoad, ReadsAJsonFileByPath) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "cadre_test_arch_load.json";
  ArchConfig cfg = load_arch("small");
  cfg.name = "from-file";
  cfg.tiles = 1;
  std::ofstream(path) << to_json(cfg).dump(2);
  EXPECT_EQ(load_arch(path.string()), cfg);
  std::filesystem::remove(path);
}

TEST(ArchLoad, ErrorsInAFileNameTheFile) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "cadre_test_arch_bad.json";
  std::ofstream(path) << test::small_with([](auto& j) { j["tiles"] = 0; });
  try {
    load_arch(path.string());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": /tiles: must be positive, got 0");
  }
  std::filesystem::remove(path);
}

TEST(ArchLoad, NeitherPresetNorFileListsThePresets) {
  try {
    load_arch("smal");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "smal: no such file, and it is not a preset (small, default, h100-class)");
  }
}

}  // namespace
}  // namespace cadre::arch
