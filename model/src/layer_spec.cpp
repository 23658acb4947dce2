#include "cadre/model/layer_spec.h"

#include "cadre/common/json_text.h"
#include "cadre/common/read_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

namespace cadre::model {
namespace {

using nlohmann::json;

// The columns of families.def as values.
enum class ScoringRule { Softmax, Sigmoid, FromConfig };
enum class NormaliseRule { Always, FromConfig, FromConfigIfTopkAbove1 };
enum class ScalingRule { None, Always, UnlessNormalised };
enum class GroupRule { None, MaxOfGroup, SumOfTop2, FromTopkMethod };
enum class SharedRule { None, DeepSeek, QwenGated };

struct FamilyRules {
  Family family;
  std::string_view model_type;
  std::string_view experts_key;
  std::string_view width_key;
  ScoringRule scoring;
  NormaliseRule normalise;
  float norm_epsilon;
  ScalingRule scaling;
  GroupRule groups;
  SharedRule shared;
};

constexpr FamilyRules kFamilies[] = {
#define MOE_FAMILY(E, type, experts, width, scoring, normalise, eps, scaling, groups, shared)                 \
  {Family::E,           type,                     experts,           width, ScoringRule::scoring, \
   NormaliseRule::normalise, eps, ScalingRule::scaling, GroupRule::groups, SharedRule::shared},
#include "cadre/model/families.def"
};

// Every key some family reads, so that --set can refuse a misspelt one.
constexpr std::string_view kReadKeys[] = {
    "model_type",        "hidden_size",          "hidden_act",     "num_experts_per_tok",
    "n_routed_experts",  "num_local_experts",    "num_experts",    "moe_intermediate_size",
    "intermediate_size", "scoring_func",         "norm_topk_prob", "routed_scaling_factor",
    "n_group",           "topk_group",           "topk_method",    "n_shared_experts",
    "shared_expert_intermediate_size"};

// The largest size any one field may have, and the most elements one weight
// matrix may have: the kernels index a matrix with 32-bit offsets.
constexpr int64_t kMaxFieldValue = int64_t{1} << 24;
constexpr uint64_t kMaxMatrixElements = UINT32_MAX;
// A Hugging Face config.json is a few kilobytes.
constexpr uint64_t kMaxConfigBytes = uint64_t{16} << 20;

// Reads the fields of one config, naming the source and the field in each error.
class ConfigReader {
 public:
  ConfigReader(const json& root, std::string_view source) : root_(root), source_(source) {}

  [[noreturn]] void fail(std::string_view key, std::string_view reason) const {
    throw ModelConfigError(fmt::format("{}: {}: {}", source_, key, reason));
  }

  bool has(std::string_view key) const {
    const auto it = root_.find(key);
    return it != root_.end() && !it->is_null();
  }

  uint32_t positive(std::string_view key) const {
    const json& v = require(key);
    if (!v.is_number_integer()) fail(key, fmt::format("must be a whole number, not {}", v.dump()));
    const auto value = v.get<int64_t>();
    if (value <= 0) fail(key, fmt::format("must be positive, not {}", value));
    if (value > kMaxFieldValue) fail(key, fmt::format("{} is larger than Cadre supports (2^24)", value));
    return static_cast<uint32_t>(value);
  }

  uint32_t positive_or(std::string_view key, uint32_t fallback) const {
    return has(key) ? positive(key) : fallback;
  }

  uint32_t count_or_zero(std::string_view key) const {
    if (!has(key)) return 0;
    const json& v = root_.at(key);
    if (v.is_number_integer() && v.get<int64_t>() == 0) return 0;
    return positive(key);
  }

  bool flag_or(std::string_view key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = root_.at(key);
    if (!v.is_boolean()) fail(key, fmt::format("must be true or false, not {}", v.dump()));
    return v.get<bool>();
  }

  float positive_real_or(std::string_view key, float fallback) const {
    if (!has(key)) return fallback;
    const json& v = root_.at(key);
    if (!v.is_number()) fail(key, fmt::format("must be a number, not {}", v.dump()));
    const double value = v.get<double>();
    if (!std::isfinite(value) || value <= 0.0 || value > 1e6)
      fail(key, fmt::format("must be a positive finite number, not {}", v.dump()));
    return static_cast<float>(value);
  }

  std::string text_or(std::string_view key, std::string_view fallback) const {
    if (!has(key)) return std::string(fallback);
    const json& v = root_.at(key);
    if (!v.is_string()) fail(key, fmt::format("must be a string, not {}", v.dump()));
    return v.get<std::string>();
  }

 private:
  const json& require(std::string_view key) const {
    if (!has(key)) fail(key, "missing (this family needs it)");
    return root_.at(key);
  }

  const json& root_;
  std::string_view source_;
};

void apply_overrides(json& root, std::span<const Override> overrides, std::string_view source) {
  for (const Override& o : overrides) {
    const bool known = root.contains(o.key) || std::ranges::find(kReadKeys, o.key) != std::end(kReadKeys);
    if (!known) {
      const std::string_view best = common::closest_name(o.key, kReadKeys);
      throw ModelConfigError(fmt::format("{}: --set {}: no such field{}", source, o.key,
                                         best.empty() ? "" : fmt::format(" (did you mean {}?)", best)));
    }
    json value = json::accept(o.value) ? json::parse(o.value) : json(o.value);
    // A value taken as a string must be text a JSON string can hold: messages
    // quote values with dump(), which throws on bytes that are not UTF-8.
    try {
      (void)value.dump();
    } catch (const json::type_error&) {
      throw ModelConfigError(fmt::format("{}: --set {}: the value is not UTF-8 text", source, o.key));
    }
    root[o.key] = std::move(value);
  }
}

const FamilyRules& family_rules(const ConfigReader& r, const json& root) {
  if (!root.contains("model_type")) r.fail("model_type", "missing: Cadre reads a config by its model_type");
  const std::string type = r.text_or("model_type", "");
  for (const FamilyRules& f : kFamilies)
    if (f.model_type == type) return f;
  std::string known;
  for (const FamilyRules& f : kFamilies) known += fmt::format("{}{}", known.empty() ? "" : ", ", f.model_type);
  r.fail("model_type", fmt::format("'{}' is not an MoE family Cadre reads (it reads {})", type, known));
}

RoutingSpec read_routing(const ConfigReader& r, const FamilyRules& f) {
  RoutingSpec s;
  s.experts = r.positive(f.experts_key);
  s.top_k = r.positive("num_experts_per_tok");
  if (s.top_k > s.experts)
    r.fail("num_experts_per_tok", fmt::format("{} is more than the {} experts ({})", s.top_k, s.experts, f.experts_key));
  if (s.experts > 65535) r.fail(f.experts_key, fmt::format("{} experts: Cadre supports at most 65535", s.experts));
  if (s.top_k > 255) r.fail("num_experts_per_tok", fmt::format("{}: Cadre supports at most 255", s.top_k));

  switch (f.scoring) {
    case ScoringRule::Softmax: s.scoring = Scoring::Softmax; break;
    case ScoringRule::Sigmoid: s.scoring = Scoring::Sigmoid; break;
    case ScoringRule::FromConfig: {
      const std::string func = r.text_or("scoring_func", "softmax");
      if (func == "softmax") s.scoring = Scoring::Softmax;
      else if (func == "sigmoid") s.scoring = Scoring::Sigmoid;
      else r.fail("scoring_func", fmt::format("'{}' is neither softmax nor sigmoid", func));
    }
  }

  const bool norm_field = f.normalise == NormaliseRule::Always || r.flag_or("norm_topk_prob", false);
  // DeepSeek's modelling code renormalises only when more than one expert is chosen.
  s.normalise = f.normalise == NormaliseRule::FromConfigIfTopkAbove1 ? norm_field && s.top_k > 1 : norm_field;
  s.norm_epsilon = f.norm_epsilon;

  const float factor = r.positive_real_or("routed_scaling_factor", 1.0f);
  switch (f.scaling) {
    case ScalingRule::None: s.scaling = 1.0f; break;
    case ScalingRule::Always: s.scaling = factor; break;
    case ScalingRule::UnlessNormalised: s.scaling = s.normalise ? 1.0f : factor; break;
  }

  GroupRule groups = f.groups;
  if (groups == GroupRule::FromTopkMethod) {
    const std::string method = r.text_or("topk_method", "greedy");
    if (method == "greedy") groups = GroupRule::None;
    else if (method == "group_limited_greedy") groups = GroupRule::MaxOfGroup;
    else r.fail("topk_method", fmt::format("'{}' is neither greedy nor group_limited_greedy", method));
  }
  if (f.family == Family::DeepSeekV3) {
    // DeepSeek-V3 selects with a learned bias (e_score_correction_bias): "noaux_tc".
    const std::string method = r.text_or("topk_method", "noaux_tc");
    if (method != "noaux_tc") r.fail("topk_method", fmt::format("'{}': DeepSeek-V3 routing is noaux_tc", method));
    s.selection_bias = true;
  }
  if (groups != GroupRule::None) {
    s.group_score = groups == GroupRule::MaxOfGroup ? GroupScore::MaxOfGroup : GroupScore::SumOfTop2;
    s.n_group = r.positive_or("n_group", 1);
    s.topk_group = r.positive_or("topk_group", 1);
    if (s.experts % s.n_group != 0)
      r.fail("n_group", fmt::format("{} groups do not divide the {} experts", s.n_group, s.experts));
    if (s.topk_group > s.n_group)
      r.fail("topk_group", fmt::format("{} is more than the {} groups (n_group)", s.topk_group, s.n_group));
    const uint32_t reachable = s.topk_group * (s.experts / s.n_group);
    if (reachable < s.top_k)
      r.fail("topk_group", fmt::format("{} groups of {} experts hold fewer than the {} experts chosen per token",
                                       s.topk_group, s.experts / s.n_group, s.top_k));
    if (s.group_score == GroupScore::SumOfTop2 && s.experts / s.n_group < 2)
      r.fail("n_group", "a group needs at least two experts: its score is the sum of its top two");
  }
  return s;
}

SharedExpertSpec read_shared(const ConfigReader& r, const FamilyRules& f, uint32_t expert_width) {
  switch (f.shared) {
    case SharedRule::None: return {};
    case SharedRule::DeepSeek: {
      // The shared experts run as one MLP of their widths together.
      const uint64_t count = r.count_or_zero("n_shared_experts");
      const uint64_t width = count * expert_width;
      if (width > static_cast<uint64_t>(kMaxFieldValue))
        r.fail("n_shared_experts",
               fmt::format("{} shared experts of {} ({}) are {} wide together: larger than Cadre supports (2^24)",
                           count, expert_width, f.width_key, width));
      return {static_cast<uint32_t>(width), false};
    }
    case SharedRule::QwenGated: {
      const uint32_t width = r.count_or_zero("shared_expert_intermediate_size");
      return {width, width > 0};
    }
  }
  return {};
}

}  // namespace

std::string_view model_type(Family family) {
  for (const FamilyRules& f : kFamilies)
    if (f.family == family) return f.model_type;
  return "?";
}

Override parse_override(std::string_view key_equals_value) {
  const size_t eq = key_equals_value.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw ModelConfigError(fmt::format("--set {}: expected key=value", key_equals_value));
  return {std::string(key_equals_value.substr(0, eq)), std::string(key_equals_value.substr(eq + 1))};
}

MoeLayerSpec parse_model_config(std::string_view json_text, std::string_view source,
                                std::span<const Override> overrides) {
  json root = common::parse_json<ModelConfigError>(json_text, source);
  if (!root.is_object()) throw ModelConfigError(fmt::format("{}: the config must be a JSON object", source));
  apply_overrides(root, overrides, source);
  const ConfigReader r(root, source);
  const FamilyRules& f = family_rules(r, root);

  if (const std::string act = r.text_or("hidden_act", "silu"); act != "silu")
    r.fail("hidden_act", fmt::format("'{}': Cadre's experts are SwiGLU (silu)", act));

  MoeLayerSpec spec;
  spec.name = std::string(source);
  spec.family = f.family;
  spec.hidden = r.positive("hidden_size");
  spec.expert_width = r.positive(f.width_key);
  spec.routing = read_routing(r, f);
  spec.shared = read_shared(r, f, spec.expert_width);
  // Each weight matrix, in 64 bits: [width, hidden] for an expert and the
  // shared expert, [experts, hidden] for the router.
  const auto check_matrix = [&](std::string_view key, std::string_view what, uint64_t rows) {
    const uint64_t elements = rows * spec.hidden;
    if (elements > kMaxMatrixElements)
      r.fail(key, fmt::format("{} x hidden_size {} = {} elements in {}: larger than Cadre supports (2^32 - 1)", rows,
                              spec.hidden, elements, what));
  };
  check_matrix(f.width_key, "an expert's weight matrix", spec.expert_width);
  check_matrix(f.shared == SharedRule::DeepSeek ? "n_shared_experts" : "shared_expert_intermediate_size",
               "the shared expert's weight matrix", spec.shared.width);
  check_matrix(f.experts_key, "the router's weight matrix", spec.routing.experts);
  return spec;
}

MoeLayerSpec load_model(std::string_view name_or_path, std::span<const Override> overrides) {
  for (const BundledModel& m : bundled_models())
    if (m.name == name_or_path) return parse_model_config(m.text, m.name, overrides);
  std::vector<uint8_t> bytes;
  try {
    bytes = common::read_file(std::string(name_or_path), kMaxConfigBytes);
  } catch (const common::FileReadError& e) {
    std::string names;
    for (const BundledModel& m : bundled_models()) names += fmt::format("{}{}", names.empty() ? "" : ", ", m.name);
    throw ModelConfigError(
        fmt::format("{}: not a bundled model ({}) nor a readable config.json ({})", name_or_path, names, e.what()));
  }
  return parse_model_config(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), name_or_path,
                            overrides);
}

}  // namespace cadre::model
