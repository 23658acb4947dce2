// The kernels one MoE layer is decomposed into (kernels.def), and the choices
// they run under: the precision of the expert GEMMs, the phase, and the GEMM
// layout. Each enum has one spelling, used by command lines, JSON, file names
// and messages alike: name() gives it, parse_*() reads it back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "cadre/model/layer_spec.h"

namespace cadre::model {

enum class Kernel : uint8_t {
#define MOE_KERNEL(E, ...) E,
#include "cadre/model/kernels.def"
};

// The expert matrices and activations in FP8 (E4M3, block-scaled) or BF16;
// routing is BF16 and FP32 in both.
enum class Precision : uint8_t { Fp8, Bf16 };

// Prefill: many tokens at once; decode: a few, one step of generation.
enum class Phase : uint8_t { Prefill, Decode };

// How a GEMM's rows are laid out, as DeepGEMM names its kernels. A dense GEMM
// is one group of rows (the router, the shared experts); a grouped GEMM has one
// group per expert, in align's rows: contiguous keeps each expert's rows padded
// to the block and computes every row, masked computes only each expert's real
// rows (and one padding row).
enum class GemmLayout : uint8_t { Dense, Contiguous, Masked };

// A value and its spelling.
template <class E>
struct Named {
  E value;
  std::string_view name;
};

// Every value in declaration order with its spelling (kernels: as kernels.def names them).
inline constexpr Named<Kernel> kKernels[] = {
#define MOE_KERNEL(E, name, ...) {Kernel::E, name},
#include "cadre/model/kernels.def"
};
inline constexpr Named<Precision> kPrecisions[] = {{Precision::Fp8, "fp8"}, {Precision::Bf16, "bf16"}};
inline constexpr Named<Phase> kPhases[] = {{Phase::Prefill, "prefill"}, {Phase::Decode, "decode"}};
inline constexpr Named<GemmLayout> kGemmLayouts[] = {
    {GemmLayout::Dense, "dense"}, {GemmLayout::Contiguous, "contiguous"}, {GemmLayout::Masked, "masked"}};

inline constexpr size_t kKernelCount = std::size(kKernels);

std::string_view name(Kernel kernel);
std::string_view name(Precision precision);
std::string_view name(Phase phase);
std::string_view name(GemmLayout layout);

// The value spelt `text`, or nothing when no value is.
std::optional<Kernel> parse_kernel(std::string_view text);
std::optional<Precision> parse_precision(std::string_view text);
std::optional<Phase> parse_phase(std::string_view text);
std::optional<GemmLayout> parse_gemm_layout(std::string_view text);

// Whether `kernel` runs in this layer: input_quant only in FP8, shared_expert
// only when the layer has shared experts, every other kernel always.
bool kernel_runs(Kernel kernel, const MoeLayerSpec& spec, Precision precision);

// The layout of the expert GEMMs in a phase: contiguous for prefill (DeepGEMM's
// m_grouped_gemm_fp8_fp8_bf16_nt_contiguous), masked for decode.
GemmLayout expert_gemm_layout(Phase phase);

}  // namespace cadre::model
