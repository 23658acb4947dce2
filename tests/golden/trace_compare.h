// Bit-for-bit comparison of two golden traces, kernel by kernel.
#pragma once

#include <gtest/gtest.h>

#include <cstring>

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
  EXPECT_TRUE(same_bits(a.x, b.x)) << "input";
  EXPECT_TRUE(same_bits(a.logits, b.logits)) << "router_gemm";
  EXPECT_TRUE(same_bits(a.topk.ids, b.topk.ids)) << "topk ids";
  EXPECT_TRUE(same_bits(a.topk.weights, b.topk.weights)) << "topk weights";
  EXPECT_EQ(a.alignment.offsets, b.alignment.offsets) << "align offsets";
  EXPECT_EQ(a.alignment.tokens, b.alignment.tokens) << "align tokens";
  EXPECT_EQ(0, std::memcmp(a.alignment.row_weights.data(), b.alignment.row_weights.data(),
                           sizeof(float) * std::min(a.alignment.row_weights.size(), b.alignment.row_weights.size())))
      << "align row weights";
  EXPECT_TRUE(same_bits(a.x_q.codes, b.x_q.codes)) << "input_quant codes";
  EXPECT_TRUE(same_bits(a.x_q.scales, b.x_q.scales)) << "input_quant scales";
  EXPECT_TRUE(same_bits(a.permuted_fp8.codes, b.permuted_fp8.codes)) << "permute codes";
  EXPECT_TRUE(same_bits(a.permuted_fp8.scales, b.permuted_fp8.scales)) << "permute scales";
  EXPECT_TRUE(same_bits(a.permuted_bf16, b.permuted_bf16)) << "permute (BF16)";
  EXPECT_TRUE(same_bits(a.gate_up, b.gate_up)) << "gate_up_gemm";
  EXPECT_TRUE(same_bits(a.act_fp8.codes, b.act_fp8.codes)) << "silu_mul_quant codes";
  EXPECT_TRUE(same_bits(a.act_fp8.scales, b.act_fp8.scales)) << "silu_mul_quant scales";
  EXPECT_TRUE(same_bits(a.act_bf16, b.act_bf16)) << "silu_mul_quant (BF16)";
  EXPECT_TRUE(same_bits(a.down, b.down)) << "down_gemm";
  EXPECT_TRUE(same_bits(a.shared, b.shared)) << "shared_expert";
  EXPECT_TRUE(same_bits(a.out, b.out)) << "combine";
}

}  // namespace cadre::golden::test
