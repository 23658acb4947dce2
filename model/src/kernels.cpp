#include "cadre/model/kernels.h"

#include <algorithm>
#include <span>

namespace cadre::model {
namespace {

template <class E>
std::string_view name_in(std::span<const Named<E>> table, E value) {
  const auto it = std::ranges::find(table, value, &Named<E>::value);
  return it != table.end() ? it->name : "?";
}

template <class E>
std::optional<E> parse_in(std::span<const Named<E>> table, std::string_view text) {
  const auto it = std::ranges::find(table, text, &Named<E>::name);
  if (it == table.end()) return std::nullopt;
  return it->value;
}

}  // namespace

std::string_view name(Kernel kernel) { return name_in<Kernel>(kKernels, kernel); }
std::string_view name(Precision precision) { return name_in<Precision>(kPrecisions, precision); }
std::string_view name(Phase phase) { return name_in<Phase>(kPhases, phase); }
std::string_view name(GemmLayout layout) { return name_in<GemmLayout>(kGemmLayouts, layout); }

std::optional<Kernel> parse_kernel(std::string_view text) { return parse_in<Kernel>(kKernels, text); }
std::optional<Precision> parse_precision(std::string_view text) { return parse_in<Precision>(kPrecisions, text); }
std::optional<Phase> parse_phase(std::string_view text) { return parse_in<Phase>(kPhases, text); }
std::optional<GemmLayout> parse_gemm_layout(std::string_view text) {
  return parse_in<GemmLayout>(kGemmLayouts, text);
}

bool kernel_runs(Kernel kernel, const MoeLayerSpec& spec, Precision precision) {
  if (kernel == Kernel::InputQuant) return precision == Precision::Fp8;
  if (kernel == Kernel::SharedExpert) return spec.shared.width != 0;
  return true;
}

GemmLayout expert_gemm_layout(Phase phase) { return phase == Phase::Prefill ? GemmLayout::Contiguous : GemmLayout::Masked; }

}  // namespace cadre::model
