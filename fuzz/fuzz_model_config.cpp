// Fuzz target: the Hugging Face config.json reader with `--set` overrides
// (model::parse_model_config, model::parse_override). The input is the
// overrides, one `key=value` a line, then a line `---`, then the config; with
// no `---` line the whole input is the config. Any input either gives a layer
// whose routing top-k can choose its experts, or throws ModelConfigError;
// anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cadre/model/layer_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cadre::model;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    std::vector<Override> overrides;
    std::string_view config = text;
    if (const size_t end = text.starts_with("---\n") ? 0 : text.find("\n---\n"); end != std::string_view::npos) {
      config = text.substr(end + (end == 0 ? 4 : 5));
      std::string_view lines = text.substr(0, end);
      while (!lines.empty()) {
        const size_t newline = lines.find('\n');
        overrides.push_back(parse_override(lines.substr(0, newline)));
        lines = newline == std::string_view::npos ? std::string_view() : lines.substr(newline + 1);
      }
    }
    const MoeLayerSpec spec = parse_model_config(config, "fuzz/config.json", overrides);
    if (spec.hidden == 0 || spec.expert_width == 0 || !cadre::num::topk_possible(spec.routing)) __builtin_trap();
    if (spec.shared.sigmoid_gate && spec.shared.width == 0) __builtin_trap();
    if (!(spec.routing.scaling > 0.0f) || spec.name != "fuzz/config.json") __builtin_trap();
  } catch (const ModelConfigError&) {
  }
  return 0;
}
