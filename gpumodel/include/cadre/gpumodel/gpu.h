// A GPU as the performance model sees it: published peak figures, read from
// the JSON descriptions in configs/gpu/ that are compiled into the library.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cadre::gpumodel {

struct Gpu {
  std::string key;   // the bundled name: h100, h800, h200 (the file's name)
  std::string name;  // the product, e.g. "H100 SXM5"
  double fp8_dense_tflops = 0;
  double bf16_dense_tflops = 0;
  std::string hbm_type;
  double hbm_capacity_gb = 0;
  double hbm_bandwidth_gbs = 0;
  uint32_t sms = 0;
  double boost_clock_mhz = 0;
  double l2_mb = 0;
  uint32_t smem_per_block_kib = 0;
  double tdp_w = 0;
  double die_mm2 = 0;
  double transistors_billion = 0;
  std::string process;
  double nvlink_gbs = 0;
};

// Errors name the source file and the field (a JSON pointer) or the position.
class GpuConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Gpu parse_gpu_json(std::string_view json_text, std::string_view source);

// The bundled GPUs, parsed once, in name order.
std::span<const Gpu> bundled_gpus();
// A bundled GPU by key (h100, h800, h200); GpuConfigError names the choices.
const Gpu& find_gpu(std::string_view key);

}  // namespace cadre::gpumodel
