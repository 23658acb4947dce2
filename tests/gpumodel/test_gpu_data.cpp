// The bundled GPU descriptions and DeepGEMM table parse, and bad descriptions
// are refused with the file and field named.
#include <gtest/gtest.h>

#include <string>

#include "cadre/gpumodel/deepgemm_table.h"
#include "cadre/gpumodel/gpu.h"

namespace cadre::gpumodel {
namespace {

using model::GemmLayout;

std::string error_of(std::string_view json) {
  try {
    parse_gpu_json(json, "x.json");
  } catch (const GpuConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(GpuData, BundledGpusCarryThePublishedFigures) {
  ASSERT_EQ(bundled_gpus().size(), 3u);
  const Gpu& h100 = find_gpu("h100");
  EXPECT_EQ(h100.name, "H100 SXM5");
  EXPECT_DOUBLE_EQ(h100.fp8_dense_tflops, 1978.9);
  EXPECT_DOUBLE_EQ(h100.bf16_dense_tflops, 989.4);
  EXPECT_EQ(h100.sms, 132u);
  EXPECT_DOUBLE_EQ(h100.hbm_bandwidth_gbs, 3350);
  EXPECT_DOUBLE_EQ(find_gpu("h800").nvlink_gbs, 400);
  EXPECT_DOUBLE_EQ(find_gpu("h200").hbm_bandwidth_gbs, 4800);
  EXPECT_DOUBLE_EQ(find_gpu("h200").hbm_capacity_gb, 141);
  EXPECT_EQ(find_gpu("h200").process, "TSMC 4N");
}

TEST(GpuData, UnknownGpuNamesTheChoices) {
  try {
    find_gpu("a100");
    FAIL() << "a100 accepted";
  } catch (const GpuConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("h100, h200, h800"), std::string::npos) << e.what();
  }
}

TEST(GpuData, ErrorsNameFileAndField) {
  EXPECT_EQ(error_of(R"({"name": "x"})"), "x.json: /fp8_dense_tflops: missing");
  EXPECT_NE(error_of(R"({"sm": 1})").find("x.json: /sm: unknown field (did you mean \"sms\"?)"), std::string::npos);
  EXPECT_NE(error_of("{\n  \"name\": }").find("x.json:2:"), std::string::npos) << error_of("{\n  \"name\": }");
  EXPECT_EQ(error_of("[1]"), "x.json: expected a JSON object of GPU figures");
}

// A complete description with the given sms and tdp_w values.
std::string description(std::string_view sms, std::string_view tdp) {
  return std::string(R"({"name": "G", "fp8_dense_tflops": 1, "bf16_dense_tflops": 1, "hbm_type": "HBM3",
    "hbm_capacity_gb": 1, "hbm_bandwidth_gbs": 1, "boost_clock_mhz": 1, "l2_mb": 1, "smem_per_block_kib": 1,
    "die_mm2": 1, "transistors_billion": 1, "process": "p", "nvlink_gbs": 1, "sms": )") +
         std::string(sms) + ", \"tdp_w\": " + std::string(tdp) + "}";
}

TEST(GpuData, FieldValuesAreChecked) {
  EXPECT_EQ(error_of(description("2", "1")), "");
  EXPECT_EQ(error_of(description("1.5", "1")), "x.json: /sms: expected a positive integer");
  EXPECT_EQ(error_of(description("2", "-1")), "x.json: /tdp_w: must be positive");
  EXPECT_EQ(error_of(description("2", "\"700\"")), "x.json: /tdp_w: expected a number");
}

TEST(GpuData, DeepGemmTableHasTheThreeTables) {
  int dense = 0, contiguous = 0, masked = 0;
  for (const DeepGemmRow& row : deepgemm_h800_rows()) {
    dense += row.layout == GemmLayout::Dense;
    contiguous += row.layout == GemmLayout::Contiguous;
    masked += row.layout == GemmLayout::Masked;
  }
  EXPECT_EQ(dense, 18);
  EXPECT_EQ(contiguous, 4);
  EXPECT_EQ(masked, 6);
  const DeepGemmRow& first = deepgemm_h800_rows().front();
  EXPECT_EQ(first.m, 64u);
  EXPECT_EQ(first.n, 2112u);
  EXPECT_EQ(first.k, 7168u);
  EXPECT_DOUBLE_EQ(first.tflops, 206);
}

}  // namespace
}  // namespace cadre::gpumodel
