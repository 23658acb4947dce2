// `cadre isa`: the Xcadre instruction table, as a table, JSON or Markdown.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <memory>

#include "cadre/isa/isa_doc.h"
#include "cadre/isa/xcadre.h"
#include "commands.h"
#include "exit_codes.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace isa_command {
namespace {

std::string operand_text(isa::Layout l) {
  if (l == isa::Layout::None) return "-";
  std::string text;
  for (const isa::Field& f : isa::info(l).fields)
    text += fmt::format("{}{}:{}", text.empty() ? "" : " ", f.name, f.width);
  return text;
}

void print_table() {
  fmt::print("{:<15} {:<8} {:>6} {:>6} {:<7} {:<7} {:<14} {:<34} {}\n", "mnemonic", "opcode", "funct3",
             "funct7", "queue", "unit", "rd", "rs1", "rs2");
  for (const isa::InsnInfo& i : isa::xcadre_table())
    fmt::print("{:<15} {:<8} {:>6} {:>6} {:<7} {:<7} {:<14} {:<34} {}\n", i.mnemonic, isa::name(i.major),
               i.funct3, i.funct7, isa::name(i.queue), isa::name(i.unit), operand_text(i.rd), operand_text(i.rs1),
               operand_text(i.rs2));
}

nlohmann::json layout_json(isa::Layout l) {
  nlohmann::json fields = nlohmann::json::array();
  for (const isa::Field& f : isa::info(l).fields)
    fields.push_back({{"name", f.name}, {"lsb", f.lsb}, {"width", f.width}});
  return {{"layout", isa::info(l).name}, {"fields", fields}};
}

void print_json() {
  nlohmann::json insns = nlohmann::json::array();
  for (const isa::InsnInfo& i : isa::xcadre_table())
    insns.push_back({{"mnemonic", i.mnemonic},
                     {"major", isa::name(i.major)},
                     {"opcode", static_cast<int>(i.major)},
                     {"funct3", i.funct3},
                     {"funct7", i.funct7},
                     {"queue", isa::name(i.queue)},
                     {"unit", isa::name(i.unit)},
                     {"rd", layout_json(i.rd)},
                     {"rs1", layout_json(i.rs1)},
                     {"rs2", layout_json(i.rs2)},
                     {"summary", i.summary}});
  fmt::print("{}\n", nlohmann::json{{"instructions", insns}}.dump(2));
}

}  // namespace
}  // namespace isa_command

void add_isa_command(CLI::App& app, int& exit_code) {
  using namespace isa_command;
  struct Options {
    bool json = false;
    bool markdown = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("isa", "Print the Xcadre custom instruction table");
  auto* json = cmd->add_flag("--json", opts->json, "machine-readable output");
  cmd->add_flag("--markdown", opts->markdown, "the instruction reference as in docs/isa.md")->excludes(json);
  cmd->callback([opts, &exit_code] {
    if (opts->json)
      print_json();
    else if (opts->markdown)
      fmt::print("{}", isa::instruction_reference_markdown());
    else
      print_table();
    exit_code = kExitOk;
  });
}

}  // namespace cadre::cli
