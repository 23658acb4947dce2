// Every class of bad configuration is refused with the source, the JSON path
// of the field and the reason.
#include <gtest/gtest.h>

#include <string>

#include "arch_test_util.h"
#include "cadre/arch/arch_json.h"

namespace cadre::arch {
namespace {

using test::error_of;
using test::small_with;
using ojson = nlohmann::ordered_json;

TEST(ArchErrors, MalformedJsonGivesLineAndColumn) {
  EXPECT_EQ(error_of("{\n  \"tiles\": 2,\n  \"name\": tru\n}"),
            "t.json:3:14: malformed JSON: syntax error while parsing value - invalid literal; last read: "
            "'\"name\": tru<U+000A>'");
  EXPECT_EQ(error_of("{\"tiles\": 2,}"),
            "t.json:1:13: malformed JSON: syntax error while parsing object key - unexpected '}'; expected string "
            "literal");
  EXPECT_EQ(error_of(""), "t.json:1:1: malformed JSON: syntax error while parsing value - unexpected end of input; "
                          "expected '[', '{', or a literal");
}

TEST(ArchErrors, LineAndColumnAgreeWithNlohmann) {
  for (const char* text : {"{\n\n   \"a\": [1,\n 2,,]}", "\n\n\n   x", "{\"a\":\n\"\\q\"}", "[1, 2\n"}) {
    std::string nlohmann_position;
    try {
      [[maybe_unused]] const nlohmann::json parsed = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      const std::string what = e.what();
      const size_t at = what.find("line ");
      nlohmann_position = what.substr(at, what.find(':', at) - at);  // "line L, column C"
    }
    const std::string ours = error_of(text);
    const size_t line = std::stoul(ours.substr(7));
    const size_t column = std::stoul(ours.substr(ours.find(':', 7) + 1));
    EXPECT_EQ(nlohmann_position, "line " + std::to_string(line) + ", column " + std::to_string(column)) << ours;
  }
}

TEST(ArchErrors, DuplicateKeysAreRefusedWithTheirPath) {
  EXPECT_EQ(error_of(R"({"tiles": 1, "tiles": 2})"), "t.json: /tiles: duplicate key");
  EXPECT_EQ(error_of(R"({"matrix": {"rows": 8, "cols": 8, "rows": 4}})"), "t.json: /matrix/rows: duplicate key");
  EXPECT_EQ(error_of(R"([0, {"a/b": 1}, [{"k": 1, "k": 2}]])"), "t.json: /2/0/k: duplicate key");
}

TEST(ArchErrors, NumbersBeyondADoubleAreRefusedWithTheirPath) {
  EXPECT_EQ(error_of(R"({"name": "x", "hbm": {"latency_ns": 1e999}})"), "t.json: /hbm/latency_ns: number out of range");
  EXPECT_EQ(error_of(R"({"a": [1, 2, -1e400]})"), "t.json: /a/2: number out of range");
}

TEST(ArchErrors, TheDocumentMustBeAnObject) {
  EXPECT_EQ(error_of("[1, 2]"), "t.json: expected an object, got array");
  EXPECT_EQ(error_of("\"small\""), "t.json: expected an object, got string \"small\"");
}

TEST(ArchErrors, MissingFieldsAndObjects) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["hbm"].erase("latency_ns"); })),
            "t.json: /hbm/latency_ns: missing field");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j.erase("dma"); })), "t.json: /dma: missing field");
  EXPECT_EQ(error_of("{}"), "t.json: /name: missing field");
}

TEST(ArchErrors, WrongTypes) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["rows"] = "8"; })),
            "t.json: /matrix/rows: expected an integer, got string \"8\"");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["rows"] = 8.5; })),
            "t.json: /matrix/rows: expected an integer, got number 8.5");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"] = 5; })),
            "t.json: /matrix: expected an object, got number 5");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["clock_ghz"] = "fast"; })),
            "t.json: /clock_ghz: expected a number, got string \"fast\"");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["name"] = nullptr; })),
            "t.json: /name: expected a string, got null");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["input_formats"] = "bf16"; })),
            "t.json: /matrix/input_formats: expected an array of format names, got string \"bf16\"");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["input_formats"] = {"bf16", 1}; })),
            "t.json: /matrix/input_formats/1: expected a format name, got number 1");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["tiles"] = 100000000000000000000.0; })),
            "t.json: /tiles: expected an integer, got number 1e+20");
}

TEST(ArchErrors, UnknownKeysSuggestTheNearestField) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["row"] = 8; })),
            "t.json: /matrix/row: unknown key \"row\" (did you mean \"rows\"?)");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["hbm"]["chanels"] = 2; })),
            "t.json: /hbm/chanels: unknown key \"chanels\" (did you mean \"channels\"?)");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["clock_mhz"] = 1000; })),
            "t.json: /clock_mhz: unknown key \"clock_mhz\" (did you mean \"clock_ghz\"?)");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["lanes"] = 8; })),
            "t.json: /lanes: unknown key \"lanes\" (it belongs at /vector/lanes)");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["frobnicate"] = true; })),
            "t.json: /frobnicate: unknown key \"frobnicate\"");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["dma"]["a/b~"] = 1; })),
            "t.json: /dma/a~1b~0: unknown key \"a/b~\"");
}

TEST(ArchErrors, NegativeAndZeroSizes) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["rows"] = 0; })),
            "t.json: /matrix/rows: must be positive, got 0");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["scratchpad"]["bytes"] = -4096; })),
            "t.json: /scratchpad/bytes: must be positive, got -4096");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["clock_ghz"] = 0; })), "t.json: /clock_ghz: must be positive, got 0");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["hbm"]["latency_ns"] = -1.5; })),
            "t.json: /hbm/latency_ns: must be positive, got -1.5");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["core"]["load_use_penalty_cycles"] = -1; })),
            "t.json: /core/load_use_penalty_cycles: must be at least 0, got -1");
}

TEST(ArchErrors, QueueDepthZero) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["queues"]["compute"] = 0; })),
            "t.json: /queues/compute: must be positive, got 0");
}

TEST(ArchErrors, AbsurdValues) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["tiles"] = 5000; })), "t.json: /tiles: must be at most 4096, got 5000");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["semaphores"] = 17; })),
            "t.json: /semaphores: must be at most 16, got 17");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["scratchpad"]["bytes"] = uint64_t{1} << 40; })),
            "t.json: /scratchpad/bytes: must be at most 268435456, got 1099511627776");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["rows"] = uint64_t{1} << 33; })),
            "t.json: /matrix/rows: must be at most 1024, got 8589934592");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["clock_ghz"] = 12.5; })),
            "t.json: /clock_ghz: must be at most 10, got 12.5");
}

TEST(ArchErrors, PowerOfTwoBanks) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["scratchpad"]["banks"] = 6; })),
            "t.json: /scratchpad/banks: must be a power of two, got 6");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["accumulator"]["banks"] = 3; })),
            "t.json: /accumulator/banks: must be a power of two, got 3");
}

TEST(ArchErrors, BanksMustDivideTheSram) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["scratchpad"]["bytes"] = 65538; })),
            "t.json: /scratchpad/banks: 4 banks do not divide the scratchpad's 65538 bytes");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["accumulator"]["bytes"] = 16388; })),
            "t.json: /accumulator/banks: 2 banks do not divide the accumulator's 16388 bytes into whole FP32 words");
}

TEST(ArchErrors, TheArrayMustFitItsSram) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["rows"] = 256, j["matrix"]["cols"] = 256; })),
            "t.json: /scratchpad/bytes: 65536 bytes cannot hold the 256x256 array's double-buffered operand tile "
            "(262144 bytes: 2 x 256 x 256 x 2-byte elements)");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["rows"] = 128, j["matrix"]["cols"] = 64; })),
            "t.json: /accumulator/bytes: 16384 bytes cannot hold the 128x64 array's FP32 output tile (32768 bytes)");
}

TEST(ArchErrors, FP8OnlyArraysNeedHalfTheOperandSpace) {
  // 2 x 256 x 128 x 1 byte fits 64 KiB only without BF16.
  const auto grow = [](ojson& j) {
    j["matrix"]["rows"] = 256, j["matrix"]["cols"] = 128, j["accumulator"]["bytes"] = 131072;
  };
  EXPECT_NE(error_of(small_with(grow)), "");
  EXPECT_NO_THROW(parse_arch_json(small_with([&](ojson& j) {
                                    grow(j);
                                    j["matrix"]["input_formats"] = {"e4m3", "e5m2"};
                                  }),
                                  "t.json"));
}

TEST(ArchErrors, StacksMustLeaveRoomInRam) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["ram"]["stack_bytes_per_tile"] = 8388608; })),
            "t.json: /ram/stack_bytes_per_tile: 2 tiles x 8388608 bytes of stack take 16777216 bytes, more than half "
            "of the 16777216-byte RAM");
}

TEST(ArchErrors, InputFormats) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["input_formats"] = {"fp16"}; })),
            "t.json: /matrix/input_formats/0: unknown format \"fp16\"");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["input_formats"] = {"e4m3", "fp32"}; })),
            "t.json: /matrix/input_formats/1: \"fp32\" is not a matrix input format (e4m3, e5m2 or bf16)");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["input_formats"] = {"bf16", "bf16"}; })),
            "t.json: /matrix/input_formats/1: \"bf16\" is listed twice");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["input_formats"] = ojson::array(); })),
            "t.json: /matrix/input_formats: must list at least one format");
}

TEST(ArchErrors, MatrixEngineIsOneOfTheImplementations) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["engine"] = "verilated"; })),
            "t.json: /matrix/engine: unknown value \"verilated\" (allowed: \"behavioural\", \"rtl\")");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["engine"] = 1; })),
            "t.json: /matrix/engine: expected a string, got number 1");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"].erase("engine"); })),
            "t.json: /matrix/engine: missing field");
  ArchConfig cfg = load_arch("small");
  cfg.matrix.engine = static_cast<MatrixEngineKind>(7);
  try {
    validate_arch(cfg, "dse");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "dse: /matrix/engine: value 7 is none of the allowed \"behavioural\", \"rtl\"");
  }
}

TEST(ArchErrors, MatrixPreloadWidthAndWeightBuffers) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["preload_rows_per_cycle"] = 9; })),
            "t.json: /matrix/preload_rows_per_cycle: 9 rows a cycle is more than the array's 8 rows");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["preload_rows_per_cycle"] = 0; })),
            "t.json: /matrix/preload_rows_per_cycle: must be positive, got 0");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"]["weight_buffers"] = 3; })),
            "t.json: /matrix/weight_buffers: must be at most 2, got 3");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["matrix"].erase("weight_buffers"); })),
            "t.json: /matrix/weight_buffers: missing field");
}

TEST(ArchErrors, ScatterAddRowsInFlight) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["dma"]["scatter_add_rows_in_flight"] = 0; })),
            "t.json: /dma/scatter_add_rows_in_flight: must be positive, got 0");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["dma"]["scatter_add_rows_in_flight"] = 257; })),
            "t.json: /dma/scatter_add_rows_in_flight: must be at most 256, got 257");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["dma"].erase("scatter_add_rows_in_flight"); })),
            "t.json: /dma/scatter_add_rows_in_flight: missing field");
}

TEST(ArchErrors, L2) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["l2"]["bytes"] = 1000; })),
            "t.json: /l2/bytes: 1000 bytes are not whole sets: a multiple of 1024 (16 ways x 64-byte lines "
            "(dma.burst_bytes) x 1 channels) is needed");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["l2"]["bytes_per_cycle"] = 0; })),
            "t.json: /l2/bytes_per_cycle: must be positive, got 0");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["l2"]["latency_cycles"] = 10001; })),
            "t.json: /l2/latency_cycles: must be at most 10000, got 10001");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["l2"].erase("bytes"); })), "t.json: /l2/bytes: missing field");
  EXPECT_NO_THROW(parse_arch_json(small_with([](ojson& j) { j["l2"]["bytes"] = 4096; }), "t.json"));
}

TEST(ArchErrors, NameIsAnIdentifier) {
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["name"] = ""; })), "t.json: /name: must not be empty");
  EXPECT_EQ(error_of(small_with([](ojson& j) { j["name"] = "my chip"; })),
            "t.json: /name: may hold only letters, digits, '.', '_' and '-'");
}

TEST(ArchErrors, TheSourceNameIsTheCallers) {
  EXPECT_EQ(error_of("[]", "configs/mine.json"), "configs/mine.json: expected an object, got array");
}

TEST(ArchErrors, ConfigErrorKeepsItsParts) {
  try {
    parse_arch_json(small_with([](ojson& j) { j["vector"]["lanes"] = 0; }), "t.json");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.source(), "t.json");
    EXPECT_EQ(e.path(), "/vector/lanes");
    EXPECT_EQ(e.reason(), "must be positive, got 0");
  }
}

TEST(ArchErrors, ConfigsBuiltInCodeGetTheSameChecks) {
  ArchConfig cfg = load_arch("default");
  EXPECT_NO_THROW(validate_arch(cfg, "dse"));
  cfg.dma.burst_bytes = 48;
  EXPECT_THROW(
      {
        try {
          validate_arch(cfg, "dse");
        } catch (const ConfigError& e) {
          EXPECT_STREQ(e.what(), "dse: /dma/burst_bytes: must be a power of two, got 48");
          throw;
        }
      },
      ConfigError);
  cfg = load_arch("default");
  cfg.hbm.channel_bandwidth_gb_s = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(validate_arch(cfg, "dse"), ConfigError);
}

}  // namespace
}  // namespace cadre::arch
