#include "cadre/report/report.h"

#include <fmt/format.h>

#include <fstream>

#include "cadre/report/charts.h"
#include "cadre/report/svg.h"
#include "cadre/report/tables.h"

namespace cadre::report {
namespace {

using runtime::Comparison;

std::string num(double v, int digits = 3) { return fmt::format("{:.{}g}", v, digits); }

std::string cell(const std::string& v) { return fmt::format("<td>{}</td>", xml_escape(v)); }

std::string layer_table(const Comparison& c) {
  const runtime::MachineSummary &g = c.gpu_layer, &k = c.cadre_layer;
  struct Line {
    const char* what;
    double gpu, cadre;
    bool higher_is_better;
  };
  const Line lines[] = {
      {"time (us)", g.time_us, k.time_us, false},
      {"tokens/s", g.tokens_per_s(), k.tokens_per_s(), true},
      {"energy (mJ)", g.energy_j * 1e3, k.energy_j * 1e3, false},
      {"tokens/J", g.tokens_per_j(), k.tokens_per_j(), true},
      {"area (mm2)", g.area_mm2, k.area_mm2, false},
      {"tokens/s/mm2", g.tokens_per_s_per_mm2(), k.tokens_per_s_per_mm2(), true},
      {"% of roofline", 100 * g.roofline_fraction, 100 * k.roofline_fraction, true},
  };
  std::string t = fmt::format("<table>\n<tr><th></th><th>{}</th><th>{}</th><th>Cadre / GPU</th></tr>\n",
                              xml_escape(g.name), xml_escape(k.name));
  for (const Line& l : lines)
    t += fmt::format("<tr><th>{}</th>{}{}{}</tr>\n", l.what, cell(num(l.gpu, 4)), cell(num(l.cadre, 4)),
                     cell(l.gpu > 0 ? num(l.cadre / l.gpu) + "x" : "-"));
  return t + "</table>\n";
}

std::string kernel_table(const Comparison& c) {
  std::string t = fmt::format(
      "<table>\n<tr><th rowspan=\"2\">kernel</th><th colspan=\"5\">{}</th><th colspan=\"5\">{}</th><th "
      "rowspan=\"2\">golden check</th></tr>\n<tr>",
      xml_escape(c.gpu_layer.name), xml_escape(c.cadre_layer.name));
  for (int i = 0; i < 2; ++i) t += "<th>time us</th><th>TFLOP/s</th><th>GB/s</th><th>% roofline</th><th>energy uJ</th>";
  t += "</tr>\n";
  const auto figures = [](const runtime::KernelFigures* f) {
    if (!f) return std::string("<td colspan=\"5\">did not run</td>");
    return cell(num(f->time_us, 4)) + cell(num(f->tflops())) + cell(num(f->gbs())) +
           cell(num(100 * f->roofline_fraction())) + cell(num(f->energy_j * 1e6, 4));
  };
  for (const runtime::KernelComparison& k : c.kernels)
    t += fmt::format("<tr><th>{}</th>{}{}{}</tr>\n", model::name(k.kernel), figures(k.gpu ? &*k.gpu : nullptr),
                     figures(k.cadre ? &*k.cadre : nullptr), cell(k.check));
  runtime::KernelFigures control;
  control.time_us = c.control_us;
  control.energy_j = c.control_energy_j;
  t += fmt::format("<tr><th>control</th><td colspan=\"5\">-</td>{}{}</tr>\n", figures(&control), cell(""));
  return t + "</table>\n";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw ReportError(fmt::format("cannot write {}", path.string()));
  out << text;
  out.close();
  if (!out) throw ReportError(fmt::format("cannot write {}", path.string()));
}

}  // namespace

std::string index_html(const Comparison& c) {
  const std::string title = fmt::format("{} {}, {} tokens, {}: {} against {}", c.model, c.phase, c.tokens, c.precision,
                                        c.cadre_layer.name, c.gpu_layer.name);
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{0}</title>\n<style>\n"
      "body {{ font-family: sans-serif; margin: 2em; max-width: 1000px; }}\n"
      "table {{ border-collapse: collapse; margin: 1em 0; }}\n"
      "td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}\n"
      "img {{ display: block; margin: 1em 0; max-width: 100%; }}\n"
      ".gpu {{ color: {1}; }} .cadre {{ color: {2}; }}\n</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
      xml_escape(title), kGpuColour, kCadreColour);
  h += fmt::format("<p>GPU: <span class=\"gpu\">{}</span>{}. Cadre: <span class=\"cadre\">{}</span>, {} tiles at {} "
                   "GHz, {} cycles simulated. Golden model: {}.</p>\n",
                   xml_escape(c.gpu_layer.name),
                   c.gpu_measured ? ", times measured on the GPU present" : ", times from the GPU performance model (no GPU was used)",
                   xml_escape(c.cadre_layer.name), c.tiles, c.clock_ghz, c.cycles,
                   !c.checked ? "not checked" : c.bit_exact ? "every output bit-identical" : "outputs differ");
  h += "<h2>The layer</h2>\n" + layer_table(c);
  h += "<h2>Kernel by kernel</h2>\n" + kernel_table(c);
  h += "<h2>Assumptions</h2>\n<ul>\n";
  for (const runtime::Assumption& a : c.assumptions)
    h += fmt::format("<li><b>{}</b>: {}</li>\n", xml_escape(a.topic), xml_escape(a.text));
  h += "</ul>\n<h2>Charts</h2>\n";
  for (const auto& [file, alt] : {std::pair{"roofline.svg", "roofline of every kernel on both machines"},
                                  std::pair{"time.svg", "time per kernel"},
                                  std::pair{"energy.svg", "energy per kernel"},
                                  std::pair{"utilisation.svg", "the chip's units over time"}})
    h += fmt::format("<img src=\"{}\" alt=\"{}\"/>\n", file, alt);
  h += "<h2>Data</h2>\n<ul>\n";
  for (const char* f : {"kernels.csv", "layer.csv", "utilisation.csv", "compare.json"})
    h += fmt::format("<li><a href=\"{0}\">{0}</a></li>\n", f);
  h += "</ul>\n<p>Columns and fields: docs/compare.md in the Cadre source.</p>\n</body>\n</html>\n";
  return h;
}

std::vector<std::string> write_report(const std::filesystem::path& dir, const Comparison& c) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw ReportError(fmt::format("cannot create the report directory {}: {}", dir.string(), ec.message()));
  const std::pair<std::string, std::string> files[] = {
      {"kernels.csv", kernels_csv(c)},
      {"layer.csv", layer_csv(c)},
      {"utilisation.csv", utilisation_csv(c)},
      {"compare.json", runtime::to_json(c).dump(2) + "\n"},
      {"roofline.svg", roofline_chart(c)},
      {"time.svg", time_chart(c)},
      {"energy.svg", energy_chart(c)},
      {"utilisation.svg", utilisation_chart(c)},
      {"index.html", index_html(c)},
  };
  std::vector<std::string> names;
  for (const auto& [name, text] : files) {
    write_file(dir / name, text);
    names.push_back(name);
  }
  return names;
}

}  // namespace cadre::report
