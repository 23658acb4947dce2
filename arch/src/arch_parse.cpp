// JSON to ArchConfig: structure and types here; ranges and cross-field rules
// in validate_arch, so configs built in code get the same checks.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/common/json_text.h"
#include "field_table.h"

namespace cadre::arch {
namespace {

using nlohmann::json;

std::string_view last_token(std::string_view path) { return path.substr(path.rfind('/') + 1); }
std::string_view parent_of(std::string_view path) { return path.substr(0, path.rfind('/')); }

// The reason an unknown key is rejected, with the nearest sibling when it is
// close (a typo) or the place the key belongs when it is known elsewhere.
std::string unknown_key_reason(std::string_view object_path, const std::string& key) {
  std::vector<std::string_view> siblings;
  std::string_view elsewhere;
  for (const FieldInfo& f : arch_fields()) {
    if (parent_of(f.path) == object_path) siblings.push_back(last_token(f.path));
    else if (last_token(f.path) == key && elsewhere.empty()) elsewhere = f.path;
  }
  const std::string_view best = common::closest_name(key, siblings);
  const std::string quoted = json(key).dump();
  if (!best.empty()) return fmt::format("unknown key {} (did you mean \"{}\"?)", quoted, best);
  if (!elsewhere.empty()) return fmt::format("unknown key {} (it belongs at {})", quoted, elsewhere);
  return fmt::format("unknown key {}", quoted);
}

// What a wrong-typed value is, for messages: the type, and the value when short.
std::string describe(const json& v) {
  if (v.is_object() || v.is_array() || v.is_null()) return v.type_name();
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return fmt::format("{} {}", v.type_name(), text);
}

class Reader {
 public:
  Reader(const json& doc, std::string_view source) : doc_(doc), source_(source) {}

  [[noreturn]] void fail(std::string_view path, std::string reason) const {
    throw ConfigError(std::string(source_), std::string(path), std::move(reason));
  }

  // An object: present, an object, and holding only keys the table lists.
  void check_object(std::string_view path) const {
    const json& v = at(path);
    if (!v.is_object()) fail(path, "expected an object, got " + describe(v));
    for (const auto& [key, member] : v.items()) {
      const std::string child = std::string(path) + "/" + common::escape_pointer_token(key);
      const bool known = std::ranges::any_of(arch_fields(), [&](const FieldInfo& f) { return f.path == child; });
      if (!known) fail(child, unknown_key_reason(path, key));
    }
  }

  template <class T>
    requires std::is_unsigned_v<T>
  void read(std::string_view path, T& out) const {
    const json& v = at(path);
    if (!v.is_number_integer()) fail(path, "expected an integer, got " + describe(v));
    const FieldInfo& f = detail::field_info(path);
    // Out-of-range values are refused here, before they are narrowed to T;
    // validate_arch words the same refusals for configs built in code.
    if (!v.is_number_unsigned()) fail(path, below_reason(f, v.dump()));
    const uint64_t value = v.get<uint64_t>();
    if (static_cast<double>(value) > f.max) fail(path, fmt::format("must be at most {}, got {}", f.max, value));
    out = static_cast<T>(value);
  }

  void read(std::string_view path, double& out) const {
    const json& v = at(path);
    if (!v.is_number()) fail(path, "expected a number, got " + describe(v));
    out = v.get<double>();
  }

  void read(std::string_view path, std::string& out) const {
    const json& v = at(path);
    if (!v.is_string()) fail(path, "expected a string, got " + describe(v));
    out = v.get<std::string>();
  }

  template <class T>
    requires std::is_enum_v<T>
  void read(std::string_view path, T& out) const {
    const json& v = at(path);
    if (!v.is_string()) fail(path, "expected a string, got " + describe(v));
    const auto names = ChoiceNames<T>::names;
    const auto found = std::ranges::find(names, v.get<std::string>());
    if (found == names.end())
      fail(path, fmt::format("unknown value {} (allowed: {})", v.dump(), detail::quoted_choices(names)));
    out = static_cast<T>(found - names.begin());
  }

  void read(std::string_view path, std::vector<num::Format>& out) const {
    const json& v = at(path);
    if (!v.is_array()) fail(path, "expected an array of format names, got " + describe(v));
    out.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string element = fmt::format("{}/{}", path, i);
      if (!v[i].is_string()) fail(element, "expected a format name, got " + describe(v[i]));
      const auto format = num::format_from_name(v[i].get<std::string>());
      if (!format) fail(element, fmt::format("unknown format {}", v[i].dump()));
      out.push_back(format->format);
    }
  }

 private:
  static std::string below_reason(const FieldInfo& f, const std::string& got) {
    return f.min >= 1 ? fmt::format("must be positive, got {}", got)
                      : fmt::format("must be at least {}, got {}", f.min, got);
  }

  // The value at `path`, whose parent object has been checked.
  const json& at(std::string_view path) const {
    if (path.empty()) return doc_;
    const json& parent = doc_[json::json_pointer(std::string(parent_of(path)))];
    const std::string key = json::json_pointer(std::string(path)).back();
    const auto it = parent.find(key);
    if (it == parent.end()) fail(path, "missing field");
    return *it;
  }

  const json& doc_;
  std::string_view source_;
};

}  // namespace

ArchConfig parse_arch_json(std::string_view text, std::string_view source_name) {
  const json doc = common::parse_json<ConfigError>(text, source_name);
  const Reader reader(doc, source_name);
  if (!doc.is_object()) reader.fail("", "expected an object, got " + describe(doc));
  reader.check_object("");

  ArchConfig cfg;
#define CADRE_ARCH_OBJECT(path, description) reader.check_object(path);
#define CADRE_ARCH_FIELD(member, path, ...) reader.read(path, cfg.member);
#include "cadre/arch/arch_fields.def"
  validate_arch(cfg, source_name);
  return cfg;
}

nlohmann::ordered_json to_json(const ArchConfig& cfg) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const auto value = [](const auto& member) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(member)>, std::vector<num::Format>>) {
      nlohmann::ordered_json names = nlohmann::ordered_json::array();
      for (num::Format f : member) names.push_back(num::info(f).name);
      return names;
    } else if constexpr (std::is_enum_v<std::remove_cvref_t<decltype(member)>>) {
      return nlohmann::ordered_json(
          ChoiceNames<std::remove_cvref_t<decltype(member)>>::names[static_cast<size_t>(member)]);
    } else {
      return nlohmann::ordered_json(member);
    }
  };
#define CADRE_ARCH_OBJECT(path, description) \
  out[nlohmann::ordered_json::json_pointer(path)] = nlohmann::ordered_json::object();
#define CADRE_ARCH_FIELD(member, path, ...) out[nlohmann::ordered_json::json_pointer(path)] = value(cfg.member);
#include "cadre/arch/arch_fields.def"
  return out;
}

}  // namespace cadre::arch
