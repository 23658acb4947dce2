// router_gemm, topk and align (docs/moe-layer.md, kernels 1 to 3): the routing
// arithmetic is numerics/routing.h's, the same the golden model runs.
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/portability.h"
#include "cadre/numerics/gemm.h"
#include "cadre/numerics/routing.h"

namespace cadre::kernels::CADRE_KERNELS_NS {
namespace {

// One thread per logit.
CADRE_GLOBAL void router_gemm_kernel(const uint16_t* x, const uint16_t* router, float* logits, uint32_t tokens,
                                     uint32_t experts, uint32_t hidden) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{tokens} * experts) return;
  const uint64_t t = i / experts, e = i % experts;
  logits[i] = num::bf16_dot(x + t * hidden, router + e * hidden, hidden, 0.0f);
}

// One thread per token, the token's rows of the scratch arrays its own.
CADRE_GLOBAL void topk_kernel(model::RoutingSpec routing, const float* logits, const float* bias, uint32_t tokens,
                              TopkScratch scratch, int32_t* ids, float* weights) {
  const uint64_t t = global_thread();
  if (t >= tokens) return;
  const uint64_t experts = routing.experts, k = routing.top_k;
  float* scores = scratch.scores + t * experts;
  num::score_row(routing.scoring, logits + t * experts, routing.experts, scores);
  const num::TopkRowScratch row{scratch.keys + t * experts, scratch.group_scores + t * experts,
                                scratch.flags + t * experts};
  num::topk_row(routing, scores, bias, row, ids + t * k, weights + t * k);
}

// align is a few thousand integer steps even at prefill sizes: one thread does it
// in the golden model's order (vLLM's moe_align_block_size splits it over a block
// with shared-memory prefix sums; the result is the same).
CADRE_GLOBAL void align_kernel(const int32_t* ids, const float* weights, uint32_t tokens, uint32_t top_k,
                               uint32_t experts, uint32_t block, int32_t* counts, int32_t* offsets,
                               int32_t* row_tokens, float* row_weights, int32_t* assignment_rows) {
  if (global_thread() != 0) return;
  const uint64_t assignments = uint64_t{tokens} * top_k;
  num::align_offsets(ids, assignments, experts, block, counts, offsets);
  num::align_rows(ids, weights, assignments, top_k, experts, offsets, counts, row_tokens, row_weights,
                  assignment_rows);
}

}  // namespace

void router_gemm(const uint16_t* x, const uint16_t* router, float* logits, uint32_t tokens, uint32_t experts,
                 uint32_t hidden) {
  launch(router_gemm_kernel, grid_for(uint64_t{tokens} * experts), dim3(kThreads), x, router, logits, tokens, experts,
         hidden);
}

void topk(const model::RoutingSpec& routing, const float* logits, const float* bias, uint32_t tokens,
          const TopkScratch& scratch, int32_t* ids, float* weights) {
  launch(topk_kernel, grid_for(tokens), dim3(kThreads), routing, logits, bias, tokens, scratch, ids, weights);
}

void align(const int32_t* ids, const float* weights, uint32_t tokens, uint32_t top_k, uint32_t experts,
           uint32_t block, int32_t* counts, int32_t* offsets, int32_t* row_tokens, float* row_weights,
           int32_t* assignment_rows) {
  launch(align_kernel, dim3(1), dim3(1), ids, weights, tokens, top_k, experts, block, counts, offsets, row_tokens,
         row_weights, assignment_rows);
}

}  // namespace cadre::kernels::CADRE_KERNELS_NS
