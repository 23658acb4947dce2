#include "layer_options.h"

#include <fmt/format.h>
#include <unistd.h>

#include "cadre/arch/arch_json.h"
#include "cadre/golden/moe_golden.h"
#include "exit_codes.h"
#include "number_options.h"

namespace cadre::cli {

void LayerOptions::add_to(CLI::App& cmd) {
  cmd.add_option("MODEL", model, "a bundled model name or a path to a config.json")->required();
  cmd.add_option("--arch", arch, "architecture: a preset name or a JSON file")->required();
  cmd.add_option("--phase", phase, "prefill or decode")->required()->check(CLI::IsMember(spellings(model::kPhases)));
  cmd.add_option("--tokens", tokens, "tokens in the layer")->required()->check(whole_number(1, 65535));
  cmd.add_option("--precision", precision, "fp8 or bf16")->check(CLI::IsMember(spellings(model::kPrecisions)))->capture_default_str();
  cmd.add_option("--set", sets, "override a config field: key=value (repeatable)");
}

compiler::LayerRequest load_layer(const LayerOptions& o, arch::ArchConfig& arch) {
  try {
    arch = arch::load_arch(o.arch);
  } catch (const arch::ConfigError& e) {
    throw InputError{e.what(), kExitBadInput};
  }
  compiler::LayerRequest r;
  try {
    std::vector<model::Override> overrides;
    for (const std::string& s : o.sets) overrides.push_back(model::parse_override(s));
    r.spec = model::load_model(o.model, overrides);
  } catch (const model::ModelConfigError& e) {
    throw InputError{e.what(), kExitBadInput};
  } catch (const std::invalid_argument& e) {
    throw InputError{e.what(), kExitBadInput};
  }
  // The command line accepts only the spellings, so both parse.
  r.phase = *model::parse_phase(o.phase);
  r.tokens = o.tokens;
  r.precision = *model::parse_precision(o.precision);
  r.arch = arch.name;
  return r;
}

void require_memory(double bytes, uint32_t tokens) {
  const double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (bytes > memory)
    throw InputError{fmt::format("--tokens {}: the run needs about {:.1f} GiB of memory, this machine has {:.1f} GiB",
                                 tokens, bytes / (1 << 30), memory / (1 << 30)),
                     kExitUsage};
}

void require_golden_memory(const compiler::LayerRequest& request) {
  require_memory(golden::trace_bytes(request.spec, request.tokens, request.precision, 1), request.tokens);
}

}  // namespace cadre::cli
