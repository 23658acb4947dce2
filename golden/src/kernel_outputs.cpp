#include "cadre/golden/kernel_outputs.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace cadre::golden {
namespace {

using weights::DType;
using weights::TensorToWrite;

template <class T>
TensorToWrite list(std::string name, DType dtype, const std::vector<T>& v) {
  return {std::move(name), dtype, {v.size()}, {reinterpret_cast<const std::byte*>(v.data()), v.size() * sizeof(T)}};
}

std::vector<TensorToWrite> fp8(const Fp8Activations& a) {
  return {matrix_tensor("codes", DType::F8_E4M3, a.codes), matrix_tensor("scales", DType::F32, a.scales)};
}

uint64_t elements(const TensorToWrite& t) { return t.bytes.size() / weights::dtype_bytes(t.dtype); }

}  // namespace

std::vector<TensorToWrite> kernel_outputs(model::Kernel kernel, const MoeTrace& t) {
  const bool is_fp8 = t.precision == model::Precision::Fp8;
  switch (kernel) {
    case model::Kernel::RouterGemm: return {matrix_tensor("logits", DType::F32, t.logits)};
    case model::Kernel::TopK: return {matrix_tensor("ids", DType::I32, t.topk.ids), matrix_tensor("weights", DType::F32, t.topk.weights)};
    case model::Kernel::Align:
      return {list("tokens", DType::I32, t.alignment.tokens), list("row_weights", DType::F32, t.alignment.row_weights),
              list("offsets", DType::I32, t.alignment.offsets)};
    case model::Kernel::InputQuant: return fp8(t.x_q);
    case model::Kernel::Permute:
      return is_fp8 ? fp8(t.permuted_fp8) : std::vector{matrix_tensor("values", DType::BF16, t.permuted_bf16)};
    case model::Kernel::GateUpGemm: return {matrix_tensor("values", DType::BF16, t.gate_up)};
    case model::Kernel::SiluMulQuant:
      return is_fp8 ? fp8(t.act_fp8) : std::vector{matrix_tensor("values", DType::BF16, t.act_bf16)};
    case model::Kernel::DownGemm: return {matrix_tensor("values", DType::BF16, t.down)};
    case model::Kernel::SharedExpert: return {matrix_tensor("values", DType::BF16, t.shared)};
    case model::Kernel::Combine: return {matrix_tensor("values", DType::BF16, t.out)};
  }
  return {};
}

uint64_t tensor_mismatches(const TensorToWrite& a, const TensorToWrite& b) {
  if (a.name != b.name || a.dtype != b.dtype || a.shape != b.shape)
    return std::max<uint64_t>({elements(a), elements(b), 1});
  const size_t size = weights::dtype_bytes(a.dtype);
  uint64_t n = 0;
  for (size_t at = 0; at < a.bytes.size(); at += size)
    n += std::memcmp(a.bytes.data() + at, b.bytes.data() + at, size) != 0 ? 1 : 0;
  return n;
}

uint64_t output_mismatches(model::Kernel kernel, const MoeTrace& a, const MoeTrace& b) {
  const std::vector<TensorToWrite> as = kernel_outputs(kernel, a), bs = kernel_outputs(kernel, b);
  uint64_t n = 0;
  for (size_t i = 0; i < std::max(as.size(), bs.size()); ++i) {
    if (i < as.size() && i < bs.size()) n += tensor_mismatches(as[i], bs[i]);
    else n += std::max<uint64_t>(elements(i < as.size() ? as[i] : bs[i]), 1);
  }
  return n;
}

}  // namespace cadre::golden
