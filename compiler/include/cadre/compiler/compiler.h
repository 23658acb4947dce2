// Cadre's compiler as one call: an MoE layer (a model's config, phase, token
// count, precision) and an architecture in, the module after a pass
// pipeline and its machine code out. `cadre compile`, `cadre opt`, `cadre
// run` and the tests use it; docs/compiler.md describes the parts.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/argument_block.h"
#include "cadre/compiler/codegen.h"
#include "cadre/compiler/frontend.h"
#include "cadre/compiler/ir.h"
#include "cadre/compiler/ir_text.h"
#include "cadre/compiler/pass_manager.h"

namespace cadre::compiler {

struct CompileOptions {
  std::optional<std::string> pipeline;  // none: default_pipeline(module); "": no passes
  PipelineOptions dumps;
};

// Runs the pipeline on the module (verifying after each pass).
void optimise(Module& module, const arch::ArchConfig& arch, const CompileOptions& options = {});

// build_layer + optimise + generate.
struct Compiled {
  Module module;
  MachineCode code;
};
Compiled compile_layer(const LayerRequest& request, const arch::ArchConfig& arch, const CompileOptions& options = {});

}  // namespace cadre::compiler
