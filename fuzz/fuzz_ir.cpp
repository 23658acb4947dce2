// Fuzz target: the IR parser (both levels) on arbitrary text. Any input
// either parses into a module that prints and parses back to the same text
// and whose verification and argument block either succeed or throw IrError,
// or throws ParseError; anything else (a crash, a sanitizer report, another
// exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/argument_block.h"
#include "cadre/compiler/ir_text.h"
#include "cadre/compiler/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cadre::compiler;
  static const cadre::arch::ArchConfig arch = cadre::arch::load_arch("default");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const Module m = parse_module(text, "fuzz.ir");
    const std::string printed = print(m);
    if (print(parse_module(printed, "printed.ir")) != printed) __builtin_trap();
    try {
      verify(m, &arch);
      if (m.program) (void)to_json(argument_block(m));
    } catch (const IrError&) {
    }
  } catch (const ParseError&) {
  }
  return 0;
}
