#include "cadre/rtl/area.h"

#include <fmt/format.h>
#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cadre/rtl/parameters.h"
#include "rtl_sources.h"

namespace cadre::rtl {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw SynthesisError(fmt::format("cannot write {}", path.string()));
}

// A fresh directory under the system's temporary directory, removed on exit.
class TempDir {
 public:
  TempDir() {
    std::string name = (fs::temp_directory_path() / "cadre-area-XXXXXX").string();
    if (mkdtemp(name.data()) == nullptr) throw SynthesisError("cannot create a temporary directory for yosys");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Single-quoted for the shell.
std::string quoted(const fs::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// yosys 0.23's `stat -json` without a top module ends its object with a
// trailing comma, which JSON does not allow (with one it prints the design
// hierarchy as text inside the JSON instead).
nlohmann::json parse_stat(std::string text) {
  const size_t last = text.find_last_of('}');
  if (last != std::string::npos) {
    const size_t before = text.find_last_not_of(" \t\r\n", last - 1);
    if (before != std::string::npos && text[before] == ',') text.erase(before, 1);
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw SynthesisError(fmt::format("yosys's statistics are not JSON: {}", e.what()));
  }
}

// Gates of every module, submodules counted into their parents, from
// `stat -json`'s per-module cells (a cell whose type is a module is an
// instance). Names are as instances give them: yosys writes plain module
// names with a leading backslash in the module list and without it as cell types.
std::map<std::string, CellCounts> hierarchical_counts(const nlohmann::json& stat) {
  std::map<std::string, CellCounts> own;
  for (const auto& [key, module] : stat.at("modules").items()) {
    const std::string name = key.starts_with('\\') ? key.substr(1) : key;
    CellCounts& cells = own[name];  // a module without cells (a wire-through delay) is still a module
    if (module.contains("num_cells_by_type"))
      for (const auto& [type, count] : module.at("num_cells_by_type").items()) cells[type] = count.get<uint64_t>();
  }
  std::map<std::string, CellCounts> total;
  std::function<const CellCounts&(const std::string&)> resolve = [&](const std::string& name) -> const CellCounts& {
    if (auto it = total.find(name); it != total.end()) return it->second;
    CellCounts sum;
    for (const auto& [type, count] : own[name]) {
      if (own.contains(type)) {
        for (const auto& [gate, n] : resolve(type)) sum[gate] += n * count;
      } else {
        sum[type] += count;
      }
    }
    return total[name] = sum;
  };
  for (const auto& [name, unused] : own) resolve(name);
  return total;
}

// The source module of a yosys module: cadre_pe, $paramod$HASH\cadre_pe (several
// parameters) or $paramod\cadre_acc_stage\LANES=... (one).
std::string source_module(const std::string& name) {
  if (name.starts_with("$paramod$")) return name.substr(name.find('\\') + 1);
  if (name.starts_with("$paramod\\")) {
    const std::string rest = name.substr(std::string("$paramod\\").size());
    return rest.substr(0, rest.find('\\'));
  }
  return name;
}

// The module yosys made of `base`; the engine holds one specialisation of each.
const CellCounts& module_counts(const std::map<std::string, CellCounts>& counts, const std::string& base) {
  for (const auto& [name, cells] : counts)
    if (source_module(name) == base) return cells;
  throw SynthesisError(fmt::format("yosys's statistics have no module {}", base));
}

}  // namespace

const std::vector<CellArea>& cell_areas() {
  static const std::vector<CellArea> table = {
#define CADRE_CELL(type, cell, um2) {type, cell, um2},
#include "cadre/rtl/cell_areas.def"
  };
  return table;
}

double area_um2_at_45nm(const CellCounts& cells) {
  double um2 = 0;
  for (const auto& [type, count] : cells) {
    const auto& table = cell_areas();
    // A named copy: clang 14 (the fuzz preset's compiler) cannot capture a structured binding.
    const auto& cell_type = type;
    const auto it = std::find_if(table.begin(), table.end(), [&](const CellArea& c) { return cell_type == c.type; });
    if (it == table.end())
      throw std::invalid_argument(fmt::format("no area for the yosys cell {} (rtl/include/cadre/rtl/cell_areas.def)", type));
    um2 += static_cast<double>(count) * it->um2_at_45nm;
  }
  return um2;
}

uint64_t SynthesisedPart::gates() const {
  uint64_t n = 0;
  for (const auto& [type, count] : cells) n += count;
  return n;
}

std::vector<SynthesisedPart> synthesise_engine(const arch::ArchConfig& cfg) {
  if (std::system("command -v yosys >/dev/null 2>&1") != 0)
    throw SynthesisError("yosys is not installed (the Debian package yosys; scripts/setup.sh installs it)");
  const TempDir dir;
  std::string files;
  for (const detail::SourceText& s : detail::rtl_source_texts()) {
    const std::string file = fmt::format("{}.sv", s.name);
    write_text(dir.path() / file, s.text);
    files += fmt::format(" {}", file);
  }
  write_text(dir.path() / "cadre_matrix_params.svh", parameter_declarations(cfg));
  std::string chparam;
  for (const Parameter& p : matrix_parameters(cfg)) chparam += fmt::format(" -set {} {}", p.name, p.value);
  // Gates only: flip-flops without enables or resets (those become logic),
  // and the gate set of the cell table.
  write_text(dir.path() / "synth.ys",
             fmt::format("read_verilog -sv -I.{}\n"
                         "chparam{} cadre_matrix_engine\n"
                         "hierarchy -check -top cadre_matrix_engine\n"
                         "synth -top cadre_matrix_engine\n"
                         "dfflegalize -cell $_DFF_P_ 01\n"
                         "abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX\n"
                         "opt_clean\n"
                         "setattr -mod -unset top cadre_matrix_engine\n"
                         "tee -q -o stat.json stat -json\n",
                         files, chparam));
  const std::string command =
      fmt::format("cd {} && yosys -q -s synth.ys > yosys.log 2>&1", quoted(dir.path()));
  if (std::system(command.c_str()) != 0) {
    std::string log = read_text(dir.path() / "yosys.log");
    if (log.size() > 2000) log = "..." + log.substr(log.size() - 2000);
    throw SynthesisError(fmt::format("yosys failed on the {} matrix engine:\n{}", describe(shape_of(cfg)), log));
  }
  const auto counts = hierarchical_counts(parse_stat(read_text(dir.path() / "stat.json")));
  const uint64_t rows = cfg.matrix.rows, cols = cfg.matrix.cols;
  return {{"processing element", rows * cols, module_counts(counts, "cadre_pe")},
          {"accumulator stage", cols, module_counts(counts, "cadre_acc_stage")},
          {"matrix engine", 1, module_counts(counts, "cadre_matrix_engine")}};
}

energy::LogicArea logic_area_with_engine(const arch::ArchConfig& cfg, const energy::TechNode& node,
                                         const std::vector<SynthesisedPart>& engine) {
  energy::LogicArea area = energy::estimated_logic_area(cfg, node);
  const SynthesisedPart& whole = engine.back();
  area.mac_cell_um2 = whole.um2_at_45nm() * energy::area_scale(node) /
                      (static_cast<double>(cfg.matrix.rows) * static_cast<double>(cfg.matrix.cols));
  area.basis = "MAC cells: yosys synthesis of the matrix engine's RTL (cadre area); the rest: " + area.basis;
  return area;
}

}  // namespace cadre::rtl
