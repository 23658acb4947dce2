// A small SVG writer: shapes and text in user units, escaped, as one
// standalone document (the charts of the report are drawn with it).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cadre::report {

// Text for XML content and attribute values: & < > " ' escaped.
std::string xml_escape(std::string_view text);

class Svg {
 public:
  Svg(double width, double height);

  // `title` (when given) is the shape's tooltip.
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view title = {});
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            std::string_view dash = {});
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke, double width = 1.5,
                std::string_view dash = {});
  void circle(double cx, double cy, double r, std::string_view fill, std::string_view title = {});
  enum class Anchor { Start, Middle, End };
  void text(double x, double y, std::string_view text, double size = 12, Anchor anchor = Anchor::Start,
            std::string_view fill = "#222", double rotate = 0);

  // The document: an <svg> element with the xmlns, width, height and viewBox.
  std::string str() const;

 private:
  double width_, height_;
  std::string body_;
};

}  // namespace cadre::report
