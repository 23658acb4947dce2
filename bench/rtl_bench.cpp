// bench_rtl: how fast the verilated matrix engine co-simulates, against the
// behavioural engine doing the same GEMMs in the same run: simulated cycles
// and MACs per wall second for each verilated shape (CADRE_RTL_SHAPES; build
// with -DCADRE_RTL_SHAPES="8x8:1:1;16x16:1:1;32x32:1:1" for docs/rtl.md's
// table), and whether the two agree bit for bit and cycle for cycle.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <bit>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/cost/cost.h"
#include "cadre/numerics/gemm.h"
#include "cadre/rtl/array_model.h"

namespace {

using cadre::num::Format;

struct Figures {
  uint64_t runs = 0, cycles = 0, macs = 0;
  double seconds = 0;
  double cycles_per_s() const { return static_cast<double>(cycles) / seconds; }
  double macs_per_s() const { return static_cast<double>(macs) / seconds; }
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Co-simulation speed of the verilated matrix engine against the behavioural engine"};
  uint32_t m = 64, k = 512, repeats = 3;
  bool json = false;
  app.add_option("-m", m, "rows of A per GEMM")->capture_default_str();
  app.add_option("-k", k, "K of each GEMM (N is twice the array's columns)")->capture_default_str();
  app.add_option("--repeats", repeats, "GEMMs per shape")->capture_default_str();
  app.add_flag("--json", json, "figures as JSON");
  CLI11_PARSE(app, argc, argv);

  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json)
    fmt::print("{:>7} {:>9} {:>12} {:>12} {:>14} {:>14} {:>10} {:>6}\n", "array", "GEMM", "RTL cyc/s", "RTL MAC/s",
               "behav. cyc/s", "behav. MAC/s", "slowdown", "exact");
  for (const cadre::rtl::ArrayShape& shape : cadre::rtl::built_shapes()) {
    if (shape.rows < 8) continue;  // the test shapes: too small to time
    const uint32_t n = 2 * shape.cols, kb = (k + 127) / 128;
    std::mt19937 rng(14);
    std::vector<uint8_t> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(n) * k);
    for (uint8_t& x : a) x = static_cast<uint8_t>(rng() % 0x7F | (rng() % 2 ? 0x80 : 0));  // E4M3 without NaN
    for (uint8_t& x : b) x = static_cast<uint8_t>(rng() % 0x7F | (rng() % 2 ? 0x80 : 0));
    std::vector<float> sa(static_cast<size_t>(m) * kb, 0.5f), sb(static_cast<size_t>((n + 127) / 128) * kb, 0.25f);
    const cadre::rtl::GemmOperands ops{Format::E4M3, Format::E4M3, m, n, k, a, b, sa, sb};
    cadre::arch::ArchConfig cfg = cadre::arch::load_arch("small");
    cfg.matrix.rows = shape.rows;
    cfg.matrix.cols = shape.cols;
    cfg.matrix.preload_rows_per_cycle = shape.preload_rows_per_cycle;
    cfg.matrix.weight_buffers = shape.weight_buffers;

    const std::unique_ptr<cadre::rtl::ArrayModel> model = cadre::rtl::make_array_model(shape);
    Figures rtl, behavioural;
    std::vector<float> c_rtl(static_cast<size_t>(m) * n), c_behavioural(c_rtl.size());
    double start = now();
    for (uint32_t r = 0; r < repeats; ++r) {
      std::fill(c_rtl.begin(), c_rtl.end(), 0.0f);
      rtl.cycles += model->run(ops, c_rtl, 0);
      rtl.macs += uint64_t{m} * n * k;
      ++rtl.runs;
    }
    rtl.seconds = now() - start;
    // The behavioural engine is fast: it repeats the GEMM for at least a
    // tenth of a second, so that its time is measurable.
    start = now();
    for (uint32_t r = 0; r < repeats || now() - start < 0.1; ++r) {
      std::fill(c_behavioural.begin(), c_behavioural.end(), 0.0f);
      const cadre::num::Fp8Operand oa{Format::E4M3, a.data(), k, sa.data(), 1, kb, 1};
      const cadre::num::Fp8Operand ob{Format::E4M3, b.data(), k, sb.data(), 128, kb, 1};
      cadre::num::gemm_fp8(m, n, k, oa, ob, c_behavioural.data(), n, true);
      behavioural.cycles += cadre::cost::matmul_timing(cfg, m, n, k).total();
      behavioural.macs += uint64_t{m} * n * k;
      ++behavioural.runs;
    }
    behavioural.seconds = now() - start;
    bool exact = rtl.cycles / rtl.runs == behavioural.cycles / behavioural.runs;
    for (size_t i = 0; i < c_rtl.size(); ++i)
      exact = exact && std::bit_cast<uint32_t>(c_rtl[i]) == std::bit_cast<uint32_t>(c_behavioural[i]);
    const double slowdown = behavioural.macs_per_s() / rtl.macs_per_s();
    const std::string array = fmt::format("{}x{}", shape.rows, shape.cols), gemm = fmt::format("{}x{}x{}", m, n, k);
    if (json) {
      out.push_back({{"array", array},
                     {"m", m},
                     {"n", n},
                     {"k", k},
                     {"repeats", repeats},
                     {"rtl", {{"cycles", rtl.cycles}, {"seconds", rtl.seconds}, {"cycles_per_s", rtl.cycles_per_s()},
                              {"macs_per_s", rtl.macs_per_s()}}},
                     {"behavioural", {{"cycles", behavioural.cycles}, {"seconds", behavioural.seconds},
                                      {"cycles_per_s", behavioural.cycles_per_s()},
                                      {"macs_per_s", behavioural.macs_per_s()}}},
                     {"slowdown", slowdown},
                     {"exact", exact}});
      continue;
    }
    fmt::print("{:>7} {:>9} {:>12.3g} {:>12.3g} {:>14.3g} {:>14.3g} {:>9.0f}x {:>6}\n", array, gemm,
               rtl.cycles_per_s(), rtl.macs_per_s(), behavioural.cycles_per_s(), behavioural.macs_per_s(), slowdown,
               exact ? "yes" : "NO");
  }
  if (json) fmt::print("{}\n", out.dump(2));
  return 0;
}
