// Integer arithmetic that sizes and cycle counts share.
#pragma once

#include <bit>
#include <cstdint>

namespace cadre::common {

// a / b rounded up (b > 0).
constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Division by a divisor fixed at run time, where a quotient is taken per
// simulated burst (hundreds of millions a layer): a multiply and a shift in
// place of a divide instruction. With m = ceil(2^64 / d) and l = ceil(log2 d),
// floor(n * m / 2^64) = floor(n / d) for every n < 2^(64 - l) (Granlund and
// Montgomery, "Division by invariant integers using multiplication", 1994,
// theorem 4.2); larger n are divided.
class Divisor {
  __extension__ using Wide = unsigned __int128;  // GCC's and Clang's; the product's high half

 public:
  explicit constexpr Divisor(uint64_t d)
      : d_(d), limit_bits_(64 - static_cast<int>(std::bit_width(d - 1))), m_(d > 1 ? ~uint64_t{0} / d + 1 : 0) {}

  constexpr uint64_t divisor() const { return d_; }
  constexpr uint64_t quotient(uint64_t n) const {
    if (d_ == 1) return n;
    if (n >> limit_bits_ != 0) return n / d_;
    return static_cast<uint64_t>((static_cast<Wide>(n) * m_) >> 64);
  }
  constexpr uint64_t remainder(uint64_t n) const { return n - quotient(n) * d_; }
  // n / d rounded up (ceil_div).
  constexpr uint64_t quotient_up(uint64_t n) const { return quotient(n + d_ - 1); }

 private:
  uint64_t d_;
  int limit_bits_;  // n below 2^limit_bits_ take the multiply
  uint64_t m_;
};

}  // namespace cadre::common
