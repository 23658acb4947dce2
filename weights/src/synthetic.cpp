#include "cadre/weights/synthetic.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "cadre/numerics/convert.h"
#include "cadre/numerics/hd.h"

namespace cadre::weights {
namespace {

// SplitMix64's finaliser: a fast, well-mixed 64-bit hash (Steele et al., 2014).
constexpr uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The hash of (seed, tensor, row), which every element of the row shares.
constexpr uint64_t row_hash(uint64_t seed, TensorRef t, uint64_t row) {
  uint64_t h = mix(seed ^ 0x9E3779B97F4A7C15ull);
  h = mix(h ^ (static_cast<uint64_t>(t.role) << 32 | t.expert));
  return mix(h ^ row);
}

constexpr uint64_t element_hash(uint64_t row_h, uint64_t col) { return mix(row_h ^ (col * 0xD6E8FEB86659FD93ull)); }

constexpr uint64_t hash(uint64_t seed, TensorRef t, uint64_t row, uint64_t col) {
  return element_hash(row_hash(seed, t, row), col);
}

// The top 24 bits as a signed multiple of 2^-23 in [-1, 1): exact in FP32.
float unit_from_hash(uint64_t h) {
  const auto q = static_cast<int32_t>(h >> 40) - (1 << 23);
  return static_cast<float>(q) * 0x1p-23f;
}

}  // namespace

// float_to_e4m3(mul_rn(unit_from_hash(h), 448)) by integer steps: the
// product's magnitude is below 448, so no overflow; below 2^-6 it rounds to a
// multiple of 2^-9 (E4M3's subnormals, whose codes count in that step), and
// above, rounding the FP32 mantissa to 3 bits and rebiasing the exponent is
// the code (a carry out of the mantissa moves to the next binade, as in the
// code). tests/weights/test_synthetic.cpp checks every one of the 2^24 hashes.
uint8_t unit_e4m3(uint64_t h) {
  const float x = num::mul_rn(unit_from_hash(h), 448.0f);
  const float a = std::fabs(x);
  uint32_t code;
  if (a < 0x1p-6f) {
    code = static_cast<uint32_t>(std::nearbyint(a * 512.0f));  // exact product; rounds half to even
  } else {
    const uint32_t u = num::float_bits(a);
    code = ((u + 0x7FFFFu + ((u >> 20) & 1u)) >> 20) - ((127u - 7u) << 3);
  }
  return static_cast<uint8_t>(code | (std::signbit(x) ? 0x80u : 0u));
}


SyntheticLayer::SyntheticLayer(const model::MoeLayerSpec& spec, uint64_t seed, uint32_t tokens)
    : spec_(spec), seed_(seed), tokens_(tokens) {}

Shape SyntheticLayer::shape(TensorRef t) const {
  const uint64_t hidden = spec_.hidden, width = spec_.expert_width, shared = spec_.shared.width;
  switch (t.role) {
    case Role::Input: return {tokens_, hidden};
    case Role::RouterWeight: return {spec_.routing.experts, hidden};
    case Role::RouterBias: return {1, spec_.routing.experts};
    case Role::ExpertGate:
    case Role::ExpertUp: return {width, hidden};
    case Role::ExpertDown: return {hidden, width};
    case Role::SharedGate:
    case Role::SharedUp: return {shared, hidden};
    case Role::SharedDown: return {hidden, shared};
    case Role::SharedExpertGate: return {1, hidden};
  }
  return {0, 0};
}

float SyntheticLayer::amplitude(TensorRef t) const {
  switch (t.role) {
    case Role::Input: return 1.0f;        // normalised activations
    case Role::RouterBias: return 0.05f;  // small corrections, as the trained biases are
    default: {
      // sqrt is correctly rounded (IEEE 754), so this is the same on every host.
      const double fan_in = static_cast<double>(shape(t).cols);
      return static_cast<float>(std::sqrt(3.0 / fan_in));
    }
  }
}

float SyntheticLayer::unit(TensorRef t, uint64_t row, uint64_t col) const {
  return unit_from_hash(hash(seed_, t, row, col));
}

uint16_t SyntheticLayer::bf16(TensorRef t, uint64_t row, uint64_t col) const {
  return num::float_to_bf16(num::mul_rn(unit(t, row, col), amplitude(t)));
}

float SyntheticLayer::fp32(TensorRef t, uint64_t row, uint64_t col) const {
  return num::mul_rn(unit(t, row, col), amplitude(t));
}

uint8_t SyntheticLayer::fp8(TensorRef t, uint64_t row, uint64_t col) const {
  // Codes spread over the whole E4M3 range, as a checkpoint's blocks (quantised
  // to amax = 448) are.
  return num::float_to_e4m3(num::mul_rn(unit(t, row, col), 448.0f));
}

// Full-size layers' weights are made as they are read, billions of elements.
CADRE_HOST_CLONES
void SyntheticLayer::fp8_row(TensorRef t, uint64_t row, uint64_t col, std::span<uint8_t> out) const {
  const uint64_t h = row_hash(seed_, t, row);
  for (size_t i = 0; i < out.size(); ++i) out[i] = unit_e4m3(element_hash(h, col + i));
}

CADRE_HOST_CLONES
void SyntheticLayer::bf16_row(TensorRef t, uint64_t row, uint64_t col, std::span<uint16_t> out) const {
  const uint64_t h = row_hash(seed_, t, row);
  const float a = amplitude(t);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = num::float_to_bf16(num::mul_rn(unit_from_hash(element_hash(h, col + i)), a));
}

float SyntheticLayer::scale_inv(TensorRef t, uint64_t block_row, uint64_t block_col) const {
  // Each block's largest value varies between a/2 and a, like a real layer's.
  const TensorRef scale_ref{t.role, t.expert};
  const float spread = num::mul_rn(0.25f, unit_from_hash(mix(hash(seed_, scale_ref, block_row, block_col) ^ 0x5CA1E)));
  const float block_amax = num::mul_rn(amplitude(t), num::add_rn(0.75f, spread));
  return num::div_rn(block_amax, 448.0f);
}

std::string checkpoint_name(model::Family family, TensorRef t) {
  struct Names {
    model::Family family;
    std::string_view router, bias, gate, up, down, shared_gate, shared_up, shared_down, shared_expert_gate;
  };
  static constexpr Names kNames[] = {
#define CHECKPOINT_NAMES(F, ...) {model::Family::F, __VA_ARGS__},
#include "cadre/weights/checkpoint_names.def"
  };
  const Names* names = nullptr;
  for (const Names& n : kNames)
    if (n.family == family) names = &n;
  std::string_view pattern;
  switch (t.role) {
    case Role::Input: return "input";
    case Role::RouterWeight: pattern = names->router; break;
    case Role::RouterBias: pattern = names->bias; break;
    case Role::ExpertGate: pattern = names->gate; break;
    case Role::ExpertUp: pattern = names->up; break;
    case Role::ExpertDown: pattern = names->down; break;
    case Role::SharedGate: pattern = names->shared_gate; break;
    case Role::SharedUp: pattern = names->shared_up; break;
    case Role::SharedDown: pattern = names->shared_down; break;
    case Role::SharedExpertGate: pattern = names->shared_expert_gate; break;
  }
  if (pattern.empty())
    throw std::invalid_argument(fmt::format("{} checkpoints have no tensor for role {}", model::model_type(family),
                                            static_cast<int>(t.role)));
  return fmt::format(fmt::runtime(pattern), t.expert);
}

}  // namespace cadre::weights
