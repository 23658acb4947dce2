// RISC-V integer register names.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace cadre::isa {

inline constexpr std::array<std::string_view, 32> kAbiRegisterNames = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

constexpr std::string_view register_name(unsigned r) { return kAbiRegisterNames[r & 31]; }

// Accepts ABI names, "fp" and x0..x31.
std::optional<unsigned> register_number(std::string_view name);

}  // namespace cadre::isa
