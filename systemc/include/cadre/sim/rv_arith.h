// The M extension's results as the RISC-V unprivileged spec defines them,
// corner cases included (division by zero, MIN / -1, the W forms). Spelled out
// once here; the core and the tests' host builds both follow it.
#pragma once

#include <cstdint>
#include <limits>

namespace cadre::sim::rv {

// GCC's 128-bit integers (__extension__: not ISO C++) give the high products.
__extension__ using int128 = __int128;
__extension__ using uint128 = unsigned __int128;

constexpr uint64_t sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

constexpr uint64_t mulh(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<int128>(static_cast<int64_t>(a)) * static_cast<int64_t>(b)) >> 64);
}
constexpr uint64_t mulhu(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<uint128>(a) * b) >> 64);
}
// rs1 signed, rs2 unsigned.
constexpr uint64_t mulhsu(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<int128>(static_cast<int64_t>(a)) * static_cast<int128>(b)) >> 64);
}

// Division by zero gives all ones (quotient) and the dividend (remainder);
// the one signed overflow, MIN / -1, gives MIN and remainder 0.
constexpr uint64_t div(uint64_t a, uint64_t b) {
  const auto sa = static_cast<int64_t>(a), sb = static_cast<int64_t>(b);
  if (sb == 0) return ~uint64_t{0};
  if (sa == std::numeric_limits<int64_t>::min() && sb == -1) return a;
  return static_cast<uint64_t>(sa / sb);
}
constexpr uint64_t divu(uint64_t a, uint64_t b) { return b == 0 ? ~uint64_t{0} : a / b; }
constexpr uint64_t rem(uint64_t a, uint64_t b) {
  const auto sa = static_cast<int64_t>(a), sb = static_cast<int64_t>(b);
  if (sb == 0) return a;
  if (sa == std::numeric_limits<int64_t>::min() && sb == -1) return 0;
  return static_cast<uint64_t>(sa % sb);
}
constexpr uint64_t remu(uint64_t a, uint64_t b) { return b == 0 ? a : a % b; }

// W forms: 32-bit operands, the 32-bit result sign-extended to 64 bits.
constexpr uint64_t divw(uint64_t a, uint64_t b) {
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  if (sb == 0) return ~uint64_t{0};
  if (sa == std::numeric_limits<int32_t>::min() && sb == -1) return sext32(static_cast<uint32_t>(sa));
  return sext32(static_cast<uint32_t>(sa / sb));
}
constexpr uint64_t divuw(uint64_t a, uint64_t b) {
  const auto ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  return ub == 0 ? ~uint64_t{0} : sext32(ua / ub);
}
constexpr uint64_t remw(uint64_t a, uint64_t b) {
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  if (sb == 0) return sext32(static_cast<uint32_t>(sa));
  if (sa == std::numeric_limits<int32_t>::min() && sb == -1) return 0;
  return sext32(static_cast<uint32_t>(sa % sb));
}
constexpr uint64_t remuw(uint64_t a, uint64_t b) {
  const auto ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  return sext32(ub == 0 ? ua : ua % ub);
}
constexpr uint64_t mulw(uint64_t a, uint64_t b) { return sext32(static_cast<uint32_t>(a * b)); }

}  // namespace cadre::sim::rv
