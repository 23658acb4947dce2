#include "cadre/golden/expert_kernels.h"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "cadre/numerics/gemm.h"
#include "cadre/numerics/quant.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::golden {
namespace {

using weights::Role;
using weights::TensorRef;

num::Fp8Operand activation_operand(const Fp8Activations& a) {
  return {num::Format::E4M3, a.codes.data(), static_cast<size_t>(a.codes.cols()), a.scales.data(), 1,
          static_cast<size_t>(a.scales.cols()), 1};
}

num::Fp8Operand weight_operand(const Fp8Weight& w) {
  return {num::Format::E4M3, w.codes.data(), static_cast<size_t>(w.codes.cols()), w.scales.data(), 128,
          static_cast<size_t>(w.scales.cols()), 1};
}

void check_gemm(Index k_a, Index k_w, const MatrixU16& out, Index col0, Index n) {
  if (k_a != k_w || col0 + n > out.cols())
    throw std::invalid_argument(fmt::format("expert_gemm: activations with {} columns, weight [{}, {}], output {} "
                                            "columns from column {}",
                                            k_a, n, k_w, out.cols(), col0));
}

bool is_padding(std::span<const int32_t> tokens, Index r) { return !tokens.empty() && tokens[r] < 0; }

// Rows [begin, end) of one expert hold its real rows first, then padding. The
// rows to compute are the real ones and the first padding row: every padding
// row has the same inputs, hence the same outputs, which copy_padding copies.
Index computed_end(const Alignment& a, Index begin, Index end) {
  Index r = begin;
  while (r < end && a.tokens[r] >= 0) ++r;
  return r < end ? r + 1 : end;
}

void copy_padding(MatrixU16& out, Index computed, Index end) {
  for (Index r = computed; r < end; ++r) out.row(r) = out.row(computed - 1);
}

// A weight's output count (its rows), for either precision.
Index out_features(const Fp8Weight& w) { return w.codes.rows(); }
Index out_features(const MatrixU16& w) { return w.rows(); }

// A grouped GEMM: for each expert with rows, its weights of the given roles
// (materialised here, one expert at a time) side by side in the output's columns.
template <class Rows, class Fetch>
MatrixU16 grouped_gemm(const Rows& rows, const Alignment& a, Index out_cols, std::span<const Role> roles,
                       Fetch fetch) {
  MatrixU16 out(static_cast<Index>(a.tokens.size()), out_cols);
  for (size_t e = 0; e + 1 < a.offsets.size(); ++e) {
    const Index begin = a.offsets[e], end = a.offsets[e + 1];
    if (begin == end) continue;
    const Index computed = computed_end(a, begin, end);
    Index col0 = 0;
    for (const Role role : roles) {
      const auto w = fetch(TensorRef{role, static_cast<uint32_t>(e)});
      expert_gemm(rows, begin, computed, w, out, col0);
      col0 += out_features(w);
    }
    copy_padding(out, computed, end);
  }
  return out;
}


constexpr Role kGateUp[] = {Role::ExpertGate, Role::ExpertUp};
constexpr Role kDown[] = {Role::ExpertDown};

std::vector<float> to_float(const uint16_t* bf16, Index n) {
  std::vector<float> f(n);
  for (Index i = 0; i < n; ++i) f[i] = num::bf16_to_float(bf16[i]);
  return f;
}

// Qwen2-MoE's shared-expert gate applied in place: y[t] = bf16(float(y[t]) * sigmoid(x[t] . gate)).
void apply_shared_gate(const LayerWeights& weights, const MatrixU16& x, MatrixU16& y) {
  const MatrixU16 gate = weights.bf16({Role::SharedExpertGate});
  for (Index t = 0; t < x.rows(); ++t) {
    const float g = num::sigmoid_f32(num::bf16_dot(&x(t, 0), gate.data(), x.cols(), 0.0f));
    for (Index h = 0; h < y.cols(); ++h) y(t, h) = num::float_to_bf16(num::mul_rn(num::bf16_to_float(y(t, h)), g));
  }
}

}  // namespace

Fp8Activations input_quant(const MatrixU16& x) {
  Fp8Activations q{MatrixU8(x.rows(), x.cols()), MatrixF(x.rows(), blocks_of(x.cols()))};
  for (Index t = 0; t < x.rows(); ++t) {
    const std::vector<float> row = to_float(&x(t, 0), x.cols());
    num::quantize_row_1x128(num::Format::E4M3, row.data(), row.size(), &q.codes(t, 0), &q.scales(t, 0));
  }
  return q;
}

Fp8Activations permute(const Fp8Activations& x_q, std::span<const int32_t> tokens) {
  const auto rows = static_cast<Index>(tokens.size());
  Fp8Activations p{MatrixU8::Zero(rows, x_q.codes.cols()), MatrixF::Zero(rows, x_q.scales.cols())};
  for (Index r = 0; r < rows; ++r)
    if (tokens[r] >= 0) {
      p.codes.row(r) = x_q.codes.row(tokens[r]);
      p.scales.row(r) = x_q.scales.row(tokens[r]);
    }
  return p;
}

MatrixU16 permute(const MatrixU16& x, std::span<const int32_t> tokens) {
  const auto rows = static_cast<Index>(tokens.size());
  MatrixU16 p = MatrixU16::Zero(rows, x.cols());
  for (Index r = 0; r < rows; ++r)
    if (tokens[r] >= 0) p.row(r) = x.row(tokens[r]);
  return p;
}

void expert_gemm(const Fp8Activations& a, Index begin, Index end, const Fp8Weight& w, MatrixU16& out, Index col0) {
  check_gemm(a.codes.cols(), w.codes.cols(), out, col0, w.codes.rows());
  if (begin >= end) return;
  num::Fp8Operand lhs = activation_operand(a);
  lhs.data += static_cast<size_t>(begin) * lhs.ld;
  lhs.scales += static_cast<size_t>(begin) * lhs.scale_row_stride;
  // num::gemm_fp8: bit-identical to fp8_dot_scaled element by element (tests/numerics/gemm_test.cpp).
  const Index rows = end - begin, n = w.codes.rows();
  std::vector<float> c(static_cast<size_t>(rows * n));
  num::gemm_fp8(static_cast<size_t>(rows), static_cast<size_t>(n), static_cast<size_t>(a.codes.cols()), lhs,
                weight_operand(w), c.data(), static_cast<size_t>(n), false);
  for (Index r = 0; r < rows; ++r)
    for (Index j = 0; j < n; ++j) out(begin + r, col0 + j) = num::float_to_bf16(c[static_cast<size_t>(r * n + j)]);
}

void expert_gemm(const MatrixU16& a, Index begin, Index end, const MatrixU16& w, MatrixU16& out, Index col0) {
  check_gemm(a.cols(), w.cols(), out, col0, w.rows());
  for (Index r = begin; r < end; ++r)
    for (Index n = 0; n < w.rows(); ++n)
      out(r, col0 + n) = num::float_to_bf16(num::bf16_dot(&a(r, 0), &w(n, 0), a.cols(), 0.0f));
}

MatrixU16 gate_up_gemm(const Fp8Activations& rows, const Alignment& alignment, const LayerWeights& weights) {
  return grouped_gemm(rows, alignment, 2 * Index{weights.spec().expert_width}, kGateUp,
                      [&](TensorRef t) { return weights.fp8(t); });
}

MatrixU16 gate_up_gemm(const MatrixU16& rows, const Alignment& alignment, const LayerWeights& weights) {
  return grouped_gemm(rows, alignment, 2 * Index{weights.spec().expert_width}, kGateUp,
                      [&](TensorRef t) { return weights.bf16(t); });
}

Fp8Activations silu_mul_quant(const MatrixU16& h, std::span<const int32_t> tokens) {
  const Index width = h.cols() / 2;
  Fp8Activations a{MatrixU8::Zero(h.rows(), width), MatrixF::Zero(h.rows(), blocks_of(width))};
  for (Index r = 0; r < h.rows(); ++r) {
    if (is_padding(tokens, r)) continue;
    const std::vector<float> gate = to_float(&h(r, 0), width), up = to_float(&h(r, width), width);
    num::silu_mul_quantize_row(num::Format::E4M3, gate.data(), up.data(), width, &a.codes(r, 0), &a.scales(r, 0));
  }
  return a;
}

MatrixU16 silu_mul_bf16(const MatrixU16& h, std::span<const int32_t> tokens) {
  const Index width = h.cols() / 2;
  MatrixU16 a = MatrixU16::Zero(h.rows(), width);
  for (Index r = 0; r < h.rows(); ++r) {
    if (is_padding(tokens, r)) continue;
    for (Index j = 0; j < width; ++j) {
      const float g = num::bf16_to_float(h(r, j)), u = num::bf16_to_float(h(r, width + j));
      a(r, j) = num::float_to_bf16(num::mul_rn(num::silu_f32(g), u));
    }
  }
  return a;
}

MatrixU16 down_gemm(const Fp8Activations& act, const Alignment& alignment, const LayerWeights& weights) {
  return grouped_gemm(act, alignment, Index{weights.spec().hidden}, kDown,
                      [&](TensorRef t) { return weights.fp8(t); });
}

MatrixU16 down_gemm(const MatrixU16& act, const Alignment& alignment, const LayerWeights& weights) {
  return grouped_gemm(act, alignment, Index{weights.spec().hidden}, kDown,
                      [&](TensorRef t) { return weights.bf16(t); });
}

MatrixU16 shared_expert(const LayerWeights& weights, const MatrixU16& x, const Fp8Activations& x_q) {
  const model::SharedExpertSpec& shared = weights.spec().shared;
  if (shared.width == 0) return {};
  MatrixU16 h(x.rows(), 2 * Index{shared.width});
  expert_gemm(x_q, 0, x.rows(), weights.fp8({Role::SharedGate}), h, 0);
  expert_gemm(x_q, 0, x.rows(), weights.fp8({Role::SharedUp}), h, shared.width);
  const Fp8Activations act = silu_mul_quant(h, {});
  MatrixU16 y(x.rows(), x.cols());
  expert_gemm(act, 0, x.rows(), weights.fp8({Role::SharedDown}), y, 0);
  if (shared.sigmoid_gate) apply_shared_gate(weights, x, y);
  return y;
}

MatrixU16 shared_expert(const LayerWeights& weights, const MatrixU16& x) {
  const model::SharedExpertSpec& shared = weights.spec().shared;
  if (shared.width == 0) return {};
  MatrixU16 h(x.rows(), 2 * Index{shared.width});
  expert_gemm(x, 0, x.rows(), weights.bf16({Role::SharedGate}), h, 0);
  expert_gemm(x, 0, x.rows(), weights.bf16({Role::SharedUp}), h, shared.width);
  const MatrixU16 act = silu_mul_bf16(h, {});
  MatrixU16 y(x.rows(), x.cols());
  expert_gemm(act, 0, x.rows(), weights.bf16({Role::SharedDown}), y, 0);
  if (shared.sigmoid_gate) apply_shared_gate(weights, x, y);
  return y;
}

}  // namespace cadre::golden
