#include "cadre/report/svg.h"

#include <fmt/format.h>

namespace cadre::report {
namespace {

std::string title_of(std::string_view title) {
  return title.empty() ? "" : fmt::format("<title>{}</title>", xml_escape(title));
}

// A shape with an optional tooltip: <tag .../> or <tag ...><title>..</title></tag>.
std::string shape(std::string_view tag, const std::string& attributes, std::string_view title) {
  if (title.empty()) return fmt::format("<{} {}/>\n", tag, attributes);
  return fmt::format("<{} {}>{}</{}>\n", tag, attributes, title_of(title), tag);
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

Svg::Svg(double width, double height) : width_(width), height_(height) {}

void Svg::rect(double x, double y, double w, double h, std::string_view fill, std::string_view title) {
  body_ += shape("rect", fmt::format(R"(x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}")", x, y,
                                     w < 0 ? 0 : w, h < 0 ? 0 : h, xml_escape(fill)),
                 title);
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
               std::string_view dash) {
  std::string a = fmt::format(R"(x1="{:.2f}" y1="{:.2f}" x2="{:.2f}" y2="{:.2f}" stroke="{}" stroke-width="{}")", x1,
                              y1, x2, y2, xml_escape(stroke), width);
  if (!dash.empty()) a += fmt::format(R"( stroke-dasharray="{}")", xml_escape(dash));
  body_ += shape("line", a, {});
}

void Svg::polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke, double width,
                   std::string_view dash) {
  std::string p;
  for (const auto& [x, y] : points) p += fmt::format("{}{:.2f},{:.2f}", p.empty() ? "" : " ", x, y);
  std::string a = fmt::format(R"(points="{}" fill="none" stroke="{}" stroke-width="{}")", p, xml_escape(stroke), width);
  if (!dash.empty()) a += fmt::format(R"( stroke-dasharray="{}")", xml_escape(dash));
  body_ += shape("polyline", a, {});
}

void Svg::circle(double cx, double cy, double r, std::string_view fill, std::string_view title) {
  body_ += shape("circle", fmt::format(R"(cx="{:.2f}" cy="{:.2f}" r="{:.2f}" fill="{}")", cx, cy, r, xml_escape(fill)),
                 title);
}

void Svg::text(double x, double y, std::string_view text, double size, Anchor anchor, std::string_view fill,
               double rotate) {
  const char* a = anchor == Anchor::Start ? "start" : anchor == Anchor::Middle ? "middle" : "end";
  std::string attributes = fmt::format(R"(x="{:.2f}" y="{:.2f}" font-size="{}" text-anchor="{}" fill="{}")", x, y,
                                       size, a, xml_escape(fill));
  if (rotate != 0) attributes += fmt::format(R"x( transform="rotate({} {:.2f} {:.2f})")x", rotate, x, y);
  body_ += fmt::format("<text {}>{}</text>\n", attributes, xml_escape(text));
}

std::string Svg::str() const {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\">\n<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n{2}</svg>\n",
      width_, height_, body_);
}

}  // namespace cadre::report
