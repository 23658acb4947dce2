// Running passes over a module: a pipeline by name (`--pass-pipeline=a,b{k=v}`),
// the verifier after every pass, and IR dumps after all or named passes.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/ir.h"

namespace cadre::compiler {

enum class PassId : uint8_t {
#define COMPILER_PASS(E, name, summary) E,
#include "cadre/compiler/passes.def"
};

struct PassInfo {
  PassId id;
  std::string_view name;
  std::string_view summary;
};
std::span<const PassInfo> pass_table();

// A pass's options, `name{key=value,...}` in a pipeline. A pass reads the
// ones it knows; one it did not read is an error naming the pass and key.
class PassOptions {
 public:
  void set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }
  bool has(std::string_view key) const { return values_.count(std::string(key)) != 0; }
  int64_t get_int(std::string_view key, int64_t fallback) const;
  std::string get_string(std::string_view key, std::string_view fallback) const;
  // Keys set but never read.
  std::vector<std::string> unread() const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
  mutable std::map<std::string, bool> read_;
};

struct PassRun {
  PassId id;
  PassOptions options;
};

// "a,b{k=v,k2=v2},c" -> the passes; throws IrError naming an unknown pass or a malformed option.
std::vector<PassRun> parse_pipeline(std::string_view text);
std::string print_pipeline(const std::vector<PassRun>& runs);

// The passes `cadre compile` runs for a module of this graph (quantize-fp8
// only when the module asks for FP8).
std::vector<PassRun> default_pipeline(const Module& module);

struct PassContext {
  const arch::ArchConfig& arch;
};

// Runs one pass (no verification).
void run_pass(const PassRun& run, Module& module, const PassContext& context);

struct PipelineOptions {
  bool print_after_all = false;
  std::vector<std::string> print_after;  // pass names
  // Where IR dumps go ("// -----// IR Dump After NAME //----- //" then the module).
  std::function<void(std::string_view)> dump;
};

// Runs the passes in order, verifying after each; an IrError names the pass.
void run_pipeline(const std::vector<PassRun>& runs, Module& module, const PassContext& context,
                  const PipelineOptions& options = {});

}  // namespace cadre::compiler
