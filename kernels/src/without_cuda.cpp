// The CUDA entry points of a build without the CUDA toolkit: no devices.
#include <stdexcept>

#include "cadre/kernels/moe_kernels.h"

namespace cadre::kernels {

bool built_with_cuda() { return false; }

int cuda_device_count() { return 0; }

KernelRun run_cuda(const model::MoeLayerSpec&, const golden::LayerWeights&, model::Precision, const CudaOptions&,
                   uint32_t) {
  throw std::runtime_error("this build of Cadre has no CUDA kernels (the CUDA toolkit was not found)");
}

}  // namespace cadre::kernels
