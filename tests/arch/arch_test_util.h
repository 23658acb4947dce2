// Helpers for the arch tests: the checked-in files, and a preset turned into
// JSON that a test can break one field at a time.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "cadre/arch/arch_json.h"

namespace cadre::arch::test {

inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(CADRE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The small preset as JSON, changed by `edit`.
inline std::string small_with(const std::function<void(nlohmann::ordered_json&)>& edit) {
  nlohmann::ordered_json j = to_json(load_arch("small"));
  edit(j);
  return j.dump(2);
}

// The message of the ConfigError parsing `text` throws ("" if none is thrown).
inline std::string error_of(const std::string& text, std::string_view source = "t.json") {
  try {
    parse_arch_json(text, source);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return "";
}

}  // namespace cadre::arch::test
