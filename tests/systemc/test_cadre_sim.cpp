// `cadre sim` end to end: the program's exit code passes through, each error
// has its exit code and message, --json, --stats and --trace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <set>
#include <nlohmann/json.hpp>
#include <string>

#include "common/run_command.h"

namespace cadre::test {
namespace {

using ::testing::HasSubstr;

const std::string kCadre = CADRE_BINARY;
const std::string kPrograms = CADRE_SIM_PROGRAMS;

#define REQUIRE_PROGRAMS() \
  if (kPrograms.empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found: no programs to run"

CommandResult sim(const std::string& program, const std::string& options = "", const std::string& redirect = "2>&1") {
  return run_command(kCadre + " sim " + kPrograms + "/" + program + ".elf --arch small " + options + " " + redirect);
}

TEST(CadreSim, ProgramExitCodePassesThrough) {
  REQUIRE_PROGRAMS();
  EXPECT_EQ(sim("exit42").exit_code, 42);
  EXPECT_EQ(sim("hbm").exit_code, 7);
}

struct ErrorCase {
  const char* program;
  int exit_code;
  const char* message;
  friend std::ostream& operator<<(std::ostream& out, const ErrorCase& c) { return out << c.program; }
};

class CadreSimErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CadreSimErrors, MessageAndExitCode) {
  REQUIRE_PROGRAMS();
  const ErrorCase c = GetParam();
  const CommandResult r = sim(c.program, "--max-cycles 5000");
  EXPECT_EQ(r.exit_code, c.exit_code) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cadre sim: error: tile 0, pc 0x8000"));
  EXPECT_THAT(r.output, HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CadreSimErrors,
    ::testing::Values(ErrorCase{"illegal", 101, "cycle 0: illegal instruction: .4byte 0xb50553"},
                      ErrorCase{"xcadre", 101, "is cx.status with a register in an unused field (must be x0)"},
                      ErrorCase{"misaligned", 102, "misaligned 4-byte load from 0x80000001: lw a0,0(t0)"},
                      ErrorCase{"out_of_range", 103, "8-byte load from 0x10 is outside every memory"},
                      ErrorCase{"jump_outside", 104, "jump to 0x40000000, outside the memory code runs from"},
                      ErrorCase{"bad_ecall", 105, "ecall with unknown a7 = 1000 (93 exit, 64 write): ecall"},
                      ErrorCase{"forever", 106, "the run reached its limit of 5000 cycles: jal zero,80000000"}),
    [](const auto& param_info) { return std::string(param_info.param.program); });

TEST(CadreSim, CorruptElfIsBadInput) {
  const CommandResult r = run_command(kCadre + " sim " + CADRE_ELF_CORPUS "/class32.elf --arch small 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("class32.elf"));
}

TEST(CadreSim, TruncatedElfIsBadInput) {
  REQUIRE_PROGRAMS();
  const std::filesystem::path dir = scratch_dir("sim_truncated");
  std::vector<uint8_t> bytes = read_bytes(kPrograms + "/exit42.elf");
  bytes.resize(100);
  write_bytes(dir / "t.elf", bytes);
  const CommandResult r = run_command(kCadre + " sim " + (dir / "t.elf").string() + " --arch small 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
}

TEST(CadreSim, MissingFileIsIo) {
  EXPECT_EQ(run_command(kCadre + " sim /nonexistent.elf --arch small 2>/dev/null").exit_code, 4);
}

TEST(CadreSim, JsonReport) {
  REQUIRE_PROGRAMS();
  const CommandResult r = sim("recursion", "--json", "2>/dev/null");
  ASSERT_EQ(r.exit_code, 0);
  const nlohmann::json j = nlohmann::json::parse(r.output);
  EXPECT_THAT(j["stdout"].get<std::string>(), HasSubstr("fib(20) = 6765"));
  EXPECT_GT(j["cycles"].get<uint64_t>(), j["instructions"].get<uint64_t>() / 2);
  EXPECT_EQ(j["tiles"].size(), 2u);
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_GT(j["tiles"][0]["instructions_by_class"]["jump"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["hbm_channels"].size(), 1u);
  EXPECT_TRUE(j["hbm_channels"][0].contains("wait_cycles"));
  // The accelerator's statistics are there, all zero for a program that issues no Xcadre command.
  const nlohmann::json& accel = j["tiles"][0]["accelerator"];
  for (const char* q : {"load", "compute", "store"}) {
    EXPECT_EQ(accel["queues"][q]["issued"].get<uint64_t>(), 0u) << q;
    EXPECT_EQ(accel["queues"][q]["idle_cycles"].get<uint64_t>(), j["tiles"][0]["cycles"].get<uint64_t>()) << q;
  }
  EXPECT_EQ(accel["matrix"]["macs"].get<uint64_t>(), 0u);
  EXPECT_EQ(accel["dma"]["bytes_read"].get<uint64_t>(), 0u);
  EXPECT_EQ(accel["core_waits"]["fence_cycles"].get<uint64_t>(), 0u);
  EXPECT_TRUE(accel["vector"].contains("elements"));
  EXPECT_TRUE(accel["local_memory"].contains("conflict_cycles"));
}

TEST(CadreSim, StatsGoToStderrAndStdoutStaysClean) {
  REQUIRE_PROGRAMS();
  const CommandResult out = sim("recursion", "--stats", "2>/dev/null");
  EXPECT_EQ(out.output, "fib(20) = 6765\nackermann(2, 300) = 603\n");
  const CommandResult err = sim("recursion", "--stats", "2>&1 >/dev/null");
  EXPECT_THAT(err.output, HasSubstr("instructions"));
  EXPECT_THAT(err.output, HasSubstr("load_use_stall"));
  EXPECT_THAT(err.output, HasSubstr("busy cycles"));
  EXPECT_THAT(err.output, HasSubstr("sem wait"));
  EXPECT_THAT(err.output, HasSubstr("core: queue full"));
}

TEST(CadreSim, TraceIsChromeTraceJson) {
  REQUIRE_PROGRAMS();
  const std::filesystem::path dir = scratch_dir("sim_trace");
  const CommandResult r = sim("multitile", "--trace " + (dir / "t.json").string(), "2>&1 >/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(dir / "t.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  const nlohmann::json& events = j.at("traceEvents");
  size_t spans = 0;
  std::set<int> tiles;
  for (const nlohmann::json& e : events) {
    if (e["ph"] != "X") continue;
    ++spans;
    tiles.insert(e["pid"].get<int>());
    EXPECT_GT(e["dur"].get<double>(), 0.0);
    EXPECT_TRUE(e.contains("ts") && e.contains("tid"));
  }
  EXPECT_GT(spans, 0u);
  EXPECT_EQ(tiles.size(), 2u);  // the small preset's two tiles
}

// --matrix rtl swaps the engine in; its waveform is written even for a
// program that never uses it (the file then holds the signals and no time).
TEST(CadreSim, RtlMatrixEngineAndWaveform) {
  REQUIRE_PROGRAMS();
  const std::filesystem::path dir = scratch_dir("sim_fst");
  const CommandResult r = sim("exit42", "--matrix rtl --fst " + (dir / "w.fst").string() + " --fst-window 0:100");
  EXPECT_EQ(r.exit_code, 42) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "w.fst"));
  EXPECT_TRUE(std::filesystem::exists(dir / "w.tile1.fst"));  // the small preset's second tile
}

TEST(CadreSim, RtlMatrixEngineErrors) {
  REQUIRE_PROGRAMS();
  const auto run = [](const std::string& options) {
    return run_command(kCadre + " sim " + kPrograms + "/exit42.elf " + options + " 2>&1");
  };
  CommandResult r = run("--arch default --matrix rtl");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cadre sim: default: /matrix/engine: no RTL model of the 32x32"));
  EXPECT_THAT(r.output, HasSubstr("CADRE_RTL_SHAPES"));
  r = run("--arch small --fst w.fst");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FST waveforms come from the RTL matrix engine: select rtl"));
  r = run("--arch small --matrix rtl --fst w.fst --fst-window 9:3");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--fst-window \"9:3\" is not FIRST:LAST"));
  r = run("--arch small --fst-window 1:2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--fst-window needs --fst"));
  r = run("--arch small --matrix rtl --fst /nonexistent-dir/w.fst");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  // Refused before the run, naming the option and the path.
  EXPECT_THAT(r.output, HasSubstr("--fst /nonexistent-dir/w.fst: cannot be written: the directory /nonexistent-dir does not exist"));
  r = run("--arch small --matrix verilated");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace cadre::test
