// The RTL matrix engine in the SystemC chip (/matrix/engine rtl): the
// hand-written expert MLP and a compiled layer bit-identical to the golden
// model and cycle for cycle equal to the behavioural engine's run, the FST
// waveform as GTKWave's reader sees it, the scoreboard, and the errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "accel_test_util.h"
#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"
#include "cadre/elf/elf_program.h"
#include "cadre/runtime/expert_mlp.h"
#include "cadre/runtime/layer_run.h"
#include "cadre/sim/accel_error.h"
#include "cadre/sim/chip.h"
#include "cadre/sim/rtl_matrix_engine.h"
#include "cadre/sim/simulate.h"
#include "compiler_test_util.h"
#include "gtkwave/fstapi.h"

namespace cadre::test {
namespace {

// What the cycle comparison needs from a run.
struct RunCycles {
  uint64_t chip = 0, tile0 = 0, matrix_busy = 0;
  bool ok = false;
};

RunCycles cycles_of(const sim::SimResult& r) {
  return {r.cycles, r.tiles[0].cycles, r.tiles[0].accelerator.matrix.busy_cycles, !r.error && r.exit_code == 0};
}

// SystemC elaborates once per process: the behavioural run for comparison
// happens in a child process, which sends its cycles back through a pipe.
RunCycles in_child(const std::function<RunCycles()>& run) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    RunCycles c;
    try {
      c = run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "the run in the child process failed: %s\n", e.what());
    }
    const ssize_t written = write(fds[1], &c, sizeof c);
    _exit(written == static_cast<ssize_t>(sizeof c) ? 0 : 1);
  }
  close(fds[1]);
  RunCycles c;
  const ssize_t got = read(fds[0], &c, sizeof c);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != static_cast<ssize_t>(sizeof c) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return c;
}

arch::ArchConfig small_with(arch::MatrixEngineKind engine) {
  arch::ArchConfig cfg = arch::load_arch("small");
  cfg.matrix.engine = engine;
  return cfg;
}

// Tile 0 runs the expert MLP (two slices of I, two K chunks of H: every
// tile kind, mm and mm.acc); tile 1 idles.
struct ExpertMlpRun {
  runtime::ExpertMlpCase input = runtime::make_expert_mlp_case({8, 256, 256, 16, 128}, 100);
  expert_mlp_args args{};
  golden::MatrixF out;
  sim::SimResult result;
};

void run_expert_mlp(const arch::ArchConfig& cfg, ExpertMlpRun& run, sim::SimOptions options = {}) {
  options.echo_output = false;
  options.configure = [&](sim::Chip& chip) {
    runtime::write_idle_tile(chip.hbm(), 1);
    run.args = runtime::write_expert_mlp(chip.hbm(), cfg, 0, run.input,
                                         runtime::plan_expert_mlp({8, 256, 256, 16, 128}, cfg));
  };
  options.inspect = [&](sim::Chip& chip) { run.out = runtime::read_expert_mlp_output(chip.hbm(), run.args); };
  run.result = sim::simulate(cfg, elf::load_elf_file(CADRE_EXPERT_MLP_ELF), options);
}

bool have_program() { return !std::string(CADRE_EXPERT_MLP_ELF).empty(); }

TEST(RtlChip, ExpertMlpMatchesGoldenAndBehaviouralCycles) {
  if (!have_program()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: program not built";
  const RunCycles behavioural = in_child([] {
    ExpertMlpRun run;
    run_expert_mlp(small_with(arch::MatrixEngineKind::Behavioural), run);
    return cycles_of(run.result);
  });
  ASSERT_TRUE(behavioural.ok) << "the behavioural run failed";

  ExpertMlpRun run;
  run_expert_mlp(small_with(arch::MatrixEngineKind::Rtl), run);
  ASSERT_FALSE(run.result.error) << run.result.error->message;
  const golden::MatrixF expect = runtime::expert_mlp_golden(run.input);
  ASSERT_EQ(run.out.size(), expect.size());
  EXPECT_EQ(std::memcmp(run.out.data(), expect.data(), static_cast<size_t>(expect.size()) * 4), 0);
  const RunCycles rtl = cycles_of(run.result);
  EXPECT_EQ(rtl.chip, behavioural.chip);
  EXPECT_EQ(rtl.tile0, behavioural.tile0);
  EXPECT_EQ(rtl.matrix_busy, behavioural.matrix_busy);
  EXPECT_EQ(run.result.tiles[0].accelerator.matrix.macs, 3ull * 8 * 256 * 256);
}

// A compiled layer (the shrunk Mixtral, decoding 8 tokens on `small`) in
// FP8 and in BF16.
RunCycles run_layer(const std::string& precision, arch::MatrixEngineKind engine, bool* bit_exact) {
  const std::vector<test::ShrunkLayer> layers = test::shrunk_layers();
  const test::ShrunkLayer& mixtral = layers[2];
  const arch::ArchConfig cfg = small_with(engine);
  const compiler::LayerRequest request = test::shrunk_request(mixtral, "decode", 8, precision, "small");
  const compiler::Compiled compiled = compiler::compile_layer(request, cfg, {});
  const elf::Program program = elf::load_elf(compiled.code.elf, "layer");
  const compiler::ArgumentBlock block = runtime::read_argument_block(program, "layer");
  const golden::SyntheticWeights weights(weights::SyntheticLayer(request.spec, 7, 8));
  const golden::MoeTrace golden = golden::run_golden(
      request.spec, weights, precision == "fp8" ? model::Precision::Fp8 : model::Precision::Bf16, 1);
  sim::SimOptions options;
  options.echo_output = false;
  const runtime::LayerRun run = runtime::run_layer(program, block, cfg, weights, &golden, options);
  if (bit_exact) *bit_exact = run.bit_exact();
  if (run.sim.error) ADD_FAILURE() << run.sim.error->message;
  return cycles_of(run.sim);
}

void expect_layer_matches(const std::string& precision) {
  const RunCycles behavioural =
      in_child([&] { return run_layer(precision, arch::MatrixEngineKind::Behavioural, nullptr); });
  ASSERT_TRUE(behavioural.ok) << "the behavioural run failed";
  bool bit_exact = false;
  const RunCycles rtl = run_layer(precision, arch::MatrixEngineKind::Rtl, &bit_exact);
  EXPECT_TRUE(bit_exact);
  EXPECT_EQ(rtl.chip, behavioural.chip);
  EXPECT_EQ(rtl.matrix_busy, behavioural.matrix_busy);
}

TEST(RtlChip, CompiledFp8LayerMatchesGoldenAndBehaviouralCycles) { expect_layer_matches("fp8"); }
TEST(RtlChip, CompiledBf16LayerMatchesGoldenAndBehaviouralCycles) { expect_layer_matches("bf16"); }

// The waveform of a cycle window, read back with the FST reader GTKWave uses.
TEST(RtlChip, WaveformOfACycleWindowOpensInGtkwavesReader) {
  if (!have_program()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: program not built";
  const std::string path = testing::TempDir() + "rtl_chip.fst";
  sim::SimOptions options;
  options.waveform = sim::WaveformRequest{path, 6000, 6999};
  ExpertMlpRun run;
  run_expert_mlp(small_with(arch::MatrixEngineKind::Rtl), run, options);
  ASSERT_FALSE(run.result.error) << run.result.error->message;
  ASSERT_TRUE(std::filesystem::exists(path));
  ASSERT_TRUE(std::filesystem::exists(testing::TempDir() + "rtl_chip.tile1.fst"));  // tile 1's (idle)

  void* fst = fstReaderOpen(path.c_str());
  ASSERT_NE(fst, nullptr) << path << " is not an FST file";
  // Times in picoseconds at 1 GHz: inside the window, and some of it is
  // there (the first cmx.mm starts at cycle 5940).
  EXPECT_GE(fstReaderGetStartTime(fst), 6000u * 1000);
  EXPECT_LE(fstReaderGetEndTime(fst), 7000u * 1000);
  EXPECT_GT(fstReaderGetEndTime(fst), fstReaderGetStartTime(fst));
  std::vector<std::string> names;
  for (fstHier* h = fstReaderIterateHier(fst); h; h = fstReaderIterateHier(fst))
    if (h->htyp == FST_HT_VAR) {
      const std::string name = h->u.var.name;  // "bot_acc_out [255:0]"
      names.push_back(name.substr(0, name.find(' ')));
    }
  fstReaderClose(fst);
  for (const char* signal : {"clk", "busy", "a_req", "w_req", "bot_acc_out"})
    EXPECT_NE(std::find(names.begin(), names.end(), signal), names.end()) << "no signal " << signal;
}

// The scoreboard: a model that returns one wrong bit is caught, with the element.
class OneBitWrong final : public rtl::ArrayModel {
 public:
  explicit OneBitWrong(std::unique_ptr<rtl::ArrayModel> inner) : inner_(std::move(inner)) {}
  rtl::ArrayShape shape() const override { return inner_->shape(); }
  uint64_t run(const rtl::GemmOperands& operands, std::span<float> c, uint64_t start) override {
    const uint64_t cycles = inner_->run(operands, c, start);
    uint32_t bits;
    std::memcpy(&bits, &c[1], 4);
    bits ^= 1;
    std::memcpy(&c[1], &bits, 4);
    return cycles;
  }
  void open_waveform(const std::filesystem::path& path, const rtl::WaveformWindow& window) override {
    inner_->open_waveform(path, window);
  }
  uint64_t cycles_run() const override { return inner_->cycles_run(); }

 private:
  std::unique_ptr<rtl::ArrayModel> inner_;
};

TEST(RtlChip, ScoreboardNamesTheFirstDifferingElement) {
  arch::ArchConfig cfg = unit_config(4, 4);
  cfg.matrix.preload_rows_per_cycle = 3;
  LocalRig rig(cfg);
  std::vector<uint8_t> ones(2 * 6, 0x38);  // E4M3 1.0
  rig.put(kSp, ones);
  sim::RtlMatrixEngine engine(cfg, rig.memory,
                              std::make_unique<OneBitWrong>(rtl::make_array_model(rtl::shape_of(cfg))));
  namespace ops = isa::operands;
  engine.configure(ops::MatrixFormats{.a_fmt = 2, .b_fmt = 2}, {});
  engine.preload(ops::TileWithScales{.tile = kSp}, ops::WeightShape{.k = 6, .n = 2});
  try {
    engine.matmul(ops::TileWithScales{.tile = kSp}, ops::MatmulOut{.acc = kAcc, .m = 1}, false);
    FAIL() << "no error";
  } catch (const sim::AccelError& e) {
    EXPECT_NE(std::string(e.what()).find("the RTL matrix engine's C[0][1] is 6.0000005 (0x40c00001) where the "
                                         "behavioural engine's is 6 (0x40c00000)"),
              std::string::npos)
        << e.what();
  }
}

TEST(RtlChip, EngineTheBuildCannotMakeIsAConfigurationError) {
  if (!have_program()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: program not built";
  arch::ArchConfig cfg = arch::load_arch("default");  // 32 x 32: not verilated by default
  cfg.matrix.engine = arch::MatrixEngineKind::Rtl;
  cfg.matrix.preload_rows_per_cycle = 1;
  cfg.matrix.weight_buffers = 1;
  const elf::Program program = elf::load_elf_file(CADRE_EXPERT_MLP_ELF);
  if (rtl::missing_model(rtl::shape_of(cfg)).empty()) GTEST_SKIP() << "this build verilated 32x32";
  try {
    sim::simulate(cfg, program, {});
    FAIL() << "no error";
  } catch (const arch::ConfigError& e) {
    EXPECT_EQ(e.path(), "/matrix/engine");
    EXPECT_NE(e.reason().find("no RTL model of the 32x32, 1 preload row a cycle, 1 weight buffer array is built"),
              std::string::npos)
        << e.what();
    EXPECT_NE(e.reason().find("\"32x32:1:1\" to the CMake list CADRE_RTL_SHAPES"), std::string::npos) << e.what();
  }
  sim::SimOptions options;
  options.waveform = sim::WaveformRequest{testing::TempDir() + "none.fst"};
  try {
    sim::simulate(small_with(arch::MatrixEngineKind::Behavioural), program, options);
    FAIL() << "no error";
  } catch (const arch::ConfigError& e) {
    EXPECT_NE(e.reason().find("FST waveforms come from the RTL matrix engine"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cadre::test
