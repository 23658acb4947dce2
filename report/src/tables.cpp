#include "cadre/report/tables.h"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

namespace cadre::report {
namespace {

using runtime::Comparison;
using Row = std::map<std::string_view, std::string>;

constexpr CsvColumn kColumns[] = {
#define CADRE_CSV_COLUMN(file, name, meaning) {#file, #name, meaning},
#include "cadre/report/columns.def"
};

std::string quoted(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string out = "\"";
  for (const char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string six_significant(double v) { return fmt::format("{:.6g}", v); }

// The file's header, then each row's values in the columns' order.
std::string csv(std::string_view file, const std::vector<Row>& rows) {
  std::string out, line;
  for (const CsvColumn& c : kColumns)
    if (c.file == file) line += fmt::format("{}{}", line.empty() ? "" : ",", c.name);
  out += line + "\n";
  for (const Row& r : rows) {
    line.clear();
    bool first = true;
    for (const CsvColumn& c : kColumns) {
      if (c.file != file) continue;
      const auto it = r.find(c.name);
      if (it == r.end()) throw std::logic_error(fmt::format("{}.csv: no value for column {}", file, c.name));
      line += fmt::format("{}{}", first ? "" : ",", quoted(it->second));
      first = false;
    }
    out += line + "\n";
  }
  return out;
}

Row kernel_row(std::string_view machine, std::string_view kernel, const runtime::KernelFigures& f,
               const std::string& check) {
  return {{"machine", std::string(machine)},         {"kernel", std::string(kernel)},
          {"time_us", six_significant(f.time_us)},               {"tflops", six_significant(f.tflops())},
          {"gbs", six_significant(f.gbs())},                     {"roofline_fraction", six_significant(f.roofline_fraction())},
          {"bound", f.bound},                        {"energy_j", six_significant(f.energy_j)},
          {"flops", six_significant(f.flops)},                   {"hbm_bytes", six_significant(f.hbm_bytes)},
          {"model_low_us", ""},                      {"model_high_us", ""},
          {"span_us", ""},                           {"check", check}};
}

}  // namespace

std::span<const CsvColumn> csv_columns() { return kColumns; }

std::string kernels_csv(const Comparison& c) {
  std::vector<Row> rows;
  for (const runtime::KernelComparison& k : c.kernels) {
    if (!k.gpu) continue;
    Row r = kernel_row("gpu", model::name(k.kernel), *k.gpu, "");
    r["model_low_us"] = six_significant(k.gpu->model_low_us);
    r["model_high_us"] = six_significant(k.gpu->model_high_us);
    rows.push_back(r);
  }
  for (const runtime::KernelComparison& k : c.kernels) {
    if (!k.cadre) continue;
    Row r = kernel_row("cadre", model::name(k.kernel), *k.cadre, k.check);
    r["span_us"] = six_significant(k.cadre->span_us);
    rows.push_back(r);
  }
  runtime::KernelFigures control;
  control.time_us = c.control_us;
  control.energy_j = c.control_energy_j;
  rows.push_back(kernel_row("cadre", "control", control, ""));
  return csv("kernels", rows);
}

std::string layer_csv(const Comparison& c) {
  std::vector<Row> rows;
  for (const auto& [machine, m] : {std::pair{"gpu", &c.gpu_layer}, std::pair{"cadre", &c.cadre_layer}})
    rows.push_back({{"machine", machine},
                    {"name", m->name},
                    {"time_us", six_significant(m->time_us)},
                    {"tokens_per_s", six_significant(m->tokens_per_s())},
                    {"energy_j", six_significant(m->energy_j)},
                    {"tokens_per_j", six_significant(m->tokens_per_j())},
                    {"area_mm2", six_significant(m->area_mm2)},
                    {"tokens_per_s_per_mm2", six_significant(m->tokens_per_s_per_mm2())},
                    {"roofline_fraction", six_significant(m->roofline_fraction)}});
  return csv("layer", rows);
}

std::string utilisation_csv(const Comparison& c) {
  std::vector<Row> rows;
  for (size_t b = 0; b < c.utilisation.size(); ++b) {
    const auto& u = c.utilisation[b];
    rows.push_back({{"start_us", six_significant(c.bin_us * static_cast<double>(b))},
                    {"matrix", six_significant(u[0])},
                    {"vector", six_significant(u[1])},
                    {"dma_load", six_significant(u[2])},
                    {"dma_store", six_significant(u[3])}});
  }
  return csv("utilisation", rows);
}

}  // namespace cadre::report
