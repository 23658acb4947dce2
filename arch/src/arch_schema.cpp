// configs/arch/schema.json, made from the field table so the documented schema
// and the parser cannot disagree (arch_schema_current checks the file).
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "cadre/arch/arch_json.h"

namespace cadre::arch {
namespace {

using ojson = nlohmann::ordered_json;

// "/matrix/rows" lives at "/properties/matrix/properties/rows" in the schema.
ojson::json_pointer schema_pointer(std::string_view path) {
  std::string out;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    out += "/properties/" + std::string(path.substr(start, end - start));
    start = end + 1;
  }
  return ojson::json_pointer(out);
}

ojson object_schema(std::string_view description) {
  return ojson{{"description", description},
               {"type", "object"},
               {"additionalProperties", false},
               {"required", ojson::array()},
               {"properties", ojson::object()}};
}

ojson field_schema(const FieldInfo& f) {
  std::string description(f.description);
  if (!f.unit.empty()) description += fmt::format(" Unit: {}.", f.unit);
  if (f.rule == FieldRule::PowerOfTwo) description += " Must be a power of two.";
  ojson s{{"description", description}};
  switch (f.kind) {
    case FieldKind::Unsigned:
      s["type"] = "integer";
      s["minimum"] = static_cast<uint64_t>(f.min);
      s["maximum"] = static_cast<uint64_t>(f.max);
      break;
    case FieldKind::Real:
      s["type"] = "number";
      s["minimum"] = f.min;
      s["maximum"] = f.max;
      break;
    case FieldKind::String:
      s["type"] = "string";
      s["minLength"] = static_cast<uint64_t>(f.min);
      s["maxLength"] = static_cast<uint64_t>(f.max);
      if (f.rule == FieldRule::Identifier) s["pattern"] = "^[A-Za-z0-9._-]*$";
      break;
    case FieldKind::FormatList: {
      ojson names = ojson::array();
      for (num::Format format : kMatrixInputFormats) names.push_back(num::info(format).name);
      s["type"] = "array";
      s["items"] = ojson{{"enum", names}};
      s["minItems"] = static_cast<uint64_t>(f.min);
      s["maxItems"] = static_cast<uint64_t>(f.max);
      s["uniqueItems"] = true;
      break;
    }
    case FieldKind::Choice: {
      ojson names = ojson::array();
      for (std::string_view name : f.choices) names.push_back(name);
      s["type"] = "string";
      s["enum"] = names;
      break;
    }
    case FieldKind::Object: break;
  }
  return s;
}

}  // namespace

ojson arch_schema() {
  ojson schema{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
               {"$comment",
                "Generated from arch/include/cadre/arch/arch_fields.def by the arch-schema build target; edit the "
                "table, not this file."},
               {"title", "Cadre architecture configuration"}};
  schema.update(object_schema(
      "A Cadre accelerator. Every field is required. Rules between fields (SRAM sizes against the array, banks "
      "dividing sizes, stacks against RAM) are in docs/architecture-config.md."));
  for (const FieldInfo& f : arch_fields()) {
    const std::string_view parent = f.path.substr(0, f.path.rfind('/'));
    const std::string_view key = f.path.substr(f.path.rfind('/') + 1);
    schema[schema_pointer(parent)]["required"].push_back(key);
    schema[schema_pointer(f.path)] = f.kind == FieldKind::Object ? object_schema(f.description) : field_schema(f);
  }
  return schema;
}

}  // namespace cadre::arch
