// The CUDA toolkit's host conversions (cuda_oracle.cpp), when CADRE_HAVE_CUDA_FP8.
#pragma once

#include <cstdint>

namespace cadre::test {

uint8_t cuda_float_to_e4m3(float x);  // __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3)
uint8_t cuda_float_to_e5m2(float x);  // __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E5M2)
uint16_t cuda_float_to_bf16(float x);  // __float2bfloat16_rn(x)

}  // namespace cadre::test
