// configs/arch/schema.json and the docs list exactly the fields the parser
// accepts (the schema file itself is checked byte for byte by the
// arch_schema_current test).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "arch_test_util.h"
#include "cadre/arch/arch_json.h"

namespace cadre::arch {
namespace {

using nlohmann::json;

// child(path, key), spelled so that GCC 12 raises no false -Wrestrict.
std::string child(const std::string& path, const std::string& key) {
  std::string out = path;
  out += '/';
  out += key;
  return out;
}

// Paths of every property the schema declares, and whether each is required.
void collect(const json& schema, const std::string& path, std::set<std::string>& out) {
  ASSERT_EQ(schema["additionalProperties"], false) << path;
  std::set<std::string> required(schema["required"].begin(), schema["required"].end());
  for (const auto& [key, sub] : schema["properties"].items()) {
    EXPECT_TRUE(required.contains(key)) << child(path, key) << " is optional";
    out.insert(child(path, key));
    if (sub["type"] == "object") collect(sub, child(path, key), out);
  }
}

TEST(ArchSchema, ListsExactlyTheParsersFields) {
  const json schema = json::parse(test::read_source_file("configs/arch/schema.json"));
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  std::set<std::string> from_schema;
  collect(schema, "", from_schema);
  std::set<std::string> from_table;
  for (const FieldInfo& f : arch_fields()) from_table.insert(std::string(f.path));
  EXPECT_EQ(from_schema, from_table);
}

// A small check of each preset against the schema's types and bounds.
void check_against(const json& schema, const json& value, const std::string& path) {
  const std::string type = schema["type"];
  if (type == "object") {
    ASSERT_TRUE(value.is_object()) << path;
    for (const auto& [key, sub] : value.items()) {
      ASSERT_TRUE(schema["properties"].contains(key)) << child(path, key);
      check_against(schema["properties"][key], sub, child(path, key));
    }
    return;
  }
  const bool type_matches = (type == "integer" && value.is_number_integer()) ||
                            (type == "number" && value.is_number()) || (type == "string" && value.is_string()) ||
                            (type == "array" && value.is_array());
  EXPECT_TRUE(type_matches) << path << " is not " << type;
  if (value.is_number()) {
    EXPECT_GE(value.get<double>(), schema["minimum"].get<double>()) << path;
    EXPECT_LE(value.get<double>(), schema["maximum"].get<double>()) << path;
  }
  if (schema.contains("enum") && !value.is_array()) {
    const json& allowed = schema["enum"];
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), value), allowed.end()) << path << " is none of " << allowed;
  }
}

TEST(ArchSchema, PresetsConformToIt) {
  const json schema = json::parse(test::read_source_file("configs/arch/schema.json"));
  for (std::string_view name : preset_names())
    check_against(schema, json::parse(test::read_source_file("configs/arch/" + std::string(name) + ".json")),
                  std::string(name));
}

TEST(ArchSchema, ChoicesAreTheEnumsNames) {
  const json schema = json::parse(test::read_source_file("configs/arch/schema.json"));
  const json& engine = schema["properties"]["matrix"]["properties"]["engine"];
  EXPECT_EQ(engine["type"], "string");
  ASSERT_EQ(engine["enum"].size(), std::size(kMatrixEngineNames));
  for (size_t i = 0; i < std::size(kMatrixEngineNames); ++i) EXPECT_EQ(engine["enum"][i], kMatrixEngineNames[i]);
}

TEST(ArchSchema, TheDocDescribesEveryField) {
  const std::string doc = test::read_source_file("docs/architecture-config.md");
  for (const FieldInfo& f : arch_fields()) {
    std::string quoted = "`";
    quoted += f.path;
    quoted += '`';
    EXPECT_NE(doc.find(quoted), std::string::npos) << f.path;
  }
}

}  // namespace
}  // namespace cadre::arch
