// combine and Qwen2-MoE's shared-expert gate (docs/moe-layer.md, kernels 9 and 10):
// one thread per token or per output element, in the golden model's order.
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/portability.h"
#include "cadre/numerics/gemm.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::kernels::CADRE_KERNELS_NS {
namespace {

CADRE_GLOBAL void shared_gate_kernel(const uint16_t* x, const uint16_t* gate, uint32_t tokens, uint32_t hidden,
                                     float* gates) {
  const uint64_t t = global_thread();
  if (t >= tokens) return;
  gates[t] = num::sigmoid_f32(num::bf16_dot(x + t * hidden, gate, hidden, 0.0f));
}

CADRE_GLOBAL void apply_shared_gate_kernel(uint16_t* y, const float* gates, uint32_t tokens, uint32_t hidden) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{tokens} * hidden) return;
  y[i] = num::float_to_bf16(num::mul_rn(num::bf16_to_float(y[i]), gates[i / hidden]));
}

// One thread per output element. A token's rows are one per chosen expert, and
// rows increase with the expert number, so taking them in increasing row order
// adds the experts in increasing number (selection by repeated minimum: k is small).
CADRE_GLOBAL void combine_kernel(const uint16_t* down, const uint16_t* shared, const int32_t* assignment_rows,
                                 const float* row_weights, uint32_t tokens, uint32_t top_k, uint32_t hidden,
                                 uint16_t* out) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{tokens} * hidden) return;
  const uint64_t t = i / hidden, h = i % hidden;
  const int32_t* rows = assignment_rows + t * top_k;
  float acc = shared != nullptr ? num::bf16_to_float(shared[i]) : 0.0f;
  int32_t previous = -1;
  for (uint32_t n = 0; n < top_k; ++n) {
    int32_t next = -1;
    for (uint32_t s = 0; s < top_k; ++s)
      if (rows[s] > previous && (next < 0 || rows[s] < next)) next = rows[s];
    const float y = num::bf16_to_float(down[static_cast<uint64_t>(next) * hidden + h]);
    acc = num::add_rn(acc, num::mul_rn(row_weights[next], y));
    previous = next;
  }
  out[i] = num::float_to_bf16(acc);
}

}  // namespace

void shared_gate(const uint16_t* x, const uint16_t* gate, uint32_t tokens, uint32_t hidden, float* gates) {
  launch(shared_gate_kernel, grid_for(tokens), dim3(kThreads), x, gate, tokens, hidden, gates);
}

void apply_shared_gate(uint16_t* y, const float* gates, uint32_t tokens, uint32_t hidden) {
  launch(apply_shared_gate_kernel, grid_for(uint64_t{tokens} * hidden), dim3(kThreads), y, gates, tokens, hidden);
}

void combine(const uint16_t* down, const uint16_t* shared, const int32_t* assignment_rows, const float* row_weights,
             uint32_t tokens, uint32_t top_k, uint32_t hidden, uint16_t* out) {
  launch(combine_kernel, grid_for(uint64_t{tokens} * hidden), dim3(kThreads), down, shared, assignment_rows,
         row_weights, tokens, top_k, hidden, out);
}

}  // namespace cadre::kernels::CADRE_KERNELS_NS
