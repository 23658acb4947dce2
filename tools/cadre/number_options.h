// Whole-number options, range-checked as text before CLI11 converts them: a
// sign, a fraction or a value past the range is refused in words, never
// wrapped into an unsigned variable ("--max-cycles -1" is not 2^64 - 1).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>

namespace cadre::cli {

// Decimal digits only, from `min` to `max`; the message says so with the value given.
CLI::Validator whole_number(uint64_t min, uint64_t max);

}  // namespace cadre::cli
