// `cadre run MODEL --arch A --phase P --tokens N`: compile the layer, place
// its input and weights in simulated HBM, run it on the SystemC chip and
// (--check) compare every output with the golden model bit for bit.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/runtime/layer_run.h"
#include "cadre/runtime/roofline.h"
#include "commands.h"
#include "exit_codes.h"
#include "layer_options.h"
#include "number_options.h"
#include "output_file.h"
#include "sim_exit.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace run_command {
namespace {

struct Options {
  LayerOptions layer;
  std::string pipeline, trace, matrix;
  uint64_t seed = 0, max_cycles = 0;
  bool check = false, json = false, pipeline_given = false, timing_only = false, stats = false;
};

int run(const Options& o) {
  if (o.check && o.timing_only) throw InputError{"--timing-only computes no values: it cannot --check", kExitUsage};
  arch::ArchConfig arch;
  const compiler::LayerRequest request = load_layer(o.layer, arch);
  if (o.check) require_golden_memory(request);
  if (!o.matrix.empty()) {
    const auto names = arch::ChoiceNames<arch::MatrixEngineKind>::names;
    arch.matrix.engine = static_cast<arch::MatrixEngineKind>(std::ranges::find(names, o.matrix) - names.begin());
  }
  const auto t0 = std::chrono::steady_clock::now();
  compiler::CompileOptions copts;
  if (o.pipeline_given) copts.pipeline = o.pipeline;
  const compiler::Compiled compiled = compiler::compile_layer(request, arch, copts);
  const auto t1 = std::chrono::steady_clock::now();
  const elf::Program program = elf::load_elf(compiled.code.elf, request.spec.name);
  const compiler::ArgumentBlock block = runtime::read_argument_block(program, request.spec.name);
  const golden::SyntheticWeights weights(weights::SyntheticLayer(request.spec, o.seed, request.tokens));
  // The precision the compiled program runs in (quantize-fp8 may be left out of a pipeline).
  const model::Precision precision = block.find("input_quant") ? model::Precision::Fp8 : model::Precision::Bf16;
  // The golden model runs on another core while the chip is simulated.
  std::future<golden::MoeTrace> golden;
  if (o.check)
    golden = std::async(std::launch::async, [&] { return golden::run_golden(request.spec, weights, precision, 1); });
  std::optional<golden::MoeTrace> golden_trace;
  const runtime::GoldenSource golden_source = [&]() -> const golden::MoeTrace& {
    if (!golden_trace) golden_trace = golden.get();
    return *golden_trace;
  };
  const auto t2 = std::chrono::steady_clock::now();

  sim::SimOptions sopts;
  sopts.program_name = request.spec.name;
  sopts.max_cycles = o.max_cycles;
  sopts.echo_output = false;
  sopts.progress = !o.json && isatty(STDERR_FILENO);
  if (sopts.progress) {
    const std::vector<uint64_t> rows = runtime::routed_rows(weights);
    sopts.progress_goal = {static_cast<uint64_t>(runtime::layer_work(request.spec, request.tokens, precision, rows).hbm_bytes),
                           request.tokens};
  }
  sopts.trace_path = o.trace;
  const runtime::LayerRun run = runtime::run_layer(program, block, arch, weights,
                                                   o.check ? golden_source : runtime::GoldenSource{}, sopts, o.timing_only);
  const auto t3 = std::chrono::steady_clock::now();

  const sim::SimResult& r = run.sim;
  uint64_t macs = 0;
  for (const sim::TileResult& t : r.tiles) macs += t.accelerator.matrix.macs;
  const double peak = static_cast<double>(r.cycles) * static_cast<double>(r.matrix_cells) * static_cast<double>(r.tiles.size());
  const double mac_utilisation = peak > 0 ? static_cast<double>(macs) / peak : 0.0;
  const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  const runtime::LayerWork work = runtime::layer_work(request.spec, request.tokens, precision, run.expert_rows);
  const runtime::Roofline bound = runtime::roofline(arch, work);
  const double of_roofline = r.cycles ? bound.bound_cycles() / static_cast<double>(r.cycles) : 0.0;
  uint64_t hbm_bytes = 0, l2_hit_bytes = 0;
  for (const sim::HbmChannelStats& c : r.hbm_channels) hbm_bytes += c.bytes, l2_hit_bytes += c.l2_hit_bytes;
  const double hbm_utilisation =
      r.cycles ? static_cast<double>(hbm_bytes) / (static_cast<double>(r.cycles) * arch::hbm_bytes_per_cycle(arch)) : 0.0;

  if (o.json) {
    nlohmann::ordered_json j{{"model", request.spec.name}, {"arch", arch.name},      {"phase", model::name(request.phase)},
                             {"tokens", request.tokens},   {"precision", model::name(request.precision)},
                             {"instructions", compiled.code.instructions()},
                             {"cycles", r.cycles},         {"simulated_seconds", r.simulated_seconds},
                             {"macs", macs},               {"mac_utilisation", mac_utilisation},
                             {"hbm_bytes", hbm_bytes},     {"hbm_utilisation", hbm_utilisation},
                             {"l2_hit_bytes", l2_hit_bytes}};
    j["roofline"] = {{"flops", work.flops}, {"hbm_bytes", work.hbm_bytes}, {"compute_cycles", bound.compute_cycles},
                     {"memory_cycles", bound.memory_cycles}, {"bound_cycles", bound.bound_cycles()},
                     {"memory_bound", bound.memory_bound()}, {"fraction", of_roofline}};
    j["error"] = r.error ? nlohmann::ordered_json(r.error->message) : nlohmann::ordered_json();
    j["checked"] = o.check;
    j["timing_only"] = o.timing_only;
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const runtime::TensorCheck& c : run.checks)
      checks.push_back({{"tensor", c.role}, {"elements", c.elements}, {"mismatches", c.mismatches}, {"first", c.first}});
    j["checks"] = checks;
    j["bit_exact"] = o.check ? nlohmann::ordered_json(run.bit_exact()) : nlohmann::ordered_json();
    j["wall_clock"] = {{"compile_seconds", secs(t0, t1)}, {"simulate_and_check_seconds", secs(t2, t3)}};
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{} {}, {} tokens, {}, on {} ({} tiles)\n", request.spec.name, model::name(request.phase), request.tokens,
               model::name(request.precision), arch.name, arch.tiles);
    fmt::print("compiled: {} instructions in {:.3f} s\n", compiled.code.instructions(), secs(t0, t1));
    fmt::print("simulated: {} cycles ({:.3f} us at {} GHz), {:.2f} s\n", r.cycles, r.simulated_seconds * 1e6,
               arch.clock_ghz, secs(t2, t3));
    fmt::print("roofline: {:.0f} cycles ({}-bound: {:.3g} GFLOP, {:.3g} MB from HBM), {:.1f} % of roofline; "
               "MAC utilisation {:.1f} %, HBM utilisation {:.1f} %\n",
               bound.bound_cycles(), bound.memory_bound() ? "memory" : "compute", work.flops / 1e9, work.hbm_bytes / 1e6,
               100 * of_roofline, 100 * mac_utilisation, 100 * hbm_utilisation);
    if (arch.l2.bytes) fmt::print("L2: {:.3g} MB of reads returned by the L2\n", static_cast<double>(l2_hit_bytes) / 1e6);
    if (o.check) {
      fmt::print("{:<20} {:>10} {:>12}  {}\n", "output", "elements", "mismatches", "");
      for (const runtime::TensorCheck& c : run.checks)
        fmt::print("{:<20} {:>10} {:>12}  {}\n", c.role, c.elements, c.mismatches, c.first);
      if (!r.error)
        fmt::print("{}\n", run.bit_exact() ? "check: every output bit-identical to the golden model"
                                           : "check: outputs differ from the golden model");
    }
  }
  if (o.stats) print_stderr("{}", sim::stats_table(r));
  if (r.error) {
    print_stderr("cadre run: error: {}\n", r.error->message);
    return exit_code_of(r.error->kind);
  }
  return o.check && !run.bit_exact() ? kExitMismatch : kExitOk;
}

}  // namespace
}  // namespace run_command

void add_run_command(CLI::App& app, int& exit_code) {
  using namespace run_command;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("run", "Compile an MoE layer, run it on the simulated chip, check it against the golden model");
  o->layer.add_to(*cmd);
  cmd->add_option("--seed", o->seed, "seed of the synthetic weights and input")->check(whole_number(0, UINT64_MAX));
  cmd->add_flag("--check", o->check, "compare every output with the golden model bit for bit (exit 1 on a difference)");
  cmd->add_option("--pass-pipeline", o->pipeline, "compiler passes (default: all)");
  cmd->add_flag("--timing-only", o->timing_only,
                "cycles only: FP8 GEMMs compute no values and expert weights are not placed (full-size layers, fast; routing still real)");
  cmd->add_option("--max-cycles", o->max_cycles, "stop with an error after this many cycles (0: no limit)")
      ->check(whole_number(0, UINT64_MAX));
  cmd->add_flag("--stats", o->stats, "per-tile, per-unit and per-channel statistics on stderr (as cadre sim --stats)");
  cmd->add_option("--trace", o->trace, "write a Chrome/Perfetto trace (JSON) of unit activity");
  const std::vector<std::string> engines(arch::kMatrixEngineNames, std::end(arch::kMatrixEngineNames));
  cmd->add_option("--matrix", o->matrix, "matrix engine implementation, in place of the configuration's /matrix/engine")
      ->check(CLI::IsMember(engines));
  cmd->add_flag("--json", o->json, "machine-readable output");
  cmd->callback([o, cmd, &exit_code] {
    o->pipeline_given = cmd->count("--pass-pipeline") > 0;
    try {
      check_outputs(*cmd, {{"--trace", o->trace}}, {o->layer.model, o->layer.arch});
      exit_code = run(*o);
    } catch (const InputError& e) {
      print_stderr("cadre run: {}\n", e.message);
      exit_code = e.code;
    } catch (const compiler::IrError& e) {
      print_stderr("cadre run: {}\n", e.what());
      exit_code = kExitBadInput;
    } catch (const runtime::LayerRunError& e) {
      print_stderr("cadre run: {}\n", e.what());
      exit_code = kExitBadInput;
    } catch (const arch::ConfigError& e) {  // a matrix engine this build cannot make
      print_stderr("cadre run: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  });
}

}  // namespace cadre::cli
