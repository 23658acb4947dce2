// Kernel names from model/kernels.def.
#include "cadre/kernels/moe_kernels.h"

namespace cadre::kernels {

std::string_view kernel_name(Kernel kernel) {
  static constexpr std::string_view kNames[] = {
#define MOE_KERNEL(E, name, ...) name,
#include "cadre/model/kernels.def"
  };
  return kNames[static_cast<size_t>(kernel)];
}

}  // namespace cadre::kernels
