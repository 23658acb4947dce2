// One MoE layer as plain data, read from a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/numerics/routing.h"

namespace cadre::model {

enum class Family : uint8_t {
#define MOE_FAMILY(E, ...) E,
#include "cadre/model/families.def"
};
std::string_view model_type(Family family);

// How a layer routes its tokens (scoring, top-k, group limit, weights) is
// defined beside the arithmetic that carries it out, numerics/routing.h.
using num::GroupScore;
using num::RoutingSpec;
using num::Scoring;

struct SharedExpertSpec {
  uint32_t width = 0;        // intermediate size of the shared SwiGLU MLP; 0: none
  bool sigmoid_gate = false; // output scaled by sigmoid(x . gate) (Qwen2-MoE)
};

struct MoeLayerSpec {
  std::string name;  // the bundled name or the file it came from
  Family family = Family::Mixtral;
  uint32_t hidden = 0;        // hidden_size
  uint32_t expert_width = 0;  // a routed expert's intermediate size
  RoutingSpec routing;
  SharedExpertSpec shared;
};

// Errors name the source, the field and the reason.
class ModelConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `key=value` overrides applied to the config's JSON before it is read; the
// value is parsed as JSON (a number, true, false, null) or taken as a string.
struct Override {
  std::string key;
  std::string value;
};
Override parse_override(std::string_view key_equals_value);

MoeLayerSpec parse_model_config(std::string_view json_text, std::string_view source,
                                std::span<const Override> overrides = {});

// A bundled model name (see bundled_models()) or a path to a config.json.
MoeLayerSpec load_model(std::string_view name_or_path, std::span<const Override> overrides = {});

struct BundledModel {
  std::string_view name;
  std::string_view text;
};
std::span<const BundledModel> bundled_models();

}  // namespace cadre::model
