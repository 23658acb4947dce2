// Bit-for-bit comparison of two golden traces, kernel by kernel, by the same
// mapping of kernels to output tensors that `cadre gpu --check` uses.
#pragma once

#include <gtest/gtest.h>

#include <cstring>

#include "cadre/golden/kernel_outputs.h"
#include "cadre/golden/moe_golden.h"

namespace cadre::golden::test {

template <class M>
::testing::AssertionResult same_bits(const M& a, const M& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure() << a.rows() << "x" << a.cols() << " vs " << b.rows() << "x" << b.cols();
  if (a.size() != 0 && std::memcmp(a.data(), b.data(), sizeof(typename M::Scalar) * a.size()) != 0)
    return ::testing::AssertionFailure() << "the bits differ";
  return ::testing::AssertionSuccess();
}

inline void expect_same_trace(const MoeTrace& a, const MoeTrace& b) {
  EXPECT_EQ(a.precision, b.precision);
  EXPECT_TRUE(same_bits(a.x, b.x)) << "input";
  for (const auto& k : model::kKernels) EXPECT_EQ(output_mismatches(k.value, a, b), 0u) << k.name;
}

}  // namespace cadre::golden::test
