// The portability layer that lets kernels/src/*.cu build twice: as CUDA by nvcc,
// and as plain C++ by the host compiler, which runs every kernel on the CPU.
//
// A kernel is written `CADRE_GLOBAL void k(args)` and launched with
// `launch(k, grid, block, args...)`. Under nvcc that is `k<<<grid, block>>>(args...)`.
// On the host, launch() runs the whole grid on the calling thread: blocks in
// increasing blockIdx (x fastest, then y, then z), and within a block threads in
// increasing threadIdx (the same order), each to completion before the next.
//
// Because a host thread runs to completion before the next starts, a kernel that
// must build both ways may not use __syncthreads or shared memory: every thread
// of such a kernel reads only what earlier kernels wrote and writes only its own
// outputs. The CUDA-only tensor-core GEMM (grouped_gemm_mma.cu) is free of this rule.
#pragma once

#include "cadre/numerics/hd.h"

#if defined(__CUDACC__)

#include <cuda_runtime.h>

#define CADRE_GLOBAL __global__
#define CADRE_DEVICE __device__
// The namespace each build's kernels and launchers live in, so that both builds
// can link into one program.
#define CADRE_KERNELS_NS cuda

namespace cadre::kernels::cuda {

template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args&&... args) {
  kernel<<<grid, block>>>(static_cast<Params>(args)...);
}

}  // namespace cadre::kernels::cuda

#else

#define CADRE_GLOBAL
#define CADRE_DEVICE
#define CADRE_KERNELS_NS host

namespace cadre::kernels::host {

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
using uint3 = dim3;

// The built-in variables of CUDA, set by launch() for the thread it runs. Kernels
// name them unqualified, as in CUDA; being in this namespace, they are what host
// kernels see. One host thread launches at a time (launch is not reentrant).
inline uint3 blockIdx, threadIdx;
inline dim3 blockDim, gridDim;

template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args&&... args) {
  gridDim = grid;
  blockDim = block;
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        blockIdx = {bx, by, bz};
        for (unsigned tz = 0; tz < block.z; ++tz)
          for (unsigned ty = 0; ty < block.y; ++ty)
            for (unsigned tx = 0; tx < block.x; ++tx) {
              threadIdx = {tx, ty, tz};
              kernel(static_cast<Params>(args)...);
            }
      }
}

}  // namespace cadre::kernels::host

#endif

namespace cadre::kernels::CADRE_KERNELS_NS {

// Threads per block of the elementwise kernels, and the 1-D grid covering n threads.
inline constexpr unsigned kThreads = 256;
inline dim3 grid_for(uint64_t n) { return dim3(static_cast<unsigned>((n + kThreads - 1) / kThreads)); }

// This thread's index in a 1-D launch.
CADRE_DEVICE inline uint64_t global_thread() {
  return static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

}  // namespace cadre::kernels::CADRE_KERNELS_NS
