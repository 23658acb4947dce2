#include "cadre/compiler/pass_manager.h"

#include <fmt/format.h>

#include <charconv>

#include "cadre/compiler/ir_text.h"
#include "cadre/compiler/verify.h"
#include "cadre/model/kernels.h"
#include "passes.h"

namespace cadre::compiler {
namespace {

constexpr PassInfo kPasses[] = {
#define COMPILER_PASS(E, name, summary) {PassId::E, name, summary},
#include "cadre/compiler/passes.def"
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::span<const PassInfo> pass_table() { return kPasses; }

int64_t PassOptions::get_int(std::string_view key, int64_t fallback) const {
  const auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  read_[it->first] = true;
  int64_t v = 0;
  const std::string& s = it->second;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw IrError(fmt::format("option {}={} is not an integer", key, s));
  return v;
}

std::string PassOptions::get_string(std::string_view key, std::string_view fallback) const {
  const auto it = values_.find(std::string(key));
  if (it == values_.end()) return std::string(fallback);
  read_[it->first] = true;
  return it->second;
}

std::vector<std::string> PassOptions::unread() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_)
    if (!read_.count(k)) out.push_back(k);
  return out;
}

std::vector<PassRun> parse_pipeline(std::string_view text) {
  std::vector<PassRun> runs;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = i;
    while (end < text.size() && text[end] != ',' && text[end] != '{') ++end;
    const std::string_view name = trim(text.substr(i, end - i));
    const auto it = std::find_if(std::begin(kPasses), std::end(kPasses), [&](const PassInfo& p) { return p.name == name; });
    if (it == std::end(kPasses)) {
      std::string known;
      for (const PassInfo& p : kPasses) known += fmt::format("{}{}", known.empty() ? "" : ", ", p.name);
      throw IrError(fmt::format("unknown pass '{}' (passes: {})", name, known));
    }
    PassRun run{it->id, {}};
    if (end < text.size() && text[end] == '{') {
      const size_t close = text.find('}', end);
      if (close == std::string_view::npos) throw IrError(fmt::format("pass '{}': '{{' without '}}'", name));
      std::string_view body = text.substr(end + 1, close - end - 1);
      while (!trim(body).empty()) {
        const size_t comma = body.find(',');
        const std::string_view kv = trim(body.substr(0, comma));
        const size_t eq = kv.find('=');
        if (eq == std::string_view::npos || trim(kv.substr(0, eq)).empty())
          throw IrError(fmt::format("pass '{}': option '{}' is not key=value", name, kv));
        run.options.set(std::string(trim(kv.substr(0, eq))), std::string(trim(kv.substr(eq + 1))));
        if (comma == std::string_view::npos) break;
        body.remove_prefix(comma + 1);
      }
      end = close + 1;
      while (end < text.size() && std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      if (end < text.size() && text[end] != ',')
        throw IrError(fmt::format("pass '{}': expected ',' after its options", name));
    }
    runs.push_back(std::move(run));
    i = end + 1;
  }
  return runs;
}

std::string print_pipeline(const std::vector<PassRun>& runs) {
  std::string s;
  for (const PassRun& r : runs) {
    if (!s.empty()) s += ",";
    s += kPasses[static_cast<size_t>(r.id)].name;
    if (!r.options.values().empty()) {
      s += "{";
      bool first = true;
      for (const auto& [k, v] : r.options.values()) {
        s += fmt::format("{}{}={}", first ? "" : ",", k, v);
        first = false;
      }
      s += "}";
    }
  }
  return s;
}

std::vector<PassRun> default_pipeline(const Module& module) {
  std::vector<PassRun> runs;
  for (const PassInfo& p : kPasses) {
    const auto precision = model::parse_precision(module.attrs.get_string("precision", ""));
    if (p.id == PassId::QuantizeFp8 && precision != model::Precision::Fp8) continue;
    runs.push_back({p.id, {}});
  }
  return runs;
}

void run_pass(const PassRun& run, Module& module, const PassContext& context) {
  switch (run.id) {
#define COMPILER_PASS(E, name, summary) \
  case PassId::E: pass_##E(module, run.options, context); break;
#include "cadre/compiler/passes.def"
  }
  if (const auto unread = run.options.unread(); !unread.empty())
    throw IrError(fmt::format("pass '{}' has no option '{}'", kPasses[static_cast<size_t>(run.id)].name, unread[0]));
}

void run_pipeline(const std::vector<PassRun>& runs, Module& module, const PassContext& context,
                  const PipelineOptions& options) {
  for (const PassRun& r : runs) {
    const std::string_view name = kPasses[static_cast<size_t>(r.id)].name;
    try {
      run_pass(r, module, context);
      verify(module, &context.arch);
    } catch (const IrError& e) {
      throw IrError(fmt::format("pass {}: {}", name, e.what()));
    }
    const bool dump = options.print_after_all ||
                      std::find(options.print_after.begin(), options.print_after.end(), name) != options.print_after.end();
    if (dump && options.dump) options.dump(fmt::format("// -----// IR Dump After {} //----- //\n{}", name, print(module)));
  }
}

}  // namespace cadre::compiler
