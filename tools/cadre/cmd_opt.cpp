// `cadre opt FILE.ir`: passes on a module in Cadre's textual IR, as
// mlir-opt runs them: parse (errors with line:column), verify, run
// `--pass-pipeline`, print (`-` reads stdin, so `opt | opt` round-trips).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"
#include "cadre/compiler/verify.h"
#include "commands.h"
#include "exit_codes.h"
#include "layer_options.h"
#include "output_file.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace opt_command {
namespace {

struct Options {
  std::string input, arch, pipeline, emit = "ir", output;
  std::vector<std::string> print_after;
  bool print_after_all = false;
};

std::string read_input(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError{fmt::format("cannot read '{}'", path), kExitIo};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const Options& o) {
  if (o.emit == "elf" && o.output.empty()) throw InputError{"--emit elf needs -o FILE", kExitUsage};
  const std::string text = read_input(o.input);
  compiler::Module module;
  try {
    module = compiler::parse_module(text, o.input == "-" ? "<stdin>" : o.input);
  } catch (const compiler::ParseError& e) {
    throw InputError{e.what(), kExitBadInput};
  }
  const std::string arch_name = !o.arch.empty() ? o.arch : module.attrs.get_string("arch", "");
  if (arch_name.empty()) throw InputError{"the module names no arch: give --arch", kExitUsage};
  arch::ArchConfig arch;
  try {
    arch = arch::load_arch(arch_name);
  } catch (const arch::ConfigError& e) {
    throw InputError{e.what(), kExitBadInput};
  }
  compiler::verify(module, &arch);
  if (!o.pipeline.empty()) {
    compiler::PipelineOptions dumps;
    dumps.print_after_all = o.print_after_all;
    dumps.print_after = o.print_after;
    dumps.dump = [](std::string_view t) { print_stderr("{}\n", t); };
    compiler::run_pipeline(compiler::parse_pipeline(o.pipeline), module, compiler::PassContext{arch}, dumps);
  }
  std::string out;
  std::vector<uint8_t> elf;
  if (o.emit == "ir") {
    out = compiler::print(module);
  } else {
    compiler::MachineCode code = compiler::generate(module, arch);
    out = code.assembly;
    elf = std::move(code.elf);
  }
  const std::span<const char> bytes = o.emit == "elf" ? std::span<const char>(reinterpret_cast<const char*>(elf.data()), elf.size())
                                                      : std::span<const char>(out.data(), out.size());
  if (o.output.empty() || o.output == "-") fmt::print("{}", out);
  else if (const std::string err = write_file(o.output, bytes); !err.empty()) throw InputError{err, kExitIo};
  return kExitOk;
}

}  // namespace
}  // namespace opt_command

void add_opt_command(CLI::App& app, int& exit_code) {
  using namespace opt_command;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("opt", "Run compiler passes on a module in Cadre's textual IR");
  cmd->add_option("FILE", o->input, "the module (.ir); - reads stdin")->required();
  cmd->add_option("--arch", o->arch, "architecture (default: the module's arch attribute)");
  cmd->add_option("--pass-pipeline", o->pipeline, "passes to run, e.g. distribute{placement=static},multi-buffer");
  cmd->add_flag("--print-ir-after-all", o->print_after_all, "print the module after every pass (stderr)");
  cmd->add_option("--print-ir-after", o->print_after, "print the module after this pass (repeatable; stderr)");
  cmd->add_option("--emit", o->emit, "ir, asm or elf")->check(CLI::IsMember({"ir", "asm", "elf"}))->capture_default_str();
  cmd->add_option("-o,--output", o->output, "output file (default stdout)");
  cmd->callback([o, cmd, &exit_code] {
    try {
      check_outputs(*cmd, {{"--output", o->output}}, {o->input, o->arch});
      exit_code = run(*o);
    } catch (const InputError& e) {
      print_stderr("cadre opt: {}\n", e.message);
      exit_code = e.code;
    } catch (const compiler::IrError& e) {
      print_stderr("cadre opt: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  });
}

}  // namespace cadre::cli
