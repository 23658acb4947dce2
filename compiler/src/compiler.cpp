#include "cadre/compiler/compiler.h"

namespace cadre::compiler {

void optimise(Module& module, const arch::ArchConfig& arch, const CompileOptions& options) {
  const std::vector<PassRun> runs = options.pipeline ? parse_pipeline(*options.pipeline) : default_pipeline(module);
  run_pipeline(runs, module, PassContext{arch}, options.dumps);
}

Compiled compile_layer(const LayerRequest& request, const arch::ArchConfig& arch, const CompileOptions& options) {
  Compiled c;
  c.module = build_layer(request);
  optimise(c.module, arch, options);
  c.code = generate(c.module, arch);
  return c;
}

}  // namespace cadre::compiler
