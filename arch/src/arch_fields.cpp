#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cadre/arch/memory_map.h"
#include "field_table.h"

namespace cadre::arch {
namespace {

template <class T>
constexpr FieldKind kind_of() {
  if constexpr (std::is_same_v<T, double>) return FieldKind::Real;
  else if constexpr (std::is_same_v<T, std::string>) return FieldKind::String;
  else if constexpr (std::is_same_v<T, std::vector<num::Format>>) return FieldKind::FormatList;
  else if constexpr (std::is_enum_v<T>) return FieldKind::Choice;
  else {
    static_assert(std::is_unsigned_v<T>, "arch_fields.def: unsupported member type");
    return FieldKind::Unsigned;
  }
}

template <class T>
constexpr std::span<const std::string_view> choices_of() {
  if constexpr (std::is_enum_v<T>) return ChoiceNames<T>::names;
  else return {};
}

#define CADRE_MEMBER_TYPE(member) std::remove_cvref_t<decltype(std::declval<ArchConfig&>().member)>

constexpr FieldInfo kFields[] = {
#define CADRE_ARCH_OBJECT(path, description) \
  FieldInfo{path, FieldKind::Object, 0, 0, FieldRule::None, "", description, {}},
#define CADRE_ARCH_FIELD(member, path, min, max, rule, unit, description)                            \
  FieldInfo{path, kind_of<CADRE_MEMBER_TYPE(member)>(), min, max, FieldRule::rule, unit, description, \
            choices_of<CADRE_MEMBER_TYPE(member)>()},
#include "cadre/arch/arch_fields.def"
};

// An unsigned member must hold every value its bounds allow, so reading can
// range-check before narrowing.
template <class T>
constexpr bool bounds_fit(double min, double max) {
  if constexpr (std::is_unsigned_v<T>)
    return 0 <= min && min <= max && max <= static_cast<double>(std::numeric_limits<T>::max());
  else
    return min <= max;
}
#define CADRE_ARCH_OBJECT(path, description)
#define CADRE_ARCH_FIELD(member, path, min, max, ...) \
  static_assert(bounds_fit<CADRE_MEMBER_TYPE(member)>(min, max), path ": bounds do not fit the member");
#include "cadre/arch/arch_fields.def"

// Every entry's parent object is listed before it, and no path is listed twice.
constexpr bool parents_come_first() {
  for (size_t i = 0; i < std::size(kFields); ++i) {
    const std::string_view path = kFields[i].path;
    const std::string_view parent = path.substr(0, path.rfind('/'));
    bool found = parent.empty();
    for (size_t j = 0; j < i; ++j) {
      if (kFields[j].path == path) return false;
      if (kFields[j].path == parent && kFields[j].kind == FieldKind::Object) found = true;
    }
    if (!found) return false;
  }
  return true;
}
static_assert(parents_come_first(), "arch_fields.def: an entry before its object, or listed twice");

constexpr double max_of(std::string_view path) {
  for (const FieldInfo& f : kFields)
    if (f.path == path) return f.max;
  return 0;
}
static_assert(max_of("/scratchpad/bytes") == static_cast<double>(kLocalWindowBytes));
static_assert(max_of("/accumulator/bytes") == static_cast<double>(kLocalWindowBytes));
static_assert(max_of("/ram/bytes") == static_cast<double>(kRamWindowBytes));

}  // namespace

std::span<const FieldInfo> arch_fields() { return kFields; }

namespace detail {

const FieldInfo& field_info(std::string_view path) {
  for (const FieldInfo& f : kFields)
    if (f.path == path) return f;
  throw std::logic_error("arch_fields.def has no field " + std::string(path));
}

std::string quoted_choices(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += '"';
    out += n;
    out += '"';
  }
  return out;
}

}  // namespace detail
}  // namespace cadre::arch
