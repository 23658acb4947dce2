// bench_layers: compiled MoE layers at their real size on the simulated chip.
//
//   bench_layers --compile-time   compile time of the full-size DeepSeek-V3 layer (median of runs)
//   bench_layers [--models a,b] [--archs a,b] [--cases decode:64,prefill:4096] [--set k=v] [--check] [--json]
//       per case: simulated cycles, the roofline bound (docs/co-design.md), % of roofline,
//       MAC and HBM utilisation, the run's wall time and its peak host memory
//
// Each case runs `cadre run --timing-only --json` in its own process (SystemC
// runs once per process); timing-only leaves the FP8 GEMMs' values out, so a
// full-size layer takes seconds (routing is real). --check runs `cadre run
// --check` instead: every value computed and compared with the golden model,
// which is what bounds host memory (weights are made on demand, never held
// whole). Wall times vary between runs on a shared machine: compare ratios of
// one run.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

struct Captured {
  std::string output;     // stdout and stderr
  int status = -1;        // as wait() reports it; -1 when the command could not start
  long peak_rss_kb = 0;   // the command's peak resident memory
};

// `command` run by /bin/sh, its output captured and its own peak memory
// taken from wait4 (getrusage of all children would give the largest so far).
Captured run_capture(const std::string& command) {
  Captured c;
  int fds[2];
  if (pipe(fds) != 0) return c;
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return c;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) c.output.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  struct rusage usage {};
  if (wait4(pid, &c.status, 0, &usage) == pid) c.peak_rss_kb = usage.ru_maxrss;
  return c;
}

int compile_time(int repeat) {
  using namespace cadre;
  compiler::LayerRequest r;
  r.spec = model::load_model("deepseek-v3");
  for (const auto& [arch_name, phase, tokens] : {std::tuple{"default", model::Phase::Decode, 64u},
                                                 std::tuple{"h100-class", model::Phase::Decode, 256u},
                                                 std::tuple{"default", model::Phase::Prefill, 4096u}}) {
    const arch::ArchConfig arch = arch::load_arch(arch_name);
    r.phase = phase;
    r.tokens = tokens;
    r.arch = arch_name;
    std::vector<double> seconds;
    uint64_t instructions = 0;
    for (int i = 0; i < repeat; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const compiler::Compiled c = compiler::compile_layer(r, arch);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      instructions = c.code.instructions();
    }
    std::sort(seconds.begin(), seconds.end());
    fmt::print("compile deepseek-v3 {} {} tokens on {}: median {:.3f} s of {} runs (min {:.3f}, max {:.3f}), {} instructions\n",
               model::name(phase), tokens, arch_name, seconds[seconds.size() / 2], repeat, seconds.front(),
               seconds.back(), instructions);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_layers: compiled MoE layers at their real size on the simulated chip", "bench_layers"};
  std::string models = "deepseek-v3,deepseek-v2-lite,mixtral-8x7b,qwen1.5-moe-a2.7b,qwen3-30b-a3b,olmoe-1b-7b";
  std::string archs = "default,h100-class", cases = "decode:64,decode:256,prefill:4096", cadre = CADRE_BINARY;
  std::vector<std::string> sets;
  bool json = false, compile_only = false, check = false;
  int repeat = 5;
  app.add_option("--models", models, "bundled models, comma-separated")->capture_default_str();
  app.add_option("--archs", archs, "architectures, comma-separated")->capture_default_str();
  app.add_option("--cases", cases, "phase:tokens, comma-separated")->capture_default_str();
  app.add_option("--set", sets, "override a config field of every model (repeatable)");
  app.add_option("--cadre", cadre, "the cadre binary")->capture_default_str();
  app.add_flag("--compile-time", compile_only, "time the compiler on the full-size DeepSeek-V3 layer");
  app.add_option("--repeat", repeat, "compile-time runs")->capture_default_str();
  app.add_flag("--check", check, "run every value and check it against the golden model (slower), not --timing-only");
  app.add_flag("--json", json, "one JSON object per case");
  CLI11_PARSE(app, argc, argv);
  if (compile_only) return compile_time(repeat);

  std::string extra;
  for (const std::string& s : sets) extra += " --set " + s;
  if (!json)
    fmt::print("{:<18} {:<10} {:<8} {:>6} {:>13} {:>13} {:>7} {:>6} {:>6} {:>6} {:>8} {:>8}\n", "model", "arch", "phase",
               "tokens", "cycles", "roofline", "bound", "% roof", "MAC %", "HBM %", "wall s", "peak MB");
  int failures = 0;
  for (const std::string& arch : split(archs))
    for (const std::string& c : split(cases)) {
      const size_t colon = c.find(':');
      const std::string phase = c.substr(0, colon), tokens = c.substr(colon + 1);
      for (const std::string& m : split(models)) {
        const std::string command = fmt::format("{} run {} --arch {} --phase {} --tokens {} {} --json{} 2>&1", cadre,
                                                m, arch, phase, tokens, check ? "--check" : "--timing-only", extra);
        const auto t0 = std::chrono::steady_clock::now();
        const Captured run = run_capture(command);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double peak_mb = static_cast<double>(run.peak_rss_kb) / 1024;
        nlohmann::json j;
        try {
          if (run.status != 0) throw std::runtime_error("exit status");
          j = nlohmann::json::parse(run.output.substr(run.output.find('{')));
        } catch (const std::exception&) {
          ++failures;
          fmt::print(stderr, "{} {} {}:{}: failed (status {}): {}\n", m, arch, phase, tokens, run.status, run.output);
          continue;
        }
        const auto& roof = j["roofline"];
        if (json) {
          nlohmann::ordered_json row{{"model", m}, {"arch", arch}, {"phase", phase}, {"tokens", std::stoi(tokens)},
                                     {"cycles", j["cycles"]}, {"roofline_cycles", roof["bound_cycles"]},
                                     {"memory_bound", roof["memory_bound"]}, {"fraction_of_roofline", roof["fraction"]},
                                     {"mac_utilisation", j["mac_utilisation"]}, {"hbm_utilisation", j["hbm_utilisation"]},
                                     {"checked", check}, {"bit_exact", check ? j["bit_exact"] : nlohmann::json()},
                                     {"peak_rss_mb", peak_mb}, {"wall_clock", {{"seconds", wall}}}};
          fmt::print("{}\n", row.dump());
        } else {
          fmt::print("{:<18} {:<10} {:<8} {:>6} {:>13} {:>13.0f} {:>7} {:>6.1f} {:>6.1f} {:>6.1f} {:>8.1f} {:>8.1f}\n", m,
                     arch, phase, tokens, j["cycles"].get<uint64_t>(), roof["bound_cycles"].get<double>(),
                     roof["memory_bound"].get<bool>() ? "memory" : "compute", 100 * roof["fraction"].get<double>(),
                     100 * j["mac_utilisation"].get<double>(), 100 * j["hbm_utilisation"].get<double>(), wall, peak_mb);
        }
        std::fflush(stdout);
      }
    }
  return failures ? 1 : 0;
}
