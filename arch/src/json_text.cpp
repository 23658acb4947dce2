#include "json_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "field_table.h"

namespace cadre::arch::detail {
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
    for (const Level& l : levels_)
      out += "/" + (l.is_object ? escape_pointer_token(l.key) : std::to_string(l.done));
    return out;
  }

 private:
  struct Level {
    bool is_object;
    std::string key;              // of the member being read
    std::set<std::string> keys;   // seen so far
    size_t done;                  // array elements read, so the index of the next
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
  const size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return {line, at - line_start + 1};
}

// nlohmann's what() starts with its own tag and position; keep the reason.
std::string parse_reason(const json::parse_error& e) {
  const std::string_view what = e.what();
  const size_t column = what.find(", column ");
  const size_t colon = column == std::string_view::npos ? what.find("] ") : what.find(": ", column);
  return std::string(colon == std::string_view::npos ? what : what.substr(colon + 2));
}

}  // namespace

json parse_json_text(std::string_view text, std::string_view source) {
  ParsePosition position;
  const json::parser_callback_t track = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: position.open(true); break;
      case json::parse_event_t::array_start: position.open(false); break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end: position.close(); break;
      case json::parse_event_t::value: position.value(); break;
      case json::parse_event_t::key:
        if (!position.key(parsed.get<std::string>()))
          throw ConfigError(std::string(source), position.pointer(), "duplicate key");
        break;
    }
    return true;
  };
  try {
    return json::parse(text, track);
  } catch (const json::parse_error& e) {
    const auto [line, column] = line_column(text, e.byte);
    throw ConfigError(std::string(source), line, column, "malformed JSON: " + parse_reason(e));
  } catch (const json::out_of_range&) {
    // The only one the parser throws: a number literal beyond a double's range.
    throw ConfigError(std::string(source), position.pointer(), "number out of range");
  }
}

}  // namespace cadre::arch::detail
