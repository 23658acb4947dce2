// DeepGEMM's published H800 measurements (configs/gpu/deepgemm_h800.csv,
// compiled in): the data the GEMM model is validated against.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cadre/gpumodel/gemm_model.h"

namespace cadre::gpumodel {

struct DeepGemmRow {
  model::GemmLayout layout = model::GemmLayout::Dense;
  uint32_t groups = 1;
  uint64_t m = 0;  // rows per group
  uint64_t n = 0;
  uint64_t k = 0;
  double tflops = 0;  // measured, 2MNK/t over all groups
  double gbs = 0;     // measured, (MK + KN + 2MN)/t as the README defines it
};

// Rows in the file's order; a malformed file throws GpuConfigError naming the line.
std::span<const DeepGemmRow> deepgemm_h800_rows();

}  // namespace cadre::gpumodel
