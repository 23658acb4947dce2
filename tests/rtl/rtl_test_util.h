// Bit fields of Verilator's wide ports (VlWide: 32-bit words, LSB first), up
// to 128 bits at a time.
#pragma once

#include <cstdint>

#include "cadre/numerics/exact.h"

namespace cadre::test {

template <class Wide>
void put_wide(Wide& port, unsigned lsb, unsigned width, num::u128 value) {
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    const uint32_t mask = 1u << (bit % 32);
    if ((value >> i) & 1) port[bit / 32] |= mask;
    else port[bit / 32] &= ~mask;
  }
}

template <class Wide>
num::u128 get_wide(const Wide& port, unsigned lsb, unsigned width) {
  num::u128 value = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    value |= static_cast<num::u128>((port[bit / 32] >> (bit % 32)) & 1) << i;
  }
  return value;
}

// A two's complement field, sign-extended.
template <class Wide>
num::i128 get_signed(const Wide& port, unsigned lsb, unsigned width) {
  const num::u128 value = get_wide(port, lsb, width);
  const num::u128 sign = num::u128{1} << (width - 1);
  return static_cast<num::i128>((value ^ sign) - sign);
}

}  // namespace cadre::test
