// The hand-written expert-MLP program (runtime/programs/expert_mlp.c) on the
// simulated chip: its output table equals the golden kernels' bit for bit,
// on both tiles of the small preset at once and on the default preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cadre/arch/arch_json.h"
#include "cadre/elf/elf_program.h"
#include "cadre/runtime/expert_mlp.h"
#include "cadre/sim/chip.h"
#include "cadre/sim/simulate.h"

namespace cadre::test {
namespace {

using runtime::ExpertMlpShape;

struct TileRun {
  runtime::ExpertMlpCase input;
  expert_mlp_args args{};
  golden::MatrixF out;
};

// Runs the program with tile t working on `shapes[t]` (seed 100 + t); the other tiles idle.
std::vector<TileRun> run(const arch::ArchConfig& cfg, const std::vector<ExpertMlpShape>& shapes,
                         sim::SimResult* result = nullptr, const std::string& trace = "") {
  std::vector<TileRun> runs(shapes.size());
  for (size_t t = 0; t < shapes.size(); ++t) runs[t].input = runtime::make_expert_mlp_case(shapes[t], 100 + t);
  sim::SimOptions options;
  options.echo_output = false;
  options.trace_path = trace;
  options.configure = [&](sim::Chip& chip) {
    for (uint32_t t = 0; t < cfg.tiles; ++t) {
      if (t >= runs.size()) {
        runtime::write_idle_tile(chip.hbm(), t);
        continue;
      }
      const expert_mlp_args plan = runtime::plan_expert_mlp(shapes[t], cfg);
      runs[t].args = runtime::write_expert_mlp(chip.hbm(), cfg, t, runs[t].input, plan);
    }
  };
  options.inspect = [&](sim::Chip& chip) {
    for (TileRun& r : runs) r.out = runtime::read_expert_mlp_output(chip.hbm(), r.args);
  };
  const sim::SimResult r = sim::simulate(cfg, elf::load_elf_file(CADRE_EXPERT_MLP_ELF), options);
  EXPECT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.exit_code, 0u);
  if (result) *result = r;
  return runs;
}

void expect_golden(const TileRun& r) {
  const golden::MatrixF expect = runtime::expert_mlp_golden(r.input);
  ASSERT_EQ(r.out.rows(), expect.rows());
  ASSERT_EQ(r.out.cols(), expect.cols());
  for (golden::Index t = 0; t < expect.rows(); ++t)
    for (golden::Index h = 0; h < expect.cols(); ++h)
      ASSERT_EQ(std::memcmp(&r.out(t, h), &expect(t, h), 4), 0)
          << "out[" << t << "][" << h << "] = " << r.out(t, h) << ", golden " << expect(t, h) << ", before " << r.input.out(t, h);
  // The expert did write: some row moved away from its prior contents.
  EXPECT_NE(std::memcmp(expect.data(), r.input.out.data(), static_cast<size_t>(expect.size()) * 4), 0);
}

TEST(ExpertMlp, BothTilesOfTheSmallPresetMatchGolden) {
  if (std::string(CADRE_EXPERT_MLP_ELF).empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: program not built";
  const arch::ArchConfig cfg = arch::load_arch("small");
  // Two slices of I and two K chunks of H: every tile kind, mm and mm.acc.
  const ExpertMlpShape shape{8, 256, 256, 16, 128};
  const std::vector<TileRun> runs = run(cfg, {shape, shape});
  for (const TileRun& r : runs) expect_golden(r);
}

// Double buffering at work: in the Perfetto trace, weight-tile loads (load
// queue) run while the matrix engine multiplies (compute queue); and the
// statistics count exactly the program's work.
TEST(ExpertMlp, TraceShowsWeightLoadsOverlappingTheMatrixEngine) {
  if (std::string(CADRE_EXPERT_MLP_ELF).empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: program not built";
  const arch::ArchConfig cfg = arch::load_arch("small");
  const ExpertMlpShape shape{8, 256, 256, 16, 128};
  const std::string trace = testing::TempDir() + "expert_mlp_trace.json";
  sim::SimResult result;
  const std::vector<TileRun> runs = run(cfg, {shape}, &result, trace);
  expect_golden(runs[0]);

  std::ifstream in(trace);
  const nlohmann::json events = nlohmann::json::parse(in)["traceEvents"];
  struct Span {
    double start, end;
  };
  std::vector<Span> loads, matmuls;
  for (const auto& e : events) {
    if (e["ph"] != "X" || e["pid"] != 0) continue;
    const Span span{e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>()};
    if (e["tid"] == 2 && e["name"] == "cdma.ld") loads.push_back(span);
    if (e["tid"] == 3 && (e["name"] == "cmx.mm" || e["name"] == "cmx.mm.acc")) matmuls.push_back(span);
  }
  // 2 slices x (2 gate + 2 up + 2 down) tiles, each a tile load and a scale load; 2 more for tokens and weights.
  EXPECT_EQ(loads.size(), 2u * 6 * 2 + 2);
  EXPECT_EQ(matmuls.size(), 2u * 6);
  double overlap = 0, load_time = 0;
  for (const Span& ld : loads) {
    load_time += ld.end - ld.start;
    for (const Span& mm : matmuls) overlap += std::max(0.0, std::min(mm.end, ld.end) - std::max(mm.start, ld.start));
  }
  // The array is the bottleneck here (a 16 KiB tile loads in ~1100 cycles,
  // an 8 x 8 array multiplies it in ~7700): every load but those of the first
  // two tiles runs under a multiply, so most load time is hidden.
  EXPECT_GT(overlap, 0.75 * load_time) << "matrix work hides " << overlap << " us of " << load_time << " us of loads";

  const sim::AcceleratorStats& a = result.tiles[0].accelerator;
  EXPECT_EQ(a.matrix.macs, 3ull * 8 * 256 * 256);  // gate, up and down: M x H x I each
  EXPECT_EQ(a.matrix.commands, 12u + 12u + 4u);    // preload + mm per tile, cmx.cfg per phase
  // Weights once, x and its scales once, tokens and routing weights, then
  // each real row of out read and written back (7 real rows of 256 FP32).
  const uint64_t weights = 3ull * (256 * 256 + 2 * 2 * 4);
  EXPECT_EQ(a.dma.bytes_read, weights + 7 * 256 + 7 * 2 * 4 + 2 * 8 * 4 + 7 * 256 * 4);
  EXPECT_EQ(a.dma.bytes_written, 7u * 256 * 4);
  const sim::QueueStats& compute = a.queues[static_cast<size_t>(isa::Queue::Compute)];
  EXPECT_GT(compute.busy_cycles, 0u);
  EXPECT_LE(compute.busy_cycles + compute.semaphore_cycles, result.tiles[0].cycles);
  EXPECT_EQ(a.local_memory.conflicts, 0u);  // the plan keeps every command's operands apart
}

TEST(ExpertMlp, DefaultPresetWithWideChunksMatchesGolden) {
  if (std::string(CADRE_EXPERT_MLP_ELF).empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: program not built";
  const arch::ArchConfig cfg = arch::load_arch("default");
  const std::vector<TileRun> runs = run(cfg, {{24, 768, 384, 40, 256}});
  expect_golden(runs[0]);
}

TEST(ExpertMlp, ShapesAndPlansThatCannotRunAreClearErrors) {
  const arch::ArchConfig small = arch::load_arch("small");
  try {
    (void)runtime::plan_expert_mlp({64, 1024, 256, 64, 512}, small);
    FAIL() << "no error";
  } catch (const runtime::ExpertMlpError& e) {
    EXPECT_NE(std::string(e.what()).find("bytes of scratchpad, architecture 'small' has 65536"), std::string::npos)
        << e.what();
  }
  try {
    (void)runtime::make_expert_mlp_case({8, 300, 256, 16, 128}, 1);
    FAIL() << "no error";
  } catch (const runtime::ExpertMlpError& e) {
    EXPECT_NE(std::string(e.what()).find("hidden must be a multiple of k_chunk"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cadre::test
