// Host-compiled wrappers around cuda_fp8.h / cuda_bf16.h, kept in their own TU so
// only this file sees the toolkit's headers.
#include "cuda_oracle.h"

#include <cuda_bf16.h>
#include <cuda_fp8.h>

namespace cadre::test {

uint8_t cuda_float_to_e4m3(float x) { return __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3); }

uint8_t cuda_float_to_e5m2(float x) { return __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E5M2); }

uint16_t cuda_float_to_bf16(float x) { return __nv_bfloat16_raw(__float2bfloat16_rn(x)).x; }

}  // namespace cadre::test
