// The hand-written expert-MLP program (runtime/programs/expert_mlp.c) on the
// simulated chip: its output table equals the golden kernels' bit for bit,
// on both tiles of the small preset at once and on the default preset.
#include <gtest/gtest.h>

#include <cstring>

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
