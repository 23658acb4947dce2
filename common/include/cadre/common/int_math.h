// Integer arithmetic the sizes and cycle counts share.
#pragma once

#include <cstdint>

namespace cadre::common {

// a / b rounded up (b > 0).
constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
// v rounded up to a multiple of `to` (to > 0).
constexpr uint64_t round_up(uint64_t v, uint64_t to) { return ceil_div(v, to) * to; }

}  // namespace cadre::common
