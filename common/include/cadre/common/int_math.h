// Integer arithmetic that sizes and cycle counts share.
#pragma once

#include <cstdint>

namespace cadre::common {

// a / b rounded up (b > 0).
constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace cadre::common
