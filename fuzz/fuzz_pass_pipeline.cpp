// Fuzz target: the pass pipeline text of `--pass-pipeline`
// (compiler::parse_pipeline). Any input either gives passes that print and
// parse back to the same text, or throws IrError; anything else (another
// exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cadre/compiler/ir.h"
#include "cadre/compiler/pass_manager.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cadre::compiler;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const std::string printed = print_pipeline(parse_pipeline(text));
    if (print_pipeline(parse_pipeline(printed)) != printed) __builtin_trap();
  } catch (const IrError&) {
  }
  return 0;
}
