#include "cadre/common/json_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace cadre::common {

std::string describe_parse_error(std::string_view text, const nlohmann::json::parse_error& error) {
  // nlohmann counts bytes from 1 and points just past the offending character.
  const size_t offset = std::min<size_t>(error.byte == 0 ? 0 : error.byte - 1, text.size());
  const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  const size_t line_start = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  const size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  std::string reason = error.what();
  // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
  if (const size_t colon = reason.find(": ", reason.find("parse error")); colon != std::string::npos)
    reason = reason.substr(colon + 2);
  return fmt::format("{}:{}: {}", line, column, reason);
}

std::string describe_json_error(const nlohmann::json::exception& error) {
  const std::string what = error.what();
  const size_t tag_end = what.find("] ");
  return tag_end == std::string::npos ? what : what.substr(tag_end + 2);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(3, name.size() / 3);  // only names that are close
  for (std::string_view c : candidates)
    if (const size_t d = edit_distance(name, c); d < best_distance) best = c, best_distance = d;
  return best;
}

}  // namespace cadre::common
