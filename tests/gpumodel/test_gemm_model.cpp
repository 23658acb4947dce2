// The GEMM model's building blocks: wave quantisation, tile choice, the
// roofline's limits and how a GPU's figures move them.
#include <gtest/gtest.h>

#include "cadre/gpumodel/gemm_model.h"

namespace cadre::gpumodel {
namespace {

using model::GemmLayout;
using model::Precision;

GemmProblem dense(uint64_t m, uint64_t n, uint64_t k, Precision p = Precision::Fp8) {
  return {GemmLayout::Dense, p, {m}, n, k, 2};
}

TEST(GemmModel, WavesRoundUpOverTheSms) {
  EXPECT_EQ(wave_count(0, 132), 0u);
  EXPECT_EQ(wave_count(1, 132), 1u);
  EXPECT_EQ(wave_count(132, 132), 1u);
  EXPECT_EQ(wave_count(133, 132), 2u);
  EXPECT_EQ(wave_count(1792, 132), 14u);
}

TEST(GemmModel, TilesCoverEveryGroup) {
  EXPECT_EQ(tile_count(dense(4096, 7168, 128), {128, 128}), 32u * 56u);
  EXPECT_EQ(tile_count(dense(65, 100, 128), {64, 16}), 2u * 7u);
  const GemmProblem masked{GemmLayout::Masked, Precision::Fp8, {256, 0, 1}, 4096, 7168, 2};
  EXPECT_EQ(tile_count(masked, {128, 128}), (2u + 0u + 1u) * 32u);
}

TEST(GemmModel, ContiguousLayoutUsesTheAlignmentBlock) {
  for (const GemmTile t : candidate_tiles(GemmLayout::Contiguous)) EXPECT_EQ(t.block_m, 128u);
  bool has64 = false;
  for (const GemmTile t : candidate_tiles(GemmLayout::Dense)) has64 |= t.block_m == 64;
  EXPECT_TRUE(has64);
}

TEST(GemmModel, OneMoreTileThanSmsCostsAWholeWave) {
  // 132 tiles of 128 x 128 fill the SMs once; 133 need a second wave.
  const Gpu& gpu = find_gpu("h800");
  const GemmEstimate full = model_gemm_tile(dense(128 * 132, 128, 16384), gpu, {128, 128});
  const GemmEstimate over = model_gemm_tile(dense(128 * 133, 128, 16384), gpu, {128, 128});
  EXPECT_EQ(full.waves, 1u);
  EXPECT_EQ(over.waves, 2u);
  EXPECT_NEAR(over.sm_us / full.sm_us, 2.0, 1e-9);
}

TEST(GemmModel, LargeGemmIsComputeBoundBelowPeak) {
  const Gpu& gpu = find_gpu("h800");
  const GemmEstimate e = model_gemm(dense(8192, 8192, 8192), gpu);
  EXPECT_EQ(e.bound, Bound::Compute);
  const double tflops = e.flops / e.time_us / 1e6;
  const double ceiling = gpu.fp8_dense_tflops * kHopper.tensor_issue_fraction /
                         (1 + kHopper.promotion_cost * kHopper.promotion_exposed);
  EXPECT_LT(tflops, ceiling);
  EXPECT_GT(tflops, 0.85 * ceiling);
}

TEST(GemmModel, BelowPeakBandwidthWhenWeightsStream) {
  // Decode-sized M: the weights dominate the bytes and HBM bounds the time.
  const Gpu& gpu = find_gpu("h800");
  const GemmEstimate e = model_gemm(dense(64, 7168, 16384), gpu);
  EXPECT_EQ(e.bound, Bound::Memory);
  EXPECT_GT(e.time_us, e.bytes / (gpu.hbm_bandwidth_gbs * 1e3));
  EXPECT_GE(e.bytes, 7168.0 * 16384);
}

TEST(GemmModel, TinyGemmIsLaunchBound) {
  const GemmEstimate e = model_gemm(dense(16, 64, 128), find_gpu("h100"));
  EXPECT_EQ(e.bound, Bound::Latency);
  EXPECT_LT(e.time_us, 2 * kHopper.launch_us);
}

TEST(GemmModel, Bf16HasHalfTheTensorThroughput) {
  const Gpu& gpu = find_gpu("h100");
  const GemmEstimate fp8 = model_gemm_tile(dense(8192, 8192, 8192), gpu, {128, 128});
  const GemmEstimate bf16 = model_gemm_tile(dense(8192, 8192, 8192, Precision::Bf16), gpu, {128, 128});
  // BF16 has half the peak but no promotion step.
  const double peaks = gpu.fp8_dense_tflops / gpu.bf16_dense_tflops;
  EXPECT_NEAR(bf16.tensor_us / fp8.tensor_us, peaks / (1 + kHopper.promotion_cost * kHopper.promotion_exposed), 1e-9);
}

TEST(GemmModel, H200BandwidthHelpsMemoryBoundOnly) {
  const Gpu& h100 = find_gpu("h100");
  const Gpu& h200 = find_gpu("h200");
  const GemmEstimate mem100 = model_gemm(dense(64, 7168, 16384), h100);
  const GemmEstimate mem200 = model_gemm(dense(64, 7168, 16384), h200);
  EXPECT_LT(mem200.time_us, 0.8 * mem100.time_us);
  const GemmEstimate big100 = model_gemm(dense(8192, 8192, 8192), h100);
  const GemmEstimate big200 = model_gemm(dense(8192, 8192, 8192), h200);
  EXPECT_GT(big200.time_us, 0.95 * big100.time_us);
  EXPECT_NEAR(streaming_time_us(1e9, h200) - kHopper.launch_us,
              (streaming_time_us(1e9, h100) - kHopper.launch_us) * 3350.0 / 4800.0, 1e-9);
}

TEST(GemmModel, EmptyOrUnfittableProblemsAreRefused) {
  EXPECT_THROW(model_gemm(dense(0, 128, 128), find_gpu("h100")), std::invalid_argument);
  const GemmProblem fp32_out{GemmLayout::Dense, Precision::Bf16, {128}, 128, 128, 4};
  EXPECT_NO_THROW(model_gemm(fp32_out, find_gpu("h100")));
}

}  // namespace
}  // namespace cadre::gpumodel
