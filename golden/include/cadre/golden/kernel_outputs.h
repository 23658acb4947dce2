// Each kernel's outputs in a trace, named: what --dump writes, what --check
// and the tests compare. One function says which fields of MoeTrace a kernel
// produced, so every comparison and every dump follows it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cadre/golden/moe_golden.h"
#include "cadre/model/kernels.h"
#include "cadre/weights/safetensors.h"

namespace cadre::golden {

// A matrix of the trace (or of the layer's inputs) as a tensor [rows, cols].
template <class M>
weights::TensorToWrite matrix_tensor(std::string name, weights::DType dtype, const M& m) {
  return {std::move(name), dtype, {static_cast<uint64_t>(m.rows()), static_cast<uint64_t>(m.cols())},
          {reinterpret_cast<const std::byte*>(m.data()), static_cast<size_t>(m.size()) * sizeof(typename M::Scalar)}};
}

// Kernel `kernel`'s outputs in `trace`, in the trace's precision, pointing into
// the trace: router_gemm "logits"; topk "ids", "weights"; align "tokens",
// "row_weights", "offsets"; input_quant "codes", "scales"; permute and
// silu_mul_quant "codes", "scales" (FP8) or "values" (BF16); gate_up_gemm,
// down_gemm, shared_expert and combine "values". Matrices have shape
// [rows, cols], align's lists [n]. The tensors of a kernel that did not run
// are empty.
std::vector<weights::TensorToWrite> kernel_outputs(model::Kernel kernel, const MoeTrace& trace);

// The elements whose bits differ between two tensors. Tensors of different
// names, dtypes or shapes differ in all their elements, and in at least one:
// an empty tensor never matches one of another shape.
uint64_t tensor_mismatches(const weights::TensorToWrite& a, const weights::TensorToWrite& b);

// The elements of kernel `kernel`'s outputs whose bits differ between two
// traces (tensor_mismatches over kernel_outputs, which have the same names
// when the traces have the same precision; any other tensor counts whole).
uint64_t output_mismatches(model::Kernel kernel, const MoeTrace& a, const MoeTrace& b);

}  // namespace cadre::golden
