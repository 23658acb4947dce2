// Fuzz target: what `cadre disasm --raw` reads, a raw little-endian binary of
// instruction words. The first 8 bytes are the base address (so branch and
// jump targets near 2^64 are reached); every following 32-bit word is
// disassembled at its address, as the command does. Every word has a text,
// and an illegal one is objdump's `.4byte 0x...` with the reason; anything
// else (an exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "cadre/isa/disasm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t base = 0;
  for (size_t i = 0; i < 8; ++i) base |= uint64_t{data[i]} << (8 * i);
  for (size_t off = 8; off + 4 <= size; off += 4) {
    const uint32_t word = uint32_t{data[off]} | uint32_t{data[off + 1]} << 8 | uint32_t{data[off + 2]} << 16 |
                          uint32_t{data[off + 3]} << 24;
    const std::string text = cadre::isa::disassemble_word(word, base + (off - 8));
    if (text.empty()) __builtin_trap();
    const bool illegal = text.find(cadre::isa::kIllegalMarker) != std::string::npos;
    if (illegal && !text.starts_with(".4byte 0x")) __builtin_trap();
  }
  return 0;
}
