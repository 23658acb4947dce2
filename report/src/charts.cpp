#include "cadre/report/charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "cadre/report/svg.h"

namespace cadre::report {
namespace {

using runtime::Comparison;
using runtime::KernelComparison;
using runtime::KernelFigures;
using Anchor = Svg::Anchor;

constexpr double kWidth = 900;
constexpr double kLeft = 170, kRight = 40;  // margins of the plotting area

// A log10 axis from lo to hi onto pixels p0..p1.
struct LogAxis {
  double lo, hi, p0, p1;
  double operator()(double v) const {
    const double t = (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    return p0 + t * (p1 - p0);
  }
};

double decade_below(double v) { return std::pow(10.0, std::floor(std::log10(v))); }
double decade_above(double v) { return std::pow(10.0, std::ceil(std::log10(v))); }

std::string number(double v) {
  if (v == 0) return "0";
  if (std::abs(v) >= 100) return fmt::format("{:.0f}", v);
  if (std::abs(v) >= 1) return fmt::format("{:.2g}", v);
  return fmt::format("{:.2g}", v);
}

// Decade grid lines and labels of a log axis (x: vertical lines).
void log_grid(Svg& svg, const LogAxis& a, bool x, double other0, double other1) {
  for (double v = a.lo; v <= a.hi * 1.0001; v *= 10) {
    const double p = a(v);
    if (x) {
      svg.line(p, other0, p, other1, "#ddd");
      svg.text(p, other1 + 16, number(v), 11, Anchor::Middle);
    } else {
      svg.line(other0, p, other1, p, "#ddd");
      svg.text(other0 - 6, p + 4, number(v), 11, Anchor::End);
    }
  }
}

void legend(Svg& svg, double x, double y, const std::vector<std::pair<std::string, std::string>>& entries) {
  for (const auto& [label, colour] : entries) {
    svg.rect(x, y - 9, 12, 12, colour);
    svg.text(x + 17, y + 1, label, 12);
    x += 24 + 7.0 * static_cast<double>(label.size());
  }
}

std::string gpu_label(const Comparison& c) { return c.gpu_layer.name; }
std::string cadre_label(const Comparison& c) { return c.cadre_layer.name; }

// One machine's figures for a kernel (nullptr: it did not run there).
const KernelFigures* gpu_of(const KernelComparison& k) { return k.gpu ? &*k.gpu : nullptr; }
const KernelFigures* cadre_of(const KernelComparison& k) { return k.cadre ? &*k.cadre : nullptr; }

bool on_roofline(const KernelFigures* f) { return f && f->flops > 0 && f->hbm_bytes > 0 && f->time_us > 0; }

// A horizontal bar chart: one group of two bars (GPU, Cadre) per row.
struct BarRow {
  std::string label;
  std::optional<double> gpu, cadre;
};

std::string bar_chart(const Comparison& c, const std::string& title, const std::string& unit,
                      const std::vector<BarRow>& rows) {
  constexpr double kTop = 60, kGroup = 34, kBar = 13;
  const double height = kTop + kGroup * static_cast<double>(rows.size()) + 50;
  Svg svg(kWidth, height);
  svg.text(kWidth / 2, 22, title, 16, Anchor::Middle);
  legend(svg, kLeft, 44, {{gpu_label(c), kGpuColour}, {cadre_label(c), kCadreColour}});
  double most = 0;
  for (const BarRow& r : rows) most = std::max({most, r.gpu.value_or(0), r.cadre.value_or(0)});
  if (most <= 0) most = 1;
  const double x0 = kLeft, x1 = kWidth - kRight - 80;
  const auto x = [&](double v) { return x0 + v / most * (x1 - x0); };
  const double bottom = kTop + kGroup * static_cast<double>(rows.size());
  for (int i = 0; i <= 4; ++i) {
    const double v = most * i / 4, p = x(v);
    svg.line(p, kTop - 4, p, bottom, "#e4e4e4");
    svg.text(p, bottom + 16, number(v), 11, Anchor::Middle);
  }
  svg.text((x0 + x1) / 2, bottom + 36, unit, 12, Anchor::Middle);
  double y = kTop;
  for (const BarRow& r : rows) {
    svg.text(x0 - 8, y + kBar + 4, r.label, 12, Anchor::End);
    const auto bar = [&](std::optional<double> v, double at, const char* colour, const std::string& who) {
      if (!v) {
        svg.text(x0 + 4, at + kBar - 2, fmt::format("{}: did not run", who), 10, Anchor::Start, "#888");
        return;
      }
      const std::string tip = fmt::format("{} {}: {} {}", r.label, who, number(*v), unit);
      svg.rect(x0, at, x(*v) - x0, kBar, colour, tip);
      svg.text(x(*v) + 4, at + kBar - 2, number(*v), 10);
    };
    bar(r.gpu, y + 2, kGpuColour, gpu_label(c));
    bar(r.cadre, y + 2 + kBar + 1, kCadreColour, cadre_label(c));
    y += kGroup;
  }
  svg.line(x0, kTop - 4, x0, bottom, "#444");
  return svg.str();
}

}  // namespace

std::string roofline_chart(const Comparison& c) {
  struct Point {
    std::string kernel;
    double intensity, tflops;
    bool gpu;
  };
  std::vector<Point> points;
  std::vector<const KernelComparison*> memory_only;
  for (const KernelComparison& k : c.kernels) {
    const std::string name(model::name(k.kernel));
    bool plotted = false;
    for (const auto& [f, gpu] : {std::pair{gpu_of(k), true}, std::pair{cadre_of(k), false}})
      if (on_roofline(f)) {
        points.push_back({name, f->flops / f->hbm_bytes, f->tflops(), gpu});
        plotted = true;
      }
    const bool any_memory_only = (k.gpu && !on_roofline(gpu_of(k))) || (k.cadre && !on_roofline(cadre_of(k)));
    if (any_memory_only || !plotted) memory_only.push_back(&k);
  }
  // The roofs' ridge points: where each machine turns compute bound.
  const double gpu_ridge = c.gpu_peak_tflops * 1000 / c.gpu_bandwidth_gbs;
  const double cadre_ridge = c.cadre_peak_tflops * 1000 / c.cadre_bandwidth_gbs;
  double i_lo = std::min(gpu_ridge, cadre_ridge), i_hi = std::max(gpu_ridge, cadre_ridge);
  double t_lo = std::min(c.gpu_peak_tflops, c.cadre_peak_tflops), t_hi = std::max(c.gpu_peak_tflops, c.cadre_peak_tflops);
  for (const Point& p : points) {
    i_lo = std::min(i_lo, p.intensity), i_hi = std::max(i_hi, p.intensity);
    t_lo = std::min(t_lo, p.tflops);
  }
  const LogAxis xi{decade_below(i_lo / 2), decade_above(i_hi * 2), kLeft, kWidth - kRight};
  constexpr double kTop = 60, kPlot = 360;
  const LogAxis yt{decade_below(t_lo / 2), decade_above(t_hi * 2), kTop + kPlot, kTop};

  constexpr double kRowHeight = 30;
  const double bars_top = kTop + kPlot + 90;
  const double height = bars_top + 40 + kRowHeight * static_cast<double>(memory_only.size()) + 50;
  Svg svg(kWidth, height);
  svg.text(kWidth / 2, 22,
           fmt::format("Roofline: {} {}, {} tokens, {} ({})", c.model, c.phase, c.tokens, c.precision,
                       "kernels with FLOPs"),
           16, Anchor::Middle);
  legend(svg, kLeft, 44, {{gpu_label(c), kGpuColour}, {cadre_label(c), kCadreColour}});
  log_grid(svg, xi, true, kTop, kTop + kPlot);
  log_grid(svg, yt, false, kLeft, kWidth - kRight);
  svg.text((kLeft + kWidth - kRight) / 2, kTop + kPlot + 38, "arithmetic intensity (FLOP per HBM byte)", 12,
           Anchor::Middle);
  svg.text(kLeft - 52, kTop + kPlot / 2, "TFLOP/s", 12, Anchor::Middle, "#222", -90);
  // Each roof: bandwidth x intensity up to the peak.
  const auto roof = [&](double peak, double gbs, const char* colour, const std::string& label) {
    std::vector<std::pair<double, double>> line;
    const double ridge = peak * 1000 / gbs;
    const double start = xi.lo;
    line.push_back({xi(start), yt(std::max(yt.lo, gbs * start / 1000))});
    line.push_back({xi(ridge), yt(peak)});
    line.push_back({xi(xi.hi), yt(peak)});
    svg.polyline(line, colour, 2);
    svg.text(xi(xi.hi) - 4, yt(peak) - 6, fmt::format("{}: {} TFLOP/s, {} GB/s", label, number(peak), number(gbs)), 11,
             Anchor::End, colour);
  };
  roof(c.gpu_peak_tflops, c.gpu_bandwidth_gbs, kGpuColour, c.gpu);
  roof(c.cadre_peak_tflops, c.cadre_bandwidth_gbs, kCadreColour, c.arch);
  // Labels beside their points, moved down past labels already placed.
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> placed;
  for (const Point& p : points) {
    const double x = xi(p.intensity), y = yt(std::max(p.tflops, yt.lo));
    const char* colour = p.gpu ? kGpuColour : kCadreColour;
    const std::string tip = fmt::format("{} on {}: {} FLOP/byte, {} TFLOP/s", p.kernel, p.gpu ? c.gpu : c.arch,
                                        number(p.intensity), number(p.tflops));
    if (p.gpu) svg.circle(x, y, 5, colour, tip);
    else svg.rect(x - 4.5, y - 4.5, 9, 9, colour, tip);
    Box b{x + 7, y - 14, x + 7 + 6.0 * static_cast<double>(p.kernel.size()), y - 2};
    const auto overlaps = [&](const Box& o) { return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1; };
    while (std::any_of(placed.begin(), placed.end(), overlaps)) b.y0 += 12, b.y1 += 12;
    placed.push_back(b);
    svg.text(b.x0, b.y1 - 2, p.kernel, 10, Anchor::Start, colour);
  }

  // Kernels without FLOPs: achieved bandwidth as a share of each machine's peak.
  svg.text(kWidth / 2, bars_top - 14, "Kernels without FLOPs: achieved HBM bandwidth, % of each machine's peak (GB/s)",
           14, Anchor::Middle);
  const double x0 = kLeft, x1 = kWidth - kRight - 60;
  const auto bx = [&](double fraction) { return x0 + std::min(fraction, 1.0) * (x1 - x0); };
  double y = bars_top + 10;
  for (const KernelComparison* k : memory_only) {
    svg.text(x0 - 8, y + 14, std::string(model::name(k->kernel)), 12, Anchor::End);
    const auto bar = [&](const KernelFigures* f, double peak, double at, const char* colour, const std::string& who) {
      if (!f) return;
      const double share = f->gbs() / peak;
      const std::string tip = fmt::format("{} on {}: {} GB/s, {}% of {} GB/s", model::name(k->kernel), who,
                                          number(f->gbs()), number(100 * share), number(peak));
      svg.rect(x0, at, bx(share) - x0, 11, colour, tip);
      svg.text(bx(share) + 4, at + 10, fmt::format("{} GB/s", number(f->gbs())), 10);
    };
    bar(gpu_of(*k), c.gpu_bandwidth_gbs, y + 2, kGpuColour, c.gpu);
    bar(cadre_of(*k), c.cadre_bandwidth_gbs, y + 14, kCadreColour, c.arch);
    y += kRowHeight;
  }
  for (int i = 0; i <= 4; ++i) {
    svg.line(bx(i / 4.0), bars_top, bx(i / 4.0), y + 4, "#e4e4e4");
    svg.text(bx(i / 4.0), y + 18, fmt::format("{}%", 25 * i), 11, Anchor::Middle);
  }
  svg.line(x0, bars_top, x0, y + 4, "#444");
  return svg.str();
}

std::string time_chart(const Comparison& c) {
  std::vector<BarRow> rows;
  for (const KernelComparison& k : c.kernels) {
    BarRow r{std::string(model::name(k.kernel)), {}, {}};
    if (k.gpu) r.gpu = k.gpu->time_us;
    if (k.cadre) r.cadre = k.cadre->time_us;
    rows.push_back(r);
  }
  rows.push_back({"control (Cadre)", std::nullopt, c.control_us});
  return bar_chart(c, fmt::format("Time per kernel: {} {}, {} tokens", c.model, c.phase, c.tokens), "microseconds",
                   rows);
}

std::string energy_chart(const Comparison& c) {
  std::vector<BarRow> rows;
  for (const KernelComparison& k : c.kernels) {
    BarRow r{std::string(model::name(k.kernel)), {}, {}};
    if (k.gpu) r.gpu = k.gpu->energy_j * 1e6;
    if (k.cadre) r.cadre = k.cadre->energy_j * 1e6;
    rows.push_back(r);
  }
  rows.push_back({"control (Cadre)", std::nullopt, c.control_energy_j * 1e6});
  return bar_chart(c, "Energy per kernel (GPU: board power at TDP x time, an upper bound)", "microjoules", rows);
}

std::string utilisation_chart(const Comparison& c) {
  constexpr double kTop = 60, kPlot = 300;
  Svg svg(kWidth, kTop + kPlot + 60);
  svg.text(kWidth / 2, 22, fmt::format("Cadre {}: units busy over the layer (share of {} tiles)", c.arch, c.tiles), 16,
           Anchor::Middle);
  const char* colours[] = {"#1f6fb4", "#d9822b", "#2ca02c", "#9467bd"};
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t u = 0; u < sim::kActivityUnitCount; ++u)
    entries.push_back({sim::name(static_cast<sim::ActivityUnit>(u)), colours[u]});
  legend(svg, kLeft, 44, entries);
  // At most kPlotBins steps: neighbouring bins averaged.
  constexpr size_t kPlotBins = 160;
  const size_t group = (c.utilisation.size() + kPlotBins - 1) / std::max<size_t>(kPlotBins, 1);
  std::vector<std::array<double, sim::kActivityUnitCount>> bins;
  for (size_t b = 0; b < c.utilisation.size(); b += std::max<size_t>(group, 1)) {
    std::array<double, sim::kActivityUnitCount> mean{};
    const size_t n = std::min(c.utilisation.size() - b, std::max<size_t>(group, 1));
    for (size_t i = 0; i < n; ++i)
      for (size_t u = 0; u < mean.size(); ++u) mean[u] += c.utilisation[b + i][u] / static_cast<double>(n);
    bins.push_back(mean);
  }
  const double bin_us = c.bin_us * static_cast<double>(std::max<size_t>(group, 1));
  const double x0 = kLeft, x1 = kWidth - kRight;
  const double end_us = std::max(c.bin_us * static_cast<double>(c.utilisation.size()), 1e-9);
  const auto x = [&](double us) { return x0 + us / end_us * (x1 - x0); };
  const auto y = [&](double f) { return kTop + kPlot - std::min(f, 1.0) * kPlot; };
  for (int i = 0; i <= 4; ++i) {
    svg.line(x0, y(i / 4.0), x1, y(i / 4.0), "#e4e4e4");
    svg.text(x0 - 6, y(i / 4.0) + 4, fmt::format("{}%", 25 * i), 11, Anchor::End);
    svg.text(x(end_us * i / 4), kTop + kPlot + 16, number(end_us * i / 4), 11, Anchor::Middle);
  }
  svg.text((x0 + x1) / 2, kTop + kPlot + 38, "simulated time (microseconds)", 12, Anchor::Middle);
  for (size_t u = 0; u < sim::kActivityUnitCount; ++u) {
    std::vector<std::pair<double, double>> line;
    for (size_t b = 0; b < bins.size(); ++b) {
      const double f = bins[b][u];
      line.push_back({x(bin_us * static_cast<double>(b)), y(f)});
      line.push_back({x(std::min(end_us, bin_us * static_cast<double>(b + 1))), y(f)});
    }
    if (!line.empty()) svg.polyline(line, colours[u], 1.5);
  }
  svg.line(x0, kTop, x0, kTop + kPlot, "#444");
  svg.line(x0, kTop + kPlot, x1, kTop + kPlot, "#444");
  return svg.str();
}

}  // namespace cadre::report
