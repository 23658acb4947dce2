// Host/device portability and the FP32 primitives every Cadre numerics routine is
// built from. The same headers are compiled by the host compiler and by nvcc for
// CUDA kernels, so nothing here throws, allocates or calls libm.
#pragma once

#include <cstdint>
#if !defined(__CUDA_ARCH__)
#include <bit>
#endif

#if defined(__CUDACC__)
#define CADRE_HD __host__ __device__
#else
#define CADRE_HD
#endif

// Host loops over billions of elements (the functional GEMMs, the synthetic
// weights) are also built for x86-64-v4, whose AVX-512 (with 64-bit vector
// multiplies) lets the compiler do eight doubles or 64-bit integers at once;
// the CPU picks the build when the program starts. Integer and IEEE
// arithmetic give the same bits in either.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define CADRE_HOST_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))
#else
#define CADRE_HOST_CLONES
#endif

namespace cadre::num {

CADRE_HD inline uint32_t float_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  return std::bit_cast<uint32_t>(x);
#endif
}

CADRE_HD inline float bits_float(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  return std::bit_cast<float>(u);
#endif
}

// The NaN Cadre produces: what CUDA's FP32 arithmetic and conversions produce.
// x86 arithmetic would give 0xFFC00000 for inf-inf, so every routine that can
// create a NaN passes its result through canonical() to keep paths bit-identical.
inline constexpr uint32_t kCanonicalNanBits = 0x7FFFFFFFu;

CADRE_HD inline bool is_nan(float x) { return (float_bits(x) & 0x7FFFFFFFu) > 0x7F800000u; }

CADRE_HD inline float canonical(float x) { return is_nan(x) ? bits_float(kCanonicalNanBits) : x; }

// One correctly rounded (round to nearest even) FP32 operation each. On the device
// the intrinsics forbid FMA contraction and fast-math substitutions; the host build
// compiles with -ffp-contract=off, so plain operators are single IEEE operations.
CADRE_HD inline float add_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

CADRE_HD inline float sub_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}

CADRE_HD inline float mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

// IEEE division is correctly rounded on x86 and on CUDA (__fdiv_rn, whatever
// -prec-div says), so Cadre needs no division routine of its own.
CADRE_HD inline float div_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

}  // namespace cadre::num
