// `cadre disasm FILE`: disassemble an RV64 ELF (each executable section, with
// symbol labels as objdump prints them) or a raw little-endian binary.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cadre/common/read_file.h"
#include "cadre/elf/elf_program.h"
#include "cadre/isa/disasm.h"
#include "commands.h"
#include "exit_codes.h"
#include "streams.h"

namespace cadre::cli {
// This command's own names (the tool is a unity build: its files share one translation unit).
namespace disasm_command {
namespace {

struct Options {
  std::string file;
  bool raw = false;
  std::string base = "0x80000000";
  bool json = false;
};

// One block of code to list: a section of an ELF, or the whole raw file.
struct Block {
  std::string name;
  uint64_t address;
  std::span<const uint8_t> bytes;
};

// Labels by address: functions first, then other code symbols; never file,
// section or object symbols, nor the assembler's local and mapping symbols.
std::map<uint64_t, std::string> labels_of(const std::vector<elf::Symbol>& symbols) {
  std::map<uint64_t, std::string> labels;
  for (const bool functions : {true, false})
    for (const elf::Symbol& s : symbols) {
      const bool is_function = s.type == elf::SymbolType::Func;
      if (is_function != functions || (!is_function && s.type != elf::SymbolType::NoType)) continue;
      if (s.name.empty() || s.name[0] == '$' || s.name.starts_with(".L")) continue;
      labels.emplace(s.value, s.name);
    }
  return labels;
}

uint32_t word_at(std::span<const uint8_t> bytes, size_t off) {
  return uint32_t{bytes[off]} | uint32_t{bytes[off + 1]} << 8 | uint32_t{bytes[off + 2]} << 16 |
         uint32_t{bytes[off + 3]} << 24;
}

void list(const std::vector<Block>& blocks, const std::map<uint64_t, std::string>& labels, bool json) {
  nlohmann::json out = nlohmann::json::array();
  for (const Block& block : blocks) {
    if (!json) fmt::print("\nDisassembly of section {}:\n", block.name);
    std::optional<std::string> symbol;
    for (size_t off = 0; off < block.bytes.size(); off += 4) {
      const uint64_t pc = block.address + off;
      if (const auto it = labels.find(pc); it != labels.end()) {
        symbol = it->second;
        if (!json) fmt::print("\n{:016x} <{}>:\n", pc, it->second);
      } else if (off == 0 && !json) {
        fmt::print("\n{:016x} <{}>:\n", pc, block.name);
      }
      if (block.bytes.size() - off < 4) {  // a tail too short for an instruction
        std::string text = ".byte";
        for (size_t k = off; k < block.bytes.size(); ++k) text += fmt::format("{}0x{:02x}", k == off ? " " : ",", block.bytes[k]);
        if (json)
          out.push_back({{"address", pc}, {"word", nullptr}, {"text", text}, {"symbol", symbol ? nlohmann::json(*symbol) : nullptr}});
        else
          fmt::print("    {:x}:\t{:8}\t{}\n", pc, "", text);
        break;
      }
      const uint32_t word = word_at(block.bytes, off);
      const std::string text = isa::disassemble_word(word, pc);
      if (json)
        out.push_back({{"address", pc}, {"word", word}, {"text", text}, {"symbol", symbol ? nlohmann::json(*symbol) : nullptr}});
      else
        fmt::print("    {:x}:\t{:08x}\t{}\n", pc, word, text);
    }
  }
  if (json) fmt::print("{}\n", out.dump(2));
}

int run(const Options& opts) {
  if (opts.raw) {
    uint64_t base = 0;
    // Hexadecimal with 0x, else decimal; no sign (stoull would wrap "-1").
    try {
      size_t used = 0;
      if (opts.base.empty() || !std::isdigit(static_cast<unsigned char>(opts.base.front())))
        throw std::invalid_argument(opts.base);
      base = std::stoull(opts.base, &used, 0);
      if (used != opts.base.size()) throw std::invalid_argument(opts.base);
    } catch (const std::exception&) {
      print_stderr("cadre disasm: --base {}: not an address from 0 to 0xffffffffffffffff (e.g. 0x80000000)\n",
                 opts.base);
      return kExitUsage;
    }
    std::vector<uint8_t> bytes;
    try {
      bytes = common::read_file(opts.file, elf::kMaxElfFileBytes);
    } catch (const common::FileReadError& e) {
      print_stderr("cadre disasm: {}\n", e.what());
      return e.kind == common::FileReadError::Kind::TooLarge ? kExitBadInput : kExitIo;
    }
    if (!bytes.empty() && bytes.size() - 1 > UINT64_MAX - base) {
      print_stderr("cadre disasm: --base {:#x}: the {} bytes of {} would run past the end of the address space\n",
                 base, bytes.size(), opts.file);
      return kExitUsage;
    }
    list({Block{opts.file, base, bytes}}, {}, opts.json);
    return kExitOk;
  }
  try {
    const elf::Program program = elf::load_elf_file(opts.file);
    std::vector<Block> blocks;
    for (const elf::CodeSection& s : program.code_sections) blocks.push_back({s.name, s.address, s.bytes});
    if (!opts.json) fmt::print("{}:     file format elf64-littleriscv\n", opts.file);
    list(blocks, labels_of(program.symbols), opts.json);
    return kExitOk;
  } catch (const elf::ElfReadError& e) {
    print_stderr("cadre disasm: {}\n", e.what());
    return kExitIo;
  } catch (const elf::ElfError& e) {
    print_stderr("cadre disasm: {}\n(use --raw to disassemble a raw little-endian binary)\n", e.what());
    return kExitBadInput;
  }
}

}  // namespace
}  // namespace disasm_command

void add_disasm_command(CLI::App& app, int& exit_code) {
  using namespace disasm_command;
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "disasm", "Disassemble an RV64 ELF or a raw little-endian binary (RV64IM, Zicsr and Xcadre)");
  cmd->add_option("FILE", opts->file, "ELF executable, or raw binary with --raw")->required();
  auto* raw = cmd->add_flag("--raw", opts->raw, "FILE is a raw little-endian binary of instruction words");
  cmd->add_option("--base", opts->base, "address of the first word of a raw binary")
      ->capture_default_str()
      ->needs(raw);
  cmd->add_flag("--json", opts->json, "a JSON array of {address, word, text, symbol}");
  cmd->callback([opts, &exit_code] { exit_code = run(*opts); });
}

}  // namespace cadre::cli
