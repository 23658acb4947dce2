// bench_host_gemm: the host's exact E4M3 GEMM (num::gemm_fp8, which the
// golden model and the simulator's matrix engine both call) at the shapes a
// full-size layer gives it, in nanoseconds per multiply-accumulate. Each
// shape runs --repeat times; the fastest run is printed, so that figures of
// two builds on a shared machine compare.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cadre/numerics/gemm.h"

namespace {

struct Shape {
  const char* what;
  size_t m, n, k;
};

// DeepSeek-V3's sizes (hidden 7168, expert width 2048): the golden model's
// gate/up and down GEMMs of an expert with 8 and 64 rows, and a chip tile's
// multiply of a block of 33 rows and 1 row against the array's 64 columns.
constexpr Shape kShapes[] = {
    {"golden gate/up, 8 rows", 8, 2048, 7168},   {"golden down, 8 rows", 8, 7168, 2048},
    {"golden gate/up, 64 rows", 64, 2048, 7168}, {"chip block, 33 rows", 33, 64, 7168},
    {"chip block, 1 row", 1, 64, 7168},
};

double seconds_of(const Shape& s, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
                  const std::vector<float>& scales, std::vector<float>& c) {
  const size_t kb = (s.k + cadre::num::kBlockK - 1) / cadre::num::kBlockK;
  const cadre::num::Fp8Operand oa{cadre::num::Format::E4M3, a.data(), s.k, scales.data(), 1, kb, 1};
  const cadre::num::Fp8Operand ob{cadre::num::Format::E4M3, b.data(), s.k, scales.data(), cadre::num::kBlockK, kb, 1};
  const auto t0 = std::chrono::steady_clock::now();
  cadre::num::gemm_fp8(s.m, s.n, s.k, oa, ob, c.data(), s.n, false);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Nanoseconds per MAC of the host's exact E4M3 GEMM at a full-size layer's shapes", "bench_host_gemm"};
  int repeat = 5;
  bool json = false;
  app.add_option("--repeat", repeat, "runs per shape (the fastest is kept)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--json", json, "JSON instead of a table");
  CLI11_PARSE(app, argc, argv);

  std::mt19937 rng(1);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!json) fmt::print("{:<26} {:>5} {:>6} {:>6} {:>10} {:>10}\n", "shape", "m", "n", "k", "best ms", "ns/MAC");
  for (const Shape& s : kShapes) {
    // Finite codes only (0x7F and 0xFF are E4M3's NaNs), as a real layer's.
    const auto code = [&] {
      const auto x = static_cast<uint8_t>(rng());
      return (x & 0x7F) == 0x7F ? uint8_t{0} : x;
    };
    std::vector<uint8_t> a(s.m * s.k), b(s.n * s.k);
    std::generate(a.begin(), a.end(), code);
    std::generate(b.begin(), b.end(), code);
    const std::vector<float> scales(std::max(s.m, s.n) * s.k, 1.0f);
    std::vector<float> c(s.m * s.n);
    double best = 1e30;
    for (int r = 0; r < repeat; ++r) best = std::min(best, seconds_of(s, a, b, scales, c));
    const double ns_per_mac = best * 1e9 / static_cast<double>(s.m * s.n * s.k);
    if (json)
      out.push_back({{"shape", s.what}, {"m", s.m}, {"n", s.n}, {"k", s.k}, {"best_seconds", best},
                     {"ns_per_mac", ns_per_mac}});
    else
      fmt::print("{:<26} {:>5} {:>6} {:>6} {:>10.2f} {:>10.4f}\n", s.what, s.m, s.n, s.k, best * 1e3, ns_per_mac);
  }
  if (json) fmt::print("{}\n", out.dump(2));
  return 0;
}
