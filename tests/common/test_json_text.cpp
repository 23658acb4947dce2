// common::parse_json, the one reader of outside JSON: its refusals in the
// caller's error type with line:column (or the JSON pointer of a duplicate
// key), for a test's own error types and for every caller (arch, model,
// gpumodel, weights); and closest_name, the one source of suggestions.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/common/json_text.h"
#include "cadre/gpumodel/gpu.h"
#include "cadre/model/layer_spec.h"
#include "cadre/weights/safetensors.h"

namespace cadre::common {
namespace {

// The third line has a value missing before '}' at column 6.
constexpr std::string_view kMalformed = "{\n\"a\": 1,\n\"b\": }";
constexpr std::string_view kDuplicate = R"({"a": {"b": 1, "b": 2}})";

// An error type that takes the message, as most callers' do.
struct MessageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An error type that keeps the parts.
struct PartsError {
  PartsError(const JsonSource& source, const JsonTextError& e)
      : file(source.file), line(e.line()), column(e.column()), pointer(e.pointer()) {}
  std::string file;
  size_t line, column;
  std::string pointer;
};

// The Error that f throws, or nothing.
template <class Error, class F>
std::optional<Error> caught(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

template <class Error, class F>
std::string message_of(F&& f) {
  const std::optional<Error> e = caught<Error>(f);
  return e ? e->what() : "no error";
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

TEST(JsonText, RefusalsTakeTheCallersErrorTypeWithLineAndColumn) {
  const std::string malformed = message_of<MessageError>([] { parse_json<MessageError>(kMalformed, "f.json"); });
  EXPECT_TRUE(starts_with(malformed, "f.json:3:6: malformed JSON: syntax error")) << malformed;
  EXPECT_EQ(message_of<MessageError>([] { parse_json<MessageError>(kDuplicate, "f.json"); }),
            "f.json: /a/b: duplicate key");
  EXPECT_EQ(parse_json<MessageError>(R"({"a": [1, 2]})", "f.json")["a"][1], 2);
}

TEST(JsonText, APartOfAFileIsNamedAfterTheFile) {
  const std::string malformed =
      message_of<MessageError>([] { parse_json<MessageError>(kMalformed, {"w.bin", "header"}); });
  EXPECT_TRUE(starts_with(malformed, "w.bin: header 3:6: malformed JSON: ")) << malformed;
  EXPECT_EQ(message_of<MessageError>([] { parse_json<MessageError>(kDuplicate, {"w.bin", "header"}); }),
            "w.bin: header /a/b: duplicate key");
}

TEST(JsonText, AnErrorTypeThatKeepsThePartsGetsThem) {
  const auto malformed = caught<PartsError>([] { parse_json<PartsError>(kMalformed, "p.json"); });
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->file, "p.json");
  EXPECT_EQ(malformed->line, 3u);
  EXPECT_EQ(malformed->column, 6u);
  EXPECT_EQ(malformed->pointer, "");
  const auto duplicate = caught<PartsError>([] { parse_json<PartsError>(kDuplicate, "p.json"); });
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(duplicate->line, 0u);
  EXPECT_EQ(duplicate->pointer, "/a/b");
}

TEST(JsonText, EveryCallerNamesLineAndColumn) {
  const std::string arch = message_of<arch::ConfigError>([] { arch::parse_arch_json(kMalformed, "a.json"); });
  EXPECT_TRUE(starts_with(arch, "a.json:3:6: malformed JSON: ")) << arch;
  const std::string model =
      message_of<model::ModelConfigError>([] { model::parse_model_config(kMalformed, "m.json"); });
  EXPECT_TRUE(starts_with(model, "m.json:3:6: malformed JSON: ")) << model;
  const std::string gpu = message_of<gpumodel::GpuConfigError>([] { gpumodel::parse_gpu_json(kMalformed, "g.json"); });
  EXPECT_TRUE(starts_with(gpu, "g.json:3:6: malformed JSON: ")) << gpu;
  std::vector<std::byte> file(8 + kMalformed.size());
  file[0] = static_cast<std::byte>(kMalformed.size());
  std::memcpy(file.data() + 8, kMalformed.data(), kMalformed.size());
  const std::string safetensors = message_of<weights::SafetensorsError>(
      [&] { weights::SafetensorsFile::from_bytes(file, "w.safetensors"); });
  EXPECT_TRUE(starts_with(safetensors, "w.safetensors: header 3:6: malformed JSON: ")) << safetensors;
}

TEST(JsonText, ArchConfigErrorKeepsThePartsOfAJsonRefusal) {
  const auto malformed = caught<arch::ConfigError>([] { arch::parse_arch_json(kMalformed, "a.json"); });
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->source(), "a.json");
  EXPECT_EQ(malformed->path(), "");
  EXPECT_TRUE(starts_with(malformed->reason(), "malformed JSON: syntax error")) << malformed->reason();
  const auto duplicate = caught<arch::ConfigError>([] { arch::parse_arch_json(kDuplicate, "a.json"); });
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(duplicate->path(), "/a/b");
  EXPECT_EQ(duplicate->reason(), "duplicate key");
}

TEST(JsonText, ANumberOutOfRangeSaysWhereEvenAtTheTopLevel) {
  // Inside an array or object: its JSON pointer.
  const auto inside = caught<JsonTextError>([] { parse_json_strict("[1, 1e400]"); });
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->pointer(), "/1");
  EXPECT_EQ(inside->line(), 0u);
  // The whole text (found by the fuzz target fuzz_json, whose JSON pointer was
  // empty, so the message named no place): its line and column.
  const auto top = caught<JsonTextError>([] { parse_json_strict("\n  4294961e308d800\"800\""); });
  ASSERT_TRUE(top);
  EXPECT_EQ(top->line(), 2u);
  EXPECT_EQ(top->column(), 3u);
  EXPECT_EQ(top->reason(), "number out of range");
  EXPECT_EQ(top->message_for("f.json"), "f.json:2:3: malformed JSON: number out of range");
}

TEST(JsonText, ClosestNameSuggestsOnlyCloseNamesTheFirstOfEquals) {
  const std::vector<std::string_view> names = {"rows", "cols", "hidden_size", "lanes"};
  EXPECT_EQ(closest_name("row", names), "rows");
  EXPECT_EQ(closest_name("hiden_size", names), "hidden_size");
  EXPECT_EQ(closest_name("banks", names), "lanes");
  EXPECT_EQ(closest_name("xyz", names), "");
  EXPECT_EQ(closest_name("cows", names), "rows");  // rows and cols are both one edit away
  EXPECT_EQ(closest_name("anything", {}), "");
}

}  // namespace
}  // namespace cadre::common
