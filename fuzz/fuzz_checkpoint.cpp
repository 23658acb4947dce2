// Fuzz target: the checkpoint loader's matching of tensor names, dtypes and
// shapes against a layer (golden::CheckpointWeights). The first byte picks
// a tiny layer of one family (kLayers), the second whether names carry a
// layer prefix, and the rest is a safetensors file. Every tensor the layer
// has is asked for in both precisions; each ask either returns a matrix of
// the layer's shape or throws CheckpointError, and an unreadable file throws
// SafetensorsError. Anything else (another exception, a crash, a sanitizer
// report) is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cadre/golden/layer_weights.h"

namespace {

using namespace cadre;
using weights::Role;
using weights::TensorRef;

// One small layer per family: every kind of tensor a checkpoint holds (the
// DeepSeek-V3 bias, DeepSeek's shared experts, Qwen's gated shared expert).
struct TinyLayer {
  const char* bundled;
  std::vector<model::Override> overrides;
};
const TinyLayer kLayers[] = {
    {"deepseek-v3", {{"hidden_size", "4"}, {"moe_intermediate_size", "4"}, {"n_routed_experts", "2"},
                     {"num_experts_per_tok", "1"}, {"n_group", "1"}, {"topk_group", "1"}, {"n_shared_experts", "1"}}},
    {"deepseek-v2-lite", {{"hidden_size", "4"}, {"moe_intermediate_size", "4"}, {"n_routed_experts", "2"},
                          {"num_experts_per_tok", "1"}, {"n_shared_experts", "1"}}},
    {"mixtral-8x7b", {{"hidden_size", "4"}, {"intermediate_size", "4"}, {"num_local_experts", "2"},
                      {"num_experts_per_tok", "1"}}},
    {"qwen1.5-moe-a2.7b", {{"hidden_size", "4"}, {"moe_intermediate_size", "4"}, {"num_experts", "2"},
                           {"num_experts_per_tok", "1"}, {"shared_expert_intermediate_size", "4"}}},
    {"qwen3-30b-a3b", {{"hidden_size", "4"}, {"moe_intermediate_size", "4"}, {"num_experts", "2"},
                       {"num_experts_per_tok", "1"}}},
    {"olmoe-1b-7b", {{"hidden_size", "4"}, {"intermediate_size", "4"}, {"num_experts", "2"},
                     {"num_experts_per_tok", "1"}}},
};

template <class M>
void check_shape(const M& m, weights::Shape s) {
  if (static_cast<uint64_t>(m.rows()) != s.rows || static_cast<uint64_t>(m.cols()) != s.cols) __builtin_trap();
}

// The loader reads files by path: the input goes to a file of this process's own.
const std::string& file_path() {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("cadre_fuzz_checkpoint_" + std::to_string(::getpid()) + ".safetensors"))
                                      .string();
  static const bool removed_at_exit = std::atexit([] { std::remove(path.c_str()); }) == 0;
  (void)removed_at_exit;
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const std::vector<model::MoeLayerSpec> specs = [] {
    std::vector<model::MoeLayerSpec> out;
    for (const TinyLayer& l : kLayers) out.push_back(model::load_model(l.bundled, l.overrides));
    return out;
  }();
  const model::MoeLayerSpec& spec = specs[data[0] % specs.size()];
  const std::string prefix = data[1] & 1 ? "model.layers.3." : "";
  {
    std::ofstream out(file_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 2), static_cast<std::streamsize>(size - 2));
    if (!out) __builtin_trap();
  }
  try {
    const golden::CheckpointWeights weights(spec, {file_path()}, prefix);
    if (weights.tokens() == 0) __builtin_trap();
    for (const TensorRef t : golden::layer_tensors(spec)) {
      const weights::Shape s = golden::tensor_shape(spec, weights.tokens(), t);
      try {
        if (t.role == Role::RouterBias) check_shape(weights.fp32(t), s);
        else check_shape(weights.bf16(t), s);
      } catch (const golden::CheckpointError&) {
      }
      const bool matrix = t.role != Role::Input && t.role != Role::RouterWeight && t.role != Role::RouterBias &&
                          t.role != Role::SharedExpertGate;
      if (!matrix) continue;
      try {
        const golden::Fp8Weight w = weights.fp8(t);
        check_shape(w.codes, s);
        check_shape(w.scales, {(s.rows + 127) / 128, (s.cols + 127) / 128});
      } catch (const golden::CheckpointError&) {
      }
    }
  } catch (const golden::CheckpointError&) {
  } catch (const weights::SafetensorsError&) {
  }
  return 0;
}
