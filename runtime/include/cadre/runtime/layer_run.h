// A compiled MoE layer on the simulated chip: the runtime places the input
// and the weights where the program's argument block says, runs the SystemC
// model, reads every output the program writes back and compares each, bit
// for bit, with the golden model's (docs/runtime.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/argument_block.h"
#include "cadre/elf/elf_program.h"
#include "cadre/golden/layer_weights.h"
#include "cadre/golden/moe_golden.h"
#include "cadre/sim/simulate.h"

namespace cadre::runtime {

// One output tensor of the chip against the golden model's.
struct TensorCheck {
  std::string role;        // the argument block's role: router_gemm, topk.ids, combine, ...
  uint64_t elements = 0;   // compared
  uint64_t mismatches = 0; // elements whose bits differ
  std::string first;       // the first mismatch: index, chip bits, golden bits ("" when none)
};

struct LayerRun {
  sim::SimResult sim;
  std::vector<TensorCheck> checks;  // empty without a check
  std::vector<uint64_t> expert_rows;  // tokens each expert received (the chip's alignment)
  bool bit_exact() const;
};

// Argument-block trouble the user can see (a program that is not a compiled
// layer, tensors that do not match the layer's weights).
class LayerRunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The argument block inside a compiled program's ELF.
compiler::ArgumentBlock read_argument_block(const elf::Program& program, std::string_view name);

// Writes every input and weight tensor of the block into HBM (scratch
// tensors stay zero); with `expert_weights` false only what routing reads
// (the input, the router and its bias). Synthetic expert weights are not
// written but made as the chip reads them (SparseMemory::add_made_region), so
// a full-size layer's 11 GB of experts take no host memory.
void place_layer(sim::SparseMemory& hbm, const compiler::ArgumentBlock& block, const golden::LayerWeights& weights,
                 bool expert_weights = true);

// Compares every output tensor of the block in HBM with the golden trace.
std::vector<TensorCheck> check_layer(const sim::SparseMemory& hbm, const compiler::ArgumentBlock& block,
                                     const golden::MoeTrace& golden);

// Gives the golden trace when the check needs it, after the chip has run: a
// caller may compute it meanwhile on another thread (cadre run does).
using GoldenSource = std::function<const golden::MoeTrace&()>;

// Places, simulates and (with `golden`) checks. SystemC runs once per process.
// `timing_only`: the FP8 GEMMs take their cycles without computing values
// and the expert weights are not placed, so a full-size layer's cycles come
// fast (routing still computes: its GEMM is BF16); the outputs are not the
// layer's and are not checked.
LayerRun run_layer(const elf::Program& program, const compiler::ArgumentBlock& block, const arch::ArchConfig& arch,
                   const golden::LayerWeights& weights, const GoldenSource& golden, sim::SimOptions options,
                   bool timing_only = false);
inline LayerRun run_layer(const elf::Program& program, const compiler::ArgumentBlock& block,
                          const arch::ArchConfig& arch, const golden::LayerWeights& weights,
                          const golden::MoeTrace* golden, sim::SimOptions options, bool timing_only = false) {
  GoldenSource source;
  if (golden) source = [golden]() -> const golden::MoeTrace& { return *golden; };
  return run_layer(program, block, arch, weights, source, std::move(options), timing_only);
}

}  // namespace cadre::runtime
