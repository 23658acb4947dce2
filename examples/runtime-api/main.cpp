// Compiles a (shrunk) OLMoE MoE layer for the `small` preset, runs it on the
// simulated chip with synthetic weights and checks every output against the
// golden model: what `cadre run olmoe-1b-7b --arch small --check` does,
// through the libraries an installed Cadre provides (docs/runtime.md).
#include <cstdio>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"
#include "cadre/elf/elf_program.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/model/layer_spec.h"
#include "cadre/runtime/layer_run.h"
#include "cadre/weights/synthetic.h"

int main() {
  using namespace cadre;
  const arch::ArchConfig arch = arch::load_arch("small");
  const std::vector<model::Override> shrink = {{"hidden_size", "256"}, {"intermediate_size", "256"}, {"num_experts", "16"}};

  compiler::LayerRequest request;
  request.spec = model::load_model("olmoe-1b-7b", shrink);
  request.phase = model::Phase::Decode;
  request.tokens = 8;
  request.arch = arch.name;
  const compiler::Compiled compiled = compiler::compile_layer(request, arch);

  const elf::Program program = elf::load_elf(compiled.code.elf, "olmoe layer");
  const compiler::ArgumentBlock block = runtime::read_argument_block(program, "olmoe layer");
  const golden::SyntheticWeights weights(weights::SyntheticLayer(request.spec, /*seed=*/0, request.tokens));
  const golden::MoeTrace expected = golden::run_golden(request.spec, weights, model::Precision::Fp8, 1);

  sim::SimOptions options;
  options.echo_output = false;
  const runtime::LayerRun run = runtime::run_layer(program, block, arch, weights, &expected, options);
  std::printf("%s: %llu cycles on %s, %s\n", request.spec.name.c_str(), static_cast<unsigned long long>(run.sim.cycles),
              arch.name.c_str(), run.bit_exact() ? "bit-identical to the golden model" : "DIFFERS from the golden model");
  return run.bit_exact() ? 0 : 1;
}
