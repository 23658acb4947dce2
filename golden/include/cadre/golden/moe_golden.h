// The golden model of one MoE layer: every kernel of model/kernels.def in the
// numerics of docs/moe-layer.md, and a trace of every kernel's output so that
// the GPU reference kernels and the accelerator can be compared kernel by kernel
// (kernel_outputs.h names each kernel's outputs in the trace).
#pragma once

#include <cstdint>

#include "cadre/golden/expert_kernels.h"
#include "cadre/golden/layer_weights.h"
#include "cadre/golden/matrix.h"
#include "cadre/golden/routing.h"
#include "cadre/model/kernels.h"
#include "cadre/model/layer_spec.h"

namespace cadre::golden {

// Every kernel's output. Fields of the other precision are empty (0 x 0).
struct MoeTrace {
  model::Precision precision = model::Precision::Fp8;
  MatrixU16 x;                   // the input [T, H] BF16
  MatrixF logits;                // router_gemm [T, E]
  TopK topk;                     // topk: ids and weights [T, k]
  Alignment alignment;           // align: offsets, tokens, row_weights
  Fp8Activations x_q;            // input_quant [T, H] (FP8)
  Fp8Activations permuted_fp8;   // permute [rows, H] (FP8)
  MatrixU16 permuted_bf16;       // permute [rows, H] (BF16)
  MatrixU16 gate_up;             // gate_up_gemm [rows, 2W]
  Fp8Activations act_fp8;        // silu_mul_quant [rows, W] (FP8)
  MatrixU16 act_bf16;            // silu_mul_quant [rows, W] (BF16)
  MatrixU16 down;                // down_gemm [rows, H]
  MatrixU16 shared;              // shared_expert [T, H], empty without shared experts
  MatrixU16 out;                 // combine [T, H]: the layer's output
};

// combine: acc = float(shared[t][h]) (+0.0 when `shared` is empty), then each
// of token t's rows in increasing expert number: acc = acc + (weight * float(y)),
// the product rounded to FP32 first. Out bf16(acc) [tokens, hidden].
MatrixU16 combine(const Alignment& alignment, const MatrixU16& down, const MatrixU16& shared, Index tokens,
                  Index hidden);

// Runs the whole layer on the weights' input (run_layer with the golden
// model's kernels). `block` is align's row block (128 for DeepGEMM's
// contiguous layout); the numbers of every real row do not depend on it. Only
// the experts some token chose are materialised.
MoeTrace run_golden(const model::MoeLayerSpec& spec, const LayerWeights& weights, model::Precision precision,
                    uint32_t block = 128);

// About the bytes run_golden's trace of this layer holds (its tensors, each
// expert's rows padded to `block`), in double: products of sizes from outside
// input may pass 2^64. What a command compares with the machine's memory
// before it runs.
double trace_bytes(const model::MoeLayerSpec& spec, uint32_t tokens, model::Precision precision, uint32_t block = 128);

}  // namespace cadre::golden
