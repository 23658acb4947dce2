#include "number_options.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

namespace cadre::cli {

CLI::Validator whole_number(uint64_t min, uint64_t max) {
  const std::string range = fmt::format("a whole number from {} to {}", min, max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        const bool digits = !text.empty() && text.front() >= '0' && text.front() <= '9';
        if (!digits || ptr != end || ec == std::errc::invalid_argument)
          return fmt::format("'{}' is not {}", text, range);
        if (ec == std::errc::result_out_of_range || value < min || value > max)
          return fmt::format("{} is outside the range: {}", text, range);
        return "";
      },
      range);
}

}  // namespace cadre::cli
