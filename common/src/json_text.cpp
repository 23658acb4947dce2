#include "cadre/common/json_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

namespace cadre::common {
namespace {

using nlohmann::json;

// Where the parser is: one level per open object or array, with the key or
// index of the element being read in it.
class ParsePosition {
 public:
  void open(bool is_object) { levels_.push_back(Level{is_object, {}, {}, 0}); }
  void close() {
    levels_.pop_back();
    element_done();
  }
  void value() { element_done(); }
  // Returns false when the open object already has this key.
  bool key(const std::string& k) {
    Level& top = levels_.back();
    top.key = k;
    return top.keys.insert(k).second;
  }
  // JSON pointer of the element being read.
  std::string pointer() const {
    std::string out;
    for (const Level& l : levels_) {
      out += '/';
      out += l.is_object ? escape_pointer_token(l.key) : std::to_string(l.done);
    }
    return out;
  }

 private:
  struct Level {
    bool is_object;
    std::string key;             // of the member being read
    std::set<std::string> keys;  // seen so far
    size_t done;                 // array elements read, so the index of the next
  };
  void element_done() {
    if (!levels_.empty() && !levels_.back().is_object) ++levels_.back().done;
  }
  std::vector<Level> levels_;
};

// nlohmann reports the byte count read when it failed; people want line:column.
std::pair<size_t, size_t> line_column(std::string_view text, size_t byte) {
  const size_t at = std::min(byte == 0 ? 0 : byte - 1, text.size());
  const std::string_view before = text.substr(0, at);
  const size_t line = 1 + static_cast<size_t>(std::ranges::count(before, '\n'));
  const size_t newline = before.rfind('\n');
  const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  return {line, at - line_start + 1};
}

// nlohmann's what() starts with its own tag and position; keep the reason.
std::string parse_reason(const json::parse_error& e) {
  const std::string_view what = e.what();
  const size_t column = what.find(", column ");
  const size_t colon = column == std::string_view::npos ? what.find("] ") : what.find(": ", column);
  return std::string(colon == std::string_view::npos ? what : what.substr(colon + 2));
}

// Levenshtein distance between two names.
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

}  // namespace

JsonTextError::JsonTextError(size_t line, size_t column, std::string reason)
    : std::runtime_error(fmt::format("{}:{}: malformed JSON: {}", line, column, reason)),
      line_(line),
      column_(column),
      reason_(std::move(reason)) {}

JsonTextError::JsonTextError(std::string pointer, std::string reason)
    : std::runtime_error(fmt::format("{}: {}", pointer, reason)), pointer_(std::move(pointer)), reason_(std::move(reason)) {}

std::string JsonTextError::message_for(const JsonSource& source) const {
  if (!source.part.empty()) return fmt::format("{}: {} {}", source.file, source.part, what());
  return fmt::format("{}{}{}", source.file, line_ != 0 ? ":" : ": ", what());
}

json parse_json_strict(std::string_view text) {
  ParsePosition position;
  const json::parser_callback_t track = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: position.open(true); break;
      case json::parse_event_t::array_start: position.open(false); break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end: position.close(); break;
      case json::parse_event_t::value: position.value(); break;
      case json::parse_event_t::key:
        if (!position.key(parsed.get<std::string>())) throw JsonTextError(position.pointer(), "duplicate key");
        break;
    }
    return true;
  };
  try {
    return json::parse(text, track);
  } catch (const json::parse_error& e) {
    const auto [line, column] = line_column(text, e.byte);
    throw JsonTextError(line, column, parse_reason(e));
  } catch (const json::out_of_range&) {
    // The only one the parser throws: a number literal beyond a double's range.
    // Inside an object or array its pointer says where; a number that is the
    // whole text has the empty pointer, so its line and column say where.
    if (const std::string pointer = position.pointer(); !pointer.empty())
      throw JsonTextError(pointer, "number out of range");
    const auto [line, column] = line_column(text, text.find_first_not_of(" \t\n\r") + 1);
    throw JsonTextError(line, column, "number out of range");
  }
}

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;  // only names that are close
  for (std::string_view c : candidates)
    if (const size_t d = edit_distance(name, c); d < best_distance) best = c, best_distance = d;
  return best;
}

}  // namespace cadre::common
