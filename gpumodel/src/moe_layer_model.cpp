#include "cadre/gpumodel/moe_layer_model.h"
#include "cadre/common/int_math.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace cadre::gpumodel {
namespace {

using model::GemmLayout;
using model::Kernel;
using model::Precision;

constexpr uint64_t kAlignBlock = 128;  // contiguous layout: each expert's rows padded to this
constexpr double kBf16 = 2, kFp32 = 4, kInt32 = 4;

using common::ceil_div;

// Bytes of one row of FP8 activations with its 1x128 scales.
double fp8_row_bytes(uint64_t width) {
  return static_cast<double>(width) + static_cast<double>(ceil_div(width, 128)) * kFp32;
}

// One activation row entering a GEMM, in the precision's format.
double act_row_bytes(uint64_t width, Precision p) {
  return p == Precision::Fp8 ? fp8_row_bytes(width) : static_cast<double>(width) * kBf16;
}

KernelTime streaming(Kernel kernel, double bytes, const Gpu& gpu, const KernelConstants& c) {
  KernelTime t{kernel, streaming_time_us(bytes, gpu, c), 0, bytes, Bound::Memory};
  // A kernel that spends longer launching than streaming is latency bound.
  if (t.time_us < 2 * c.streaming_launch_us) t.bound = Bound::Latency;
  return t;
}

KernelTime from_gemm(Kernel kernel, const GemmEstimate& e) {
  return {kernel, e.time_us, e.flops, e.bytes, e.bound};
}

}  // namespace

double expected_active_experts(uint32_t experts, uint32_t top_k, uint64_t tokens) {
  const double e = experts, k = top_k;
  return e * (1 - std::pow(1 - k / e, static_cast<double>(tokens)));
}

std::vector<uint64_t> uniform_expert_rows(const model::RoutingSpec& routing, uint64_t tokens) {
  const uint64_t assignments = tokens * routing.top_k;
  const double expected = expected_active_experts(routing.experts, routing.top_k, tokens);
  const uint64_t active = std::clamp<uint64_t>(static_cast<uint64_t>(std::llround(expected)), 1,
                                               std::min<uint64_t>(routing.experts, assignments));
  std::vector<uint64_t> rows(routing.experts, 0);
  for (uint64_t e = 0; e < active; ++e) rows[e] = assignments / active + (e < assignments % active ? 1 : 0);
  return rows;
}

std::vector<KernelTime> model_moe_layer(const model::MoeLayerSpec& spec, const Gpu& gpu, uint64_t tokens,
                                        Precision precision, model::Phase phase, std::span<const uint64_t> expert_rows,
                                        const KernelConstants& c) {
  const model::RoutingSpec& r = spec.routing;
  if (tokens == 0) throw std::invalid_argument("an MoE layer needs at least one token");
  const uint64_t assignments = tokens * r.top_k;
  std::vector<uint64_t> rows(expert_rows.begin(), expert_rows.end());
  if (rows.empty()) rows = uniform_expert_rows(r, tokens);
  if (rows.size() != r.experts || std::accumulate(rows.begin(), rows.end(), uint64_t{0}) != assignments)
    throw std::invalid_argument(fmt::format("expert rows: expected {} counts summing to tokens x top_k = {}",
                                            r.experts, assignments));

  const uint64_t H = spec.hidden, E = r.experts, W = spec.expert_width;
  const double T = static_cast<double>(tokens), A = static_cast<double>(assignments);
  const double e = static_cast<double>(E), h = static_cast<double>(H), w = static_cast<double>(W);

  // The rows the grouped GEMMs and the kernels around them touch: padded to
  // 128 per expert in the contiguous layout, the real ones in the masked one.
  const GemmLayout layout = model::expert_gemm_layout(phase);
  std::vector<uint64_t> gemm_rows = rows;
  if (layout == GemmLayout::Contiguous)
    for (uint64_t& n : gemm_rows) n = ceil_div(n, kAlignBlock) * kAlignBlock;
  const double R = static_cast<double>(std::accumulate(gemm_rows.begin(), gemm_rows.end(), uint64_t{0}));

  const auto time_of = [&](Kernel kernel) -> KernelTime {
    switch (kernel) {
      // Router: a small BF16 GEMM, x [T, H] against [E, H], FP32 logits.
      case Kernel::RouterGemm:
        return from_gemm(kernel, model_gemm({GemmLayout::Dense, Precision::Bf16, {tokens}, E, H, 4}, gpu, c));
      // Top-k reads the logits (and the selection bias), writes ids and weights.
      case Kernel::TopK:
        return streaming(kernel, T * e * kFp32 + (r.selection_bias ? e * kFp32 : 0) + A * (kInt32 + kFp32), gpu, c);
      // Align reads ids and weights, writes offsets, row tokens and row weights.
      case Kernel::Align:
        return streaming(kernel, A * (kInt32 + kFp32) + (e + 1) * kInt32 + R * (kInt32 + kFp32), gpu, c);
      case Kernel::InputQuant: return streaming(kernel, T * h * kBf16 + T * fp8_row_bytes(H), gpu, c);
      // Permute gathers each assignment's row and writes every row (padding too).
      case Kernel::Permute:
        return streaming(kernel, (A + R) * act_row_bytes(H, precision) + R * kInt32, gpu, c);
      case Kernel::GateUpGemm:
        return from_gemm(kernel, model_gemm({layout, precision, gemm_rows, 2 * W, H, 2}, gpu, c));
      case Kernel::SiluMulQuant:
        return streaming(kernel, R * 2 * w * kBf16 + R * act_row_bytes(W, precision), gpu, c);
      case Kernel::DownGemm: return from_gemm(kernel, model_gemm({layout, precision, gemm_rows, H, W, 2}, gpu, c));
      // Shared experts: a dense gate+up GEMM, SiLU-mul(-quantise) and a dense
      // down GEMM on every token (three launches), plus Qwen's sigmoid gate.
      case Kernel::SharedExpert: {
        const uint64_t S = spec.shared.width;
        const GemmEstimate up = model_gemm({GemmLayout::Dense, precision, {tokens}, 2 * S, H, 2}, gpu, c);
        const KernelTime act =
            streaming(kernel, T * 2 * static_cast<double>(S) * kBf16 + T * act_row_bytes(S, precision), gpu, c);
        const GemmEstimate down = model_gemm({GemmLayout::Dense, precision, {tokens}, H, S, 2}, gpu, c);
        KernelTime shared{kernel, up.time_us + act.time_us + down.time_us, up.flops + down.flops,
                          up.bytes + act.bytes + down.bytes, up.time_us >= down.time_us ? up.bound : down.bound};
        if (spec.shared.sigmoid_gate) {
          const KernelTime gate = streaming(kernel, T * h * kBf16 + h * kBf16 + 2 * T * h * kBf16, gpu, c);
          shared.time_us += gate.time_us;
          shared.bytes += gate.bytes;
          shared.flops += 2 * T * h;
        }
        return shared;
      }
      // Combine reads each token's weights and row indices, its expert rows and
      // the shared output, and writes the token's BF16 row.
      case Kernel::Combine: {
        const double shared_in = spec.shared.width > 0 ? T * h * kBf16 : 0;
        KernelTime combine =
            streaming(kernel, A * (kFp32 + kInt32) + A * h * kBf16 + shared_in + T * h * kBf16, gpu, c);
        combine.flops = 2 * A * h;
        return combine;
      }
    }
    return {};
  };

  std::vector<KernelTime> out;
  for (const model::Named<Kernel>& k : model::kKernels)
    if (model::kernel_runs(k.value, spec, precision)) out.push_back(time_of(k.value));
  return out;
}

}  // namespace cadre::gpumodel
