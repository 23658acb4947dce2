// The golden model's expert kernels: input_quant, permute, gate_up_gemm,
// silu_mul_quant, down_gemm and shared_expert (docs/moe-layer.md, kernels 4 to 9),
// each in FP8 (block-scaled) and BF16 precision.
#pragma once

#include <span>

#include "cadre/golden/layer_weights.h"
#include "cadre/golden/matrix.h"
#include "cadre/golden/routing.h"

namespace cadre::golden {

// input_quant (FP8): each row of x [T, H] as FP32, quantised to E4M3 in 1x128 groups.
Fp8Activations input_quant(const MatrixU16& x);

// permute: row r is row tokens[r] of the input (with its scales); padding rows
// (token -1) are zero codes with scale 0.0 (FP8) or zeros (BF16).
Fp8Activations permute(const Fp8Activations& x_q, std::span<const int32_t> tokens);
MatrixU16 permute(const MatrixU16& x, std::span<const int32_t> tokens);

// One expert's share of a grouped GEMM: rows [begin, end) of `a` (K columns)
// against the weight w [N, K]; out(r, col0 + n) = bf16(the block-scaled FP8 GEMM
// or the BF16 GEMM of numerics.md, FP32 accumulation from +0.0).
void expert_gemm(const Fp8Activations& a, Index begin, Index end, const Fp8Weight& w, MatrixU16& out, Index col0);
void expert_gemm(const MatrixU16& a, Index begin, Index end, const MatrixU16& w, MatrixU16& out, Index col0);

// gate_up_gemm: each expert's rows (alignment.offsets) against its fused
// [gate_proj; up_proj] [2W, H]: columns [0, W) from gate_proj, [W, 2W) from
// up_proj. Out [rows, 2W] BF16. Experts without rows are never materialised,
// the others one at a time. Padding rows must hold identical inputs (as permute
// makes them): one is computed per expert and copied to the others.
MatrixU16 gate_up_gemm(const Fp8Activations& rows, const Alignment& alignment, const LayerWeights& weights);
MatrixU16 gate_up_gemm(const MatrixU16& rows, const Alignment& alignment, const LayerWeights& weights);

// silu_mul_quant: a[r][j] = silu(h[r][j]) * h[r][W + j] in FP32, quantised to
// E4M3 1x128 (FP8) or rounded to BF16. Rows whose token is -1 are padding: zero
// codes with scale 0.0 (zeros in BF16). Empty `tokens`: every row is real.
Fp8Activations silu_mul_quant(const MatrixU16& h, std::span<const int32_t> tokens);
MatrixU16 silu_mul_bf16(const MatrixU16& h, std::span<const int32_t> tokens);

// down_gemm: each expert's rows of the activations [rows, W] against its
// down_proj [H, W]. Out [rows, H] BF16. As gate_up_gemm for materialising and padding.
MatrixU16 down_gemm(const Fp8Activations& act, const Alignment& alignment, const LayerWeights& weights);
MatrixU16 down_gemm(const MatrixU16& act, const Alignment& alignment, const LayerWeights& weights);

// shared_expert: gate_up, silu_mul_quant and down on every token with the
// shared weights (FP8: from x_q; BF16: from x), then, for Qwen2-MoE, each row
// times sigmoid(x[t] . shared_expert_gate) as bf16(float(y) * gate), the dot
// product in FP32 from BF16 products in increasing h. Out [T, H] BF16, or an
// empty matrix when the layer has no shared experts.
MatrixU16 shared_expert(const LayerWeights& weights, const MatrixU16& x, const Fp8Activations& x_q);
MatrixU16 shared_expert(const LayerWeights& weights, const MatrixU16& x);

}  // namespace cadre::golden
