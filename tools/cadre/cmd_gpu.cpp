// `cadre gpu MODEL --phase P --tokens N`: the GPU reference kernels on one MoE
// layer. The host build always runs; the CUDA build runs when a GPU is present.
// --check compares every kernel's output with the golden model bit for bit; the
// table adds the GPU performance model's time for the chosen GPU, with the
// range its unconstrained constants allow (docs/gpu-model.md).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cadre/golden/kernel_outputs.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/gpumodel/model_range.h"
#include "cadre/kernels/moe_kernels.h"
#include "commands.h"
#include "exit_codes.h"
#include "layer_options.h"
#include "number_options.h"
#include "output_file.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace gpu_command {
namespace {

using golden::MoeTrace;
using model::Kernel;
using model::Precision;

struct Options {
  std::string model, phase, precision{model::name(Precision::Fp8)}, weights = "synthetic", dump, gpu = "h100";
  std::vector<std::string> sets;
  uint32_t tokens = 0;
  uint64_t seed = 0;
  bool check = false, json = false;
};


// The shape of a kernel's first output, e.g. "[4, 256]".
std::string output_shape(Kernel k, const MoeTrace& t) {
  return fmt::format("[{}]", fmt::join(golden::kernel_outputs(k, t).front().shape, ", "));
}

// --dump: one safetensors file per kernel that ran, named by kernel, plus the inputs.
void dump(const std::string& dir, const model::MoeLayerSpec& spec, const golden::LayerWeights& weights,
          const MoeTrace& t) {
  using weights::DType;
  std::filesystem::create_directories(dir);
  auto write = [&](std::string_view name, const std::vector<weights::TensorToWrite>& tensors) {
    weights::write_safetensors(fmt::format("{}/{}.safetensors", dir, name), tensors);
  };
  const golden::MatrixU16 router = weights.bf16({weights::Role::RouterWeight});
  std::vector<weights::TensorToWrite> inputs{golden::matrix_tensor("x", DType::BF16, t.x),
                                             golden::matrix_tensor("router", DType::BF16, router)};
  golden::MatrixF bias;
  if (spec.routing.selection_bias) {
    bias = weights.fp32({weights::Role::RouterBias});
    inputs.push_back(golden::matrix_tensor("e_score_correction_bias", DType::F32, bias));
  }
  write("input", inputs);
  for (const model::Named<Kernel>& k : model::kKernels)
    if (model::kernel_runs(k.value, spec, t.precision)) write(k.name, golden::kernel_outputs(k.value, t));
}

// --dump writes a synthetic layer's weights too (weights.safetensors, in the
// family's checkpoint naming, the input included, so it can be given back as
// --weights) when they fit in this many bytes.
constexpr uint64_t kDumpWeightsLimit = uint64_t{64} << 20;

uint64_t layer_weight_bytes(const model::MoeLayerSpec& spec, Precision precision) {
  const uint64_t element = precision == Precision::Fp8 ? 1 : 2;
  const uint64_t expert = 3ull * spec.expert_width * spec.hidden * element;
  const uint64_t shared = 3ull * spec.shared.width * spec.hidden * element;
  return spec.routing.experts * expert + shared + 2ull * spec.routing.experts * spec.hidden;
}

// An estimate of the host memory a run takes, in bytes, from below: the host
// kernels' trace (twice with --check, the golden model's too) and the chosen
// experts' weights, stacked as the host build stacks them.
double run_bytes(const model::MoeLayerSpec& spec, uint32_t tokens, Precision precision, bool check) {
  const double weights = std::min<double>(spec.routing.experts, static_cast<double>(tokens) * spec.routing.top_k) * 3 *
                         spec.expert_width * spec.hidden * (precision == Precision::Fp8 ? 1 : 2);
  return golden::trace_bytes(spec, tokens, precision) * (check ? 2 : 1) + weights;
}

// The layer's weights; a checkpoint is checked whole (every tensor's presence,
// dtype and shape) before anything runs.
std::unique_ptr<golden::LayerWeights> open_weights(const Options& o, const model::MoeLayerSpec& spec,
                                                   Precision precision) {
  if (o.weights == "synthetic")
    return std::make_unique<golden::SyntheticWeights>(weights::SyntheticLayer(spec, o.seed, o.tokens));
  try {
    auto w = std::make_unique<golden::CheckpointWeights>(spec, std::vector<std::string>{o.weights});
    if (w->tokens() != o.tokens)
      throw InputError{fmt::format("{}: the input has {} tokens, --tokens says {}", o.weights, w->tokens(), o.tokens),
                       kExitBadInput};
    w->check_all(precision);
    return w;
  } catch (const weights::SafetensorsReadError& e) {
    throw InputError{fmt::format("cannot read the weights file: {}", e.what()), kExitIo};
  } catch (const weights::SafetensorsError& e) {
    throw InputError{e.what(), kExitBadInput};
  } catch (const golden::CheckpointError& e) {
    throw InputError{e.what(), kExitBadInput};
  }
}

// A modelled time and, in brackets, the range the model's unconstrained constants allow.
std::string time_range(const gpumodel::TimeRange& t) {
  return fmt::format("{:.2f} ({:.2f}-{:.2f})", t.time_us, t.low_us, t.high_us);
}

// Real (unpadded) rows per expert, for the performance model.
std::vector<uint64_t> expert_rows(const golden::Alignment& a) {
  std::vector<uint64_t> rows(a.offsets.size() - 1, 0);
  for (size_t e = 0; e + 1 < a.offsets.size(); ++e)
    for (int32_t r = a.offsets[e]; r < a.offsets[e + 1]; ++r) rows[e] += a.tokens[r] >= 0 ? 1 : 0;
  return rows;
}

int run(const Options& o) {
  std::vector<model::Override> overrides;
  for (const std::string& s : o.sets) overrides.push_back(model::parse_override(s));
  const model::MoeLayerSpec spec = model::load_model(o.model, overrides);
  // The command line accepts only the spellings, so both parse.
  const Precision precision = *model::parse_precision(o.precision);
  const model::Phase phase = *model::parse_phase(o.phase);
  const gpumodel::Gpu& gpu = gpumodel::find_gpu(o.gpu);
  require_memory(run_bytes(spec, o.tokens, precision, o.check), o.tokens);
  const auto weights = open_weights(o, spec, precision);

  const kernels::KernelRun host = kernels::run_host(spec, *weights, precision);
  std::optional<MoeTrace> golden;
  if (o.check) golden = golden::run_golden(spec, *weights, precision);
  // On a GPU: the exact-order kernels are checked bit for bit, the tensor-core
  // path (DeepGEMM's) gives the GPU times.
  std::optional<kernels::KernelRun> gpu_exact, gpu_mma;
  const bool have_gpu = kernels::cuda_device_count() > 0;
  if (have_gpu) {
    const model::GemmLayout layout = model::expert_gemm_layout(phase);
    gpu_exact = kernels::run_cuda(spec, *weights, precision, {kernels::GemmPath::Exact, layout});
    gpu_mma = kernels::run_cuda(spec, *weights, precision, {kernels::GemmPath::TensorCore, layout});
  }
  const gpumodel::LayerTimes modelled =
      gpumodel::model_moe_layer_range(spec, gpu, o.tokens, precision, phase, expert_rows(host.trace.alignment));

  uint64_t total_mismatches = 0;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  // Measured times, the only figures that differ between runs: kept apart, in "wall_clock".
  nlohmann::ordered_json wall_host_ms = nlohmann::ordered_json::object(), wall_gpu_ms;
  if (!o.json) {
    fmt::print("{} {}, {} tokens, {}, weights {}\n", spec.name, model::name(phase), o.tokens, model::name(precision),
               o.weights);
    if (!have_gpu) fmt::print("no GPU: CUDA run skipped\n");
    fmt::print("{:<16} {:<14} {:<12} {:>10} {:>10} {:>24}\n", "kernel", "output", "check", "host ms",
               have_gpu ? "GPU ms" : "", fmt::format("{} us", gpu.key));
  }
  for (const model::Named<Kernel>& named : model::kKernels) {
    const Kernel k = named.value;
    if (!model::kernel_runs(k, spec, precision)) continue;
    std::string check = "-";
    if (golden) {
      uint64_t bad = golden::output_mismatches(k, host.trace, *golden);
      if (gpu_exact) bad += golden::output_mismatches(k, gpu_exact->trace, *golden);
      total_mismatches += bad;
      check = bad == 0 ? "bit-exact" : fmt::format("{} differ", bad);
    }
    gpumodel::TimeRange model_us;
    for (size_t m = 0; m < modelled.kernels.size(); ++m)
      if (modelled.kernels[m].kernel == k) model_us = modelled.ranges[m];
    const auto i = static_cast<size_t>(k);
    const double host_ms = host.seconds[i] * 1e3;
    const double gpu_ms = gpu_mma ? gpu_mma->seconds[i] * 1e3 : 0.0;
    if (o.json) {
      nlohmann::ordered_json row{{"kernel", named.name}, {"output", output_shape(k, host.trace)}, {"check", check}};
      wall_host_ms[named.name] = host_ms;
      if (have_gpu) wall_gpu_ms[named.name] = gpu_ms;
      row["model_us"] = model_us.time_us;
      row["model_us_low"] = model_us.low_us;
      row["model_us_high"] = model_us.high_us;
      rows.push_back(row);
    } else {
      fmt::print("{:<16} {:<14} {:<12} {:>10.3f} {:>10} {:>24}\n", named.name,
                 output_shape(k, host.trace), check, host_ms, have_gpu ? fmt::format("{:.3f}", gpu_ms) : "",
                 time_range(model_us));
    }
  }
  if (o.json) {
    nlohmann::ordered_json out{{"model", spec.name},   {"phase", model::name(phase)},   {"tokens", o.tokens},
                               {"precision", model::name(precision)}, {"gpu", gpu.key}, {"cuda_run", have_gpu},
                               {"checked", o.check},   {"mismatches", total_mismatches}, {"kernels", rows},
                               {"model_total_us", modelled.total.time_us},
                               {"model_total_us_low", modelled.total.low_us},
                               {"model_total_us_high", modelled.total.high_us},
                               {"wall_clock", {{"host_ms", wall_host_ms}, {"gpu_ms", wall_gpu_ms}}}};
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("{:<66} {:>24}\n", "total of the modelled times", time_range(modelled.total));
    if (o.check)
      fmt::print("{}\n", total_mismatches == 0 ? "check: every kernel bit-identical to the golden model"
                                                : fmt::format("check: {} elements differ", total_mismatches));
  }
  if (!o.dump.empty()) {
    dump(o.dump, spec, *weights, host.trace);
    if (o.weights == "synthetic" && layer_weight_bytes(spec, precision) <= kDumpWeightsLimit)
      golden::write_synthetic_checkpoint(o.dump + "/weights.safetensors",
                                         weights::SyntheticLayer(spec, o.seed, o.tokens), precision);
  }
  return total_mismatches == 0 ? kExitOk : kExitMismatch;
}

}  // namespace
}  // namespace gpu_command

void add_gpu_command(CLI::App& app, int& exit_code) {
  using namespace gpu_command;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("gpu", "Run the GPU reference kernels on one MoE layer (host build; CUDA on a GPU)");
  cmd->add_option("MODEL", o->model, "a bundled model name or a path to a config.json")->required();
  const std::vector<std::string> phases = spellings(model::kPhases), precisions = spellings(model::kPrecisions);
  cmd->add_option("--phase", o->phase, fmt::format("{}", fmt::join(phases, " or ")))
      ->required()
      ->check(CLI::IsMember(phases));
  cmd->add_option("--tokens", o->tokens, "tokens in the layer")->required()->check(whole_number(1, UINT32_MAX));
  cmd->add_option("--precision", o->precision, fmt::format("{}", fmt::join(precisions, " or ")))
      ->check(CLI::IsMember(precisions));
  cmd->add_option("--set", o->sets, "override a config field: key=value (repeatable)");
  cmd->add_option("--seed", o->seed, "seed of the synthetic weights and input")->check(whole_number(0, UINT64_MAX));
  cmd->add_option("--weights", o->weights, "synthetic, or a safetensors file with the layer and an 'input' tensor");
  cmd->add_flag("--check", o->check, "compare every kernel with the golden model bit for bit (exit 1 on a difference)");
  cmd->add_option("--dump", o->dump, "write the inputs and every kernel's output as safetensors files into DIR");
  cmd->add_option("--gpu", o->gpu, "GPU of the performance model")->check(CLI::IsMember({"h100", "h800", "h200"}));
  cmd->add_flag("--json", o->json, "machine-readable output");
  cmd->callback([o, cmd, &exit_code] {
    try {
      check_outputs(*cmd, {{"--dump", o->dump, OutputPath::Kind::Directory}}, {o->model, o->weights});
      exit_code = run(*o);
    } catch (const InputError& e) {
      print_stderr("cadre gpu: {}\n", e.message);
      exit_code = e.code;
    } catch (const model::ModelConfigError& e) {
      print_stderr("cadre gpu: {}\n", e.what());
      exit_code = kExitBadInput;
    } catch (const std::invalid_argument& e) {
      print_stderr("cadre gpu: {}\n", e.what());
      exit_code = kExitBadInput;
    } catch (const weights::SafetensorsError& e) {
      print_stderr("cadre gpu: {}\n", e.what());
      exit_code = kExitIo;
    } catch (const std::filesystem::filesystem_error& e) {
      print_stderr("cadre gpu: {}\n", e.what());
      exit_code = kExitIo;
    }
  });
}

}  // namespace cadre::cli
