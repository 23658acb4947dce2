// `cadre compare MODEL --arch A --phase P --tokens N`: the layer three ways,
// kernel by kernel (docs/compare.md): the GPU reference (the performance
// model; times measured on a GPU where one is present), the Cadre chip (the
// compiled layer on the simulator, with the energy and area model) and the
// golden model (the check of the chip's outputs). --report DIR writes the
// tables, charts and a page.
#include <fmt/format.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <nlohmann/json.hpp>

#include "cadre/compiler/compiler.h"
#include "cadre/energy/energy_model.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/gpumodel/gpu.h"
#include "cadre/kernels/moe_kernels.h"
#include "cadre/report/report.h"
#include "cadre/rtl/area.h"
#include "cadre/runtime/comparison.h"
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
namespace compare_command {
namespace {

struct Options {
  LayerOptions layer;
  std::string gpu = "h100", report, area_report;
  uint64_t seed = 0, max_cycles = 0;
  bool json = false, timing_only = false, estimated_area = false;
};

// The synthesised matrix engine in place of the energy model's MAC-cell
// estimate: the `cadre area --json` report given, else the one recorded in
// rtl/area/ for the array's shape; none with --estimated-area or without a
// synthesis of this shape.
std::optional<energy::LogicArea> rtl_logic_area(const Options& o, const arch::ArchConfig& arch) {
  if (o.estimated_area) return std::nullopt;
  try {
    const std::optional<std::vector<rtl::SynthesisedPart>> engine =
        o.area_report.empty() ? rtl::recorded_synthesis(arch) : rtl::load_area_report(o.area_report, arch);
    if (!engine) return std::nullopt;
    return rtl::logic_area_with_engine(arch, energy::tech_node(arch.tech_node_nm), *engine);
  } catch (const rtl::SynthesisError& e) {
    throw InputError{fmt::format("--area-report: {}", e.what()), kExitBadInput};
  }
}

std::string figure(double v, int width, int precision = 3) {
  return fmt::format("{:>{}.{}g}", v, width, precision);
}

// Time, TFLOP/s, GB/s, % of roofline and energy of one kernel on one machine.
std::string figures(const runtime::KernelFigures* f) {
  if (!f) return fmt::format("{:>45}", "did not run");
  return fmt::format("{} {} {} {} {}", figure(f->time_us, 9, 4), figure(f->tflops(), 8), figure(f->gbs(), 8),
                     figure(100 * f->roofline_fraction(), 6), figure(f->energy_j * 1e6, 10, 4));
}

void print_table(const runtime::Comparison& c, const arch::ArchConfig& arch) {
  fmt::print("{} {}, {} tokens, {}: {} against Cadre '{}' ({} tiles of {}x{}, {} GHz, {} nm)\n", c.model, c.phase,
             c.tokens, c.precision, c.gpu_layer.name, arch.name, arch.tiles, arch.matrix.rows, arch.matrix.cols,
             arch.clock_ghz, arch.tech_node_nm);
  if (!c.gpu_measured) fmt::print("no GPU was used: the GPU column is the GPU performance model's\n");
  fmt::print("\n{:<15} | {:^45} | {:^45} |\n", "", c.gpu_layer.name, c.cadre_layer.name);
  const std::string head = fmt::format("{:>9} {:>8} {:>8} {:>6} {:>10}", "time us", "TFLOP/s", "GB/s", "roof%", "energy uJ");
  fmt::print("{:<15} | {} | {} | {}\n", "kernel", head, head, "golden check");
  for (const runtime::KernelComparison& k : c.kernels)
    fmt::print("{:<15} | {} | {} | {}\n", model::name(k.kernel), figures(k.gpu ? &*k.gpu : nullptr),
               figures(k.cadre ? &*k.cadre : nullptr), k.check);
  runtime::KernelFigures control;
  control.time_us = c.control_us;
  control.energy_j = c.control_energy_j;
  fmt::print("{:<15} | {:>45} | {} |\n", "control", "", figures(&control));
  const runtime::MachineSummary &g = c.gpu_layer, &k = c.cadre_layer;
  fmt::print("\n{:<15} {:>20} {:>20} {:>12}\n", "layer", c.gpu, c.arch, "Cadre/GPU");
  const auto line = [](const char* what, double a, double b) {
    fmt::print("{:<15} {:>20} {:>20} {:>12}\n", what, fmt::format("{:.4g}", a), fmt::format("{:.4g}", b),
               a > 0 ? fmt::format("{:.3g}x", b / a) : "-");
  };
  line("time us", g.time_us, k.time_us);
  line("tokens/s", g.tokens_per_s(), k.tokens_per_s());
  line("energy mJ", g.energy_j * 1e3, k.energy_j * 1e3);
  line("tokens/J", g.tokens_per_j(), k.tokens_per_j());
  line("area mm2", g.area_mm2, k.area_mm2);
  line("tokens/s/mm2", g.tokens_per_s_per_mm2(), k.tokens_per_s_per_mm2());
  line("% of roofline", 100 * g.roofline_fraction, 100 * k.roofline_fraction);
  fmt::print("\nassumptions:\n");
  for (const runtime::Assumption& a : c.assumptions) fmt::print("  {}: {}\n", a.topic, a.text);
  if (c.checked)
    fmt::print("{}\n", c.bit_exact ? "check: every output of the chip bit-identical to the golden model"
                                   : "check: the chip's outputs differ from the golden model");
}

// Per-kernel seconds of the layer on the GPU present: the tensor-core path, as the comparison's GPU column.
std::optional<std::array<double, model::kKernelCount>> measure_gpu(const compiler::LayerRequest& request,
                                                                   const golden::LayerWeights& weights) {
  if (kernels::cuda_device_count() == 0) return std::nullopt;
  const kernels::KernelRun run = kernels::run_cuda(
      request.spec, weights, request.precision,
      {kernels::GemmPath::TensorCore, model::expert_gemm_layout(request.phase)});
  return run.seconds;
}

int run(const Options& o) {
  arch::ArchConfig arch;
  const compiler::LayerRequest request = load_layer(o.layer, arch);
  if (!o.timing_only) require_golden_memory(request);
  const gpumodel::Gpu& gpu = gpumodel::find_gpu(o.gpu);
  try {
    energy::chip_model(arch);
  } catch (const energy::TechNodeError& e) {
    throw InputError{fmt::format("architecture '{}': {}", arch.name, e.what()), kExitBadInput};
  }
  const std::optional<energy::LogicArea> logic_area = rtl_logic_area(o, arch);
  const compiler::Compiled compiled = compiler::compile_layer(request, arch);
  const elf::Program program = elf::load_elf(compiled.code.elf, request.spec.name);
  const compiler::ArgumentBlock block = runtime::read_argument_block(program, request.spec.name);
  const golden::SyntheticWeights weights(weights::SyntheticLayer(request.spec, o.seed, request.tokens));
  const model::Precision precision = block.find("input_quant") ? model::Precision::Fp8 : model::Precision::Bf16;
  const bool check = !o.timing_only;
  // The golden model runs on another core while the chip is simulated.
  std::future<golden::MoeTrace> golden;
  if (check) golden = std::async(std::launch::async, [&] { return golden::run_golden(request.spec, weights, precision, 1); });
  std::optional<golden::MoeTrace> golden_trace;
  const runtime::GoldenSource golden_source = [&]() -> const golden::MoeTrace& {
    if (!golden_trace) golden_trace = golden.get();
    return *golden_trace;
  };

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
  const runtime::LayerRun run = runtime::run_layer(program, block, arch, weights,
                                                   check ? golden_source : runtime::GoldenSource{}, sopts, o.timing_only);
  if (run.sim.error) {
    print_stderr("cadre compare: error: {}\n", run.sim.error->message);
    return exit_code_of(run.sim.error->kind);
  }

  const auto measured = o.timing_only ? std::nullopt : measure_gpu(request, weights);
  const runtime::CompareInputs in{request.spec, request.tokens, request.phase, precision, arch, gpu, run,
                                  o.timing_only, check,     measured,      "synthetic", logic_area};
  const runtime::Comparison c = runtime::compare_layer(in);

  if (o.json) fmt::print("{}\n", runtime::to_json(c).dump(2));
  else print_table(c, arch);
  if (!o.report.empty()) {
    try {
      report::write_report(o.report, c);
    } catch (const report::ReportError& e) {
      throw InputError{e.what(), kExitIo};
    }
    if (!o.json) fmt::print("report: {}/index.html\n", o.report);
  }
  return check && !c.bit_exact ? kExitMismatch : kExitOk;
}

}  // namespace
}  // namespace compare_command

void add_compare_command(CLI::App& app, int& exit_code) {
  using namespace compare_command;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "An MoE layer on the GPU (model or measured), on the simulated Cadre chip and against the golden "
                 "model, kernel by kernel: time, throughput, % of roofline, energy; tokens/s, tokens/J, tokens/s/mm2");
  o->layer.add_to(*cmd);
  cmd->add_option("--gpu", o->gpu, "the GPU to compare with")->check(CLI::IsMember({"h100", "h800", "h200"}))->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the synthetic weights and input")->check(whole_number(0, UINT64_MAX));
  cmd->add_option("--report", o->report, "write CSV and JSON tables, SVG charts and index.html into DIR");
  cmd->add_option("--area-report", o->area_report,
                  "a `cadre area --arch A --json` report of this architecture: its synthesised matrix engine's area "
                  "in place of the estimate (default: the synthesis recorded in rtl/area/ for the array's shape)");
  cmd->add_flag("--estimated-area", o->estimated_area, "the energy model's estimate of the MAC cells' area, not the RTL's")
      ->excludes("--area-report");
  cmd->add_flag("--timing-only",
                o->timing_only,
                "cycles only: FP8 GEMMs compute no values, nothing is checked and no GPU is run (full-size layers, fast)");
  cmd->add_option("--max-cycles", o->max_cycles, "stop the simulation with an error after this many cycles (0: no limit)")
      ->check(whole_number(0, UINT64_MAX));
  cmd->add_flag("--json", o->json, "the comparison as JSON (docs/compare.md)");
  cmd->callback([o, cmd, &exit_code] {
    try {
      check_outputs(*cmd, {{"--report", o->report, OutputPath::Kind::Directory}}, {o->layer.model, o->layer.arch});
      exit_code = run(*o);
    } catch (const InputError& e) {
      print_stderr("cadre compare: {}\n", e.message);
      exit_code = e.code;
    } catch (const compiler::IrError& e) {
      print_stderr("cadre compare: {}\n", e.what());
      exit_code = kExitBadInput;
    } catch (const runtime::LayerRunError& e) {
      print_stderr("cadre compare: {}\n", e.what());
      exit_code = kExitBadInput;
    } catch (const gpumodel::GpuConfigError& e) {
      print_stderr("cadre compare: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  });
}

}  // namespace cadre::cli
