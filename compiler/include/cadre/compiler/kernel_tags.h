// The command tag (isa::kTagCsr) a compiled layer gives each kernel's
// commands: the kernel's place in model/kernels.def plus one, so that tag 0
// stays the untagged code before the first kernel statement.
#pragma once

#include <cstdint>
#include <optional>

#include "cadre/model/kernels.h"

namespace cadre::compiler {

inline constexpr uint32_t kernel_tag(model::Kernel kernel) { return static_cast<uint32_t>(kernel) + 1; }

// The kernel of a tag, or nothing for tag 0 and tags no kernel has.
inline std::optional<model::Kernel> tag_kernel(uint32_t tag) {
  if (tag == 0 || tag > model::kKernelCount) return std::nullopt;
  return static_cast<model::Kernel>(tag - 1);
}

}  // namespace cadre::compiler
