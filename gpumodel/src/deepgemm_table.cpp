#include "cadre/gpumodel/deepgemm_table.h"

#include <fmt/format.h>

#include <charconv>
#include <string>
#include <vector>

#include "cadre/gpumodel/gpu.h"
#include "embedded_text.h"

namespace cadre::gpumodel {
namespace {

constexpr std::string_view kSource = "configs/gpu/deepgemm_h800.csv";
constexpr std::string_view kHeader = "layout,groups,m,n,k,tflops,gbs";

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t end = line.find(sep, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

template <typename T>
T number(std::string_view cell, size_t line, std::string_view column) {
  T value{};
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size() || !(value > T{}))
    throw GpuConfigError(fmt::format("{}:{}: {}: expected a positive number, got \"{}\"", kSource, line, column, cell));
  return value;
}

model::GemmLayout layout_of(std::string_view cell, size_t line) {
  if (const auto layout = model::parse_gemm_layout(cell)) return *layout;
  throw GpuConfigError(
      fmt::format("{}:{}: layout: expected dense, contiguous or masked, got \"{}\"", kSource, line, cell));
}

std::vector<DeepGemmRow> parse(std::string_view text) {
  std::vector<DeepGemmRow> rows;
  const std::vector<std::string_view> lines = split(text, '\n');
  if (lines.empty() || lines[0] != kHeader)
    throw GpuConfigError(fmt::format("{}:1: expected the header \"{}\"", kSource, kHeader));
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const size_t line = i + 1;
    const std::vector<std::string_view> cells = split(lines[i], ',');
    if (cells.size() != 7)
      throw GpuConfigError(fmt::format("{}:{}: expected 7 cells, got {}", kSource, line, cells.size()));
    DeepGemmRow row;
    row.layout = layout_of(cells[0], line);
    row.groups = number<uint32_t>(cells[1], line, "groups");
    row.m = number<uint64_t>(cells[2], line, "m");
    row.n = number<uint64_t>(cells[3], line, "n");
    row.k = number<uint64_t>(cells[4], line, "k");
    row.tflops = number<double>(cells[5], line, "tflops");
    row.gbs = number<double>(cells[6], line, "gbs");
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

std::span<const DeepGemmRow> deepgemm_h800_rows() {
  static const std::vector<DeepGemmRow> rows = parse(detail::deepgemm_texts().front().text);
  return rows;
}

}  // namespace cadre::gpumodel
