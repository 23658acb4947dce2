// Fuzz target: the argument block the runtime reads from a compiled ELF's
// `.cadre.args` section (compiler::parse_argument_block), on arbitrary text.
// Any input either gives a block that prints and parses back to the same
// text, or throws std::invalid_argument; anything else (another exception, a
// crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cadre/compiler/argument_block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cadre::compiler;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const ArgumentBlock block = parse_argument_block(text);
    const std::string printed = to_json(block);
    if (to_json(parse_argument_block(printed)) != printed) __builtin_trap();
    for (const TensorArg& t : block.tensors) (void)t.bytes();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
