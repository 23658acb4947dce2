// input_quant, permute and silu_mul_quant (docs/moe-layer.md, kernels 4, 5 and 7):
// one thread per 128-channel group or per element, in the numerics library's order.
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/portability.h"
#include "cadre/numerics/quant.h"

namespace cadre::kernels::CADRE_KERNELS_NS {
namespace {

constexpr uint32_t kGroup = num::kBlockK;

CADRE_HD uint32_t groups_of(uint32_t n) { return (n + kGroup - 1) / kGroup; }
CADRE_HD uint32_t group_length(uint32_t n, uint32_t g) { return n - g * kGroup < kGroup ? n - g * kGroup : kGroup; }

// One thread per (token, 128-channel group).
CADRE_GLOBAL void input_quant_kernel(const uint16_t* x, uint32_t tokens, uint32_t hidden, uint8_t* codes,
                                     float* scales) {
  const uint64_t i = global_thread(), groups = groups_of(hidden);
  if (i >= tokens * groups) return;
  const uint64_t t = i / groups;
  const auto g = static_cast<uint32_t>(i % groups);
  const uint32_t len = group_length(hidden, g);
  const uint64_t first = t * hidden + uint64_t{g} * kGroup;
  float values[kGroup];
  for (uint32_t j = 0; j < len; ++j) values[j] = num::bf16_to_float(x[first + j]);
  scales[i] = num::quantize_group(num::Format::E4M3, values, len, codes + first);
}

// One thread per element of the output (and the first of each group copies its scale).
CADRE_GLOBAL void permute_fp8_kernel(const uint8_t* codes, const float* scales, uint32_t hidden,
                                     const int32_t* row_tokens, uint32_t rows, uint8_t* out_codes,
                                     float* out_scales) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{rows} * hidden) return;
  const uint64_t r = i / hidden, c = i % hidden, groups = groups_of(hidden);
  const int32_t t = row_tokens[r];
  out_codes[i] = t >= 0 ? codes[static_cast<uint64_t>(t) * hidden + c] : uint8_t{0};
  if (c % kGroup == 0)
    out_scales[r * groups + c / kGroup] = t >= 0 ? scales[static_cast<uint64_t>(t) * groups + c / kGroup] : 0.0f;
}

CADRE_GLOBAL void permute_bf16_kernel(const uint16_t* x, uint32_t hidden, const int32_t* row_tokens, uint32_t rows,
                                      uint16_t* out) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{rows} * hidden) return;
  const int32_t t = row_tokens[i / hidden];
  out[i] = t >= 0 ? x[static_cast<uint64_t>(t) * hidden + i % hidden] : uint16_t{0};
}

CADRE_HD bool is_padding(const int32_t* row_tokens, uint64_t r) { return row_tokens != nullptr && row_tokens[r] < 0; }

// One thread per (row, 128-column group of the output).
CADRE_GLOBAL void silu_mul_quant_kernel(const uint16_t* h, uint32_t rows, uint32_t width, const int32_t* row_tokens,
                                        uint8_t* codes, float* scales) {
  const uint64_t i = global_thread(), groups = groups_of(width);
  if (i >= rows * groups) return;
  const uint64_t r = i / groups;
  const auto g = static_cast<uint32_t>(i % groups);
  const uint32_t len = group_length(width, g);
  uint8_t* q = codes + r * width + uint64_t{g} * kGroup;
  if (is_padding(row_tokens, r)) {
    for (uint32_t j = 0; j < len; ++j) q[j] = 0;
    scales[i] = 0.0f;
    return;
  }
  const uint16_t* gate = h + r * 2 * width + uint64_t{g} * kGroup;
  const uint16_t* up = gate + width;
  float gate_f[kGroup], up_f[kGroup];
  for (uint32_t j = 0; j < len; ++j) {
    gate_f[j] = num::bf16_to_float(gate[j]);
    up_f[j] = num::bf16_to_float(up[j]);
  }
  // One group: silu_mul_quantize_row over len <= 128 values writes exactly scales[i].
  num::silu_mul_quantize_row(num::Format::E4M3, gate_f, up_f, len, q, scales + i);
}

// One thread per output element.
CADRE_GLOBAL void silu_mul_bf16_kernel(const uint16_t* h, uint32_t rows, uint32_t width, const int32_t* row_tokens,
                                       uint16_t* out) {
  const uint64_t i = global_thread();
  if (i >= uint64_t{rows} * width) return;
  const uint64_t r = i / width, j = i % width;
  if (is_padding(row_tokens, r)) {
    out[i] = 0;
    return;
  }
  const float g = num::bf16_to_float(h[r * 2 * width + j]), u = num::bf16_to_float(h[r * 2 * width + width + j]);
  out[i] = num::float_to_bf16(num::mul_rn(num::silu_f32(g), u));
}

}  // namespace

void input_quant(const uint16_t* x, uint32_t tokens, uint32_t hidden, uint8_t* codes, float* scales) {
  launch(input_quant_kernel, grid_for(uint64_t{tokens} * groups_of(hidden)), dim3(kThreads), x, tokens, hidden, codes,
         scales);
}

void permute_fp8(const uint8_t* codes, const float* scales, uint32_t hidden, const int32_t* row_tokens,
                 uint32_t rows, uint8_t* out_codes, float* out_scales) {
  launch(permute_fp8_kernel, grid_for(uint64_t{rows} * hidden), dim3(kThreads), codes, scales, hidden, row_tokens,
         rows, out_codes, out_scales);
}

void permute_bf16(const uint16_t* x, uint32_t hidden, const int32_t* row_tokens, uint32_t rows, uint16_t* out) {
  launch(permute_bf16_kernel, grid_for(uint64_t{rows} * hidden), dim3(kThreads), x, hidden, row_tokens, rows, out);
}

void silu_mul_quant(const uint16_t* h, uint32_t rows, uint32_t width, const int32_t* row_tokens, uint8_t* codes,
                    float* scales) {
  launch(silu_mul_quant_kernel, grid_for(uint64_t{rows} * groups_of(width)), dim3(kThreads), h, rows, width,
         row_tokens, codes, scales);
}

void silu_mul_bf16(const uint16_t* h, uint32_t rows, uint32_t width, const int32_t* row_tokens, uint16_t* out) {
  launch(silu_mul_bf16_kernel, grid_for(uint64_t{rows} * width), dim3(kThreads), h, rows, width, row_tokens, out);
}

}  // namespace cadre::kernels::CADRE_KERNELS_NS
