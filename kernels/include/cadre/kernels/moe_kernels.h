// One MoE layer through the GPU reference kernels (docs/gpu-kernels.md): the
// host build of the kernels on the CPU, and the CUDA build on a GPU when one is
// present. Both return every kernel's output in the golden model's MoeTrace, so
// they are compared with it kernel by kernel.
#pragma once

#include <array>
#include <cstdint>

#include "cadre/golden/layer_weights.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::kernels {

struct KernelRun {
  golden::MoeTrace trace;
  // Each kernel's time in seconds by model::Kernel (host: wall clock of its
  // launches; CUDA: cudaEvent around them), weight fetching excluded; 0 for
  // kernels that did not run.
  std::array<double, model::kKernelCount> seconds{};
};

// The whole layer through the host build, on the weights' input. `block` is
// align's row block, as in golden::run_golden. Only the experts some token chose
// are materialised, one at a time. Bit-identical to run_golden.
KernelRun run_host(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, model::Precision precision,
                   uint32_t block = 128);

// How the CUDA build runs the expert GEMMs: the exact-order kernels (bit-identical
// to the golden model) or FP8 tensor-core MMA with FP32 promotion per K block
// (within gemm_tolerance of it). BF16 GEMMs always take the exact-order kernels.
enum class GemmPath : uint8_t { Exact, TensorCore };

struct CudaOptions {
  GemmPath gemm = GemmPath::TensorCore;
  // The tensor-core path's layout of the routed experts' GEMMs, contiguous
  // (prefill) or masked (decode; model::expert_gemm_layout). The shared
  // experts' GEMMs are dense.
  model::GemmLayout layout = model::GemmLayout::Contiguous;
};

// True when this program was built with the CUDA kernels.
bool built_with_cuda();
// CUDA devices present at run time (0 when built without CUDA).
int cuda_device_count();
// The whole layer on CUDA device 0; throws std::runtime_error without a device,
// std::invalid_argument for a dense layout.
KernelRun run_cuda(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, model::Precision precision,
                   const CudaOptions& options, uint32_t block = 128);

// The tensor-core GEMM's stated tolerance (docs/gpu-kernels.md): |gpu - golden| <=
// rel * sum over K blocks of |scale_a * scale_b| * sum |a_k * b_k|, plus one BF16 ulp.
inline constexpr double kMmaRelTolerance = 0x1p-11;

}  // namespace cadre::kernels
