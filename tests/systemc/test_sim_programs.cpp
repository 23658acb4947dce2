// The C programs of programs/, cross-compiled for the chip and compiled for
// the host: the simulator's output and exit code equal the host build's.
#include <gtest/gtest.h>

#include <string>

#include "common/run_command.h"
#include "sim_test_util.h"

namespace cadre::test {
namespace {

struct Case {
  const char* name;
  uint32_t tiles;
  friend std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }
};

class SimPrograms : public ::testing::TestWithParam<Case> {};

TEST_P(SimPrograms, OutputEqualsTheHostBuild) {
  const Case c = GetParam();
  const std::string programs = CADRE_SIM_PROGRAMS;
  if (programs.empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found: the programs were not cross-compiled";
  const CommandResult host = run_command(std::string(CADRE_SIM_HOST_PROGRAMS) + "/" + c.name + ".host");
  ASSERT_GE(host.exit_code, 0);
  ASSERT_FALSE(host.output.empty());

  const elf::Program p = elf::load_elf_file(programs + "/" + c.name + ".elf");
  sim::SimOptions options;
  options.max_cycles = 2'000'000'000;
  const sim::SimResult result = run(p, c.tiles, options);
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.stdout_text, host.output);
  EXPECT_EQ(static_cast<int>(result.exit_code & 0xff), host.exit_code);
  for (const sim::TileResult& tile : result.tiles) EXPECT_TRUE(tile.exited);
  // Every cycle is an issue or has one cause.
  for (const sim::TileResult& tile : result.tiles) {
    uint64_t stalls = 0;
    for (uint64_t s : tile.stats.stall_cycles) stalls += s;
    EXPECT_EQ(tile.cycles, tile.stats.instructions + stalls);
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, SimPrograms,
                         ::testing::Values(Case{"arith", 1}, Case{"memory", 1}, Case{"recursion", 1},
                                           Case{"sort", 1}, Case{"hash", 1}, Case{"csr", 1},
                                           Case{"multitile", 4}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace cadre::test
