// `cadre compile MODEL --arch A --phase P --tokens N`: an MoE layer through
// Cadre's compiler (docs/compiler.md) to `--emit ir|asm|elf`. IR dumps
// (--print-ir-after-all, --print-ir-after NAME) go to stderr.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "cadre/compiler/compiler.h"
#include "commands.h"
#include "exit_codes.h"
#include "layer_options.h"
#include "output_file.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace compile_command {
namespace {

struct Options {
  LayerOptions layer;
  std::string emit = "elf", output, pipeline;
  std::vector<std::string> print_after;
  bool print_after_all = false, json = false, pipeline_given = false;
};

int run(const Options& o) {
  if (o.emit == "elf" && o.output.empty()) throw InputError{"--emit elf needs -o FILE", kExitUsage};
  if (o.json && o.output.empty()) throw InputError{"--json prints a summary: give the output a file with -o", kExitUsage};
  arch::ArchConfig arch;
  const compiler::LayerRequest request = load_layer(o.layer, arch);
  compiler::CompileOptions options;
  if (o.pipeline_given) options.pipeline = o.pipeline;
  options.dumps.print_after_all = o.print_after_all;
  options.dumps.print_after = o.print_after;
  options.dumps.dump = [](std::string_view text) { print_stderr("{}\n", text); };

  const auto start = std::chrono::steady_clock::now();
  compiler::Module module = compiler::build_layer(request);
  compiler::optimise(module, arch, options);
  std::optional<compiler::MachineCode> code;
  if (o.emit != "ir") code = compiler::generate(module, arch);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::string text;
  if (o.emit == "ir") text = compiler::print(module);
  else if (o.emit == "asm") text = code->assembly;
  const std::span<const char> bytes =
      o.emit == "elf" ? std::span<const char>(reinterpret_cast<const char*>(code->elf.data()), code->elf.size())
                      : std::span<const char>(text.data(), text.size());
  if (o.output.empty() || o.output == "-") {
    fmt::print("{}", text);
  } else if (const std::string err = write_file(o.output, bytes); !err.empty()) {
    throw InputError{err, kExitIo};
  }
  if (o.json) {
    nlohmann::ordered_json j{{"model", request.spec.name}, {"arch", arch.name}, {"phase", model::name(request.phase)},
                             {"tokens", request.tokens}, {"precision", model::name(request.precision)}, {"emit", o.emit},
                             {"output", o.output}};
    j["pipeline"] = o.pipeline_given ? o.pipeline : "default";
    if (code) {
      j["instructions"] = code->instructions();
      j["code_bytes"] = code->code.size();
    }
    if (module.program) {
      nlohmann::ordered_json buffers = nlohmann::ordered_json::array();
      for (const compiler::BufferDecl& b : module.program->buffers)
        buffers.push_back({{"name", b.name}, {"memory", std::string(compiler::name(b.memory))}, {"bytes", b.bytes},
                           {"slots", b.slots}, {"address", b.address ? nlohmann::ordered_json(*b.address) : nullptr}});
      j["buffers"] = buffers;
    }
    j["wall_clock"] = {{"compile_seconds", seconds}};
    fmt::print("{}\n", j.dump(2));
  }
  return kExitOk;
}

}  // namespace
}  // namespace compile_command

void add_compile_command(CLI::App& app, int& exit_code) {
  using namespace compile_command;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("compile", "Compile an MoE layer for the Cadre chip (IR, assembly or ELF)");
  o->layer.add_to(*cmd);
  cmd->add_option("--emit", o->emit, "ir, asm or elf")->check(CLI::IsMember({"ir", "asm", "elf"}))->capture_default_str();
  cmd->add_option("-o,--output", o->output, "output file (ir and asm: stdout when absent)");
  cmd->add_option("--pass-pipeline", o->pipeline, "passes to run, e.g. quantize-fp8,fuse-experts{scatter=off} (default: all; empty: none)");
  cmd->add_flag("--print-ir-after-all", o->print_after_all, "print the module after every pass (stderr)");
  cmd->add_option("--print-ir-after", o->print_after, "print the module after this pass (repeatable; stderr)");
  cmd->add_flag("--json", o->json, "a summary as JSON on stdout (the output goes to -o)");
  cmd->callback([o, cmd, &exit_code] {
    o->pipeline_given = cmd->count("--pass-pipeline") > 0;
    try {
      check_outputs(*cmd, {{"--output", o->output}}, {o->layer.model, o->layer.arch});
      exit_code = run(*o);
    } catch (const InputError& e) {
      print_stderr("cadre compile: {}\n", e.message);
      exit_code = e.code;
    } catch (const compiler::IrError& e) {
      print_stderr("cadre compile: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  });
}

}  // namespace cadre::cli
