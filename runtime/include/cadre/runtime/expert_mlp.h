// The host side of the hand-written expert-MLP program
// (runtime/programs/expert_mlp.c, docs/expert-mlp.md): one expert's data,
// its golden result, the plan of the tile's local memory, and writing the
// arguments and tensors into HBM before a run and reading the output back.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/golden/matrix.h"
#include "cadre/sim/sparse_memory.h"
#include "expert_mlp_args.h"

namespace cadre::runtime {

struct ExpertMlpShape {
  uint32_t rows = 8;         // M: rows gathered for the expert
  uint32_t hidden = 256;     // H
  uint32_t inter = 256;      // I
  uint32_t table_rows = 16;  // T: tokens in the activation table and the output
  uint32_t k_chunk = 128;    // KC: K (or N) width of one weight tile
};

// A shape or plan the program cannot run: says which value and why.
class ExpertMlpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One expert's inputs: x = input_quant of random BF16 activations, a token
// list with one padding row (-1) when rows > 1, routing weights, random FP8
// weights with 128 x 128 block scales, and the output's prior contents.
struct ExpertMlpCase {
  ExpertMlpShape shape;
  golden::Fp8Activations x;        // [T, H]
  std::vector<int32_t> tokens;     // [M]
  std::vector<float> weights;      // [M]
  golden::Fp8Weight gate, up;      // [I, H]
  golden::Fp8Weight down;          // [H, I]
  golden::MatrixF out;             // [T, H] FP32
};

// Checks the shape (ExpertMlpError) and makes the data from `seed`.
ExpertMlpCase make_expert_mlp_case(const ExpertMlpShape& shape, uint64_t seed);

// `out` after the expert, by the golden kernels: permute, gate_up GEMM,
// silu_mul_quant, down GEMM, then combine's update of each real token's row,
// out[t] = out[t] + weight * float(y) (docs/moe-layer.md).
golden::MatrixF expert_mlp_golden(const ExpertMlpCase& c);

// Places every local buffer in the tile's scratchpad and accumulator (the
// l_* fields; the others are 0). Throws ExpertMlpError when they do not fit.
expert_mlp_args plan_expert_mlp(const ExpertMlpShape& shape, const arch::ArchConfig& cfg);

// HBM bytes the case takes (tensors only), and where tile `tile`'s copy starts.
uint64_t expert_mlp_hbm_bytes(const ExpertMlpShape& shape);
uint64_t expert_mlp_hbm_base(const arch::ArchConfig& cfg, uint32_t tile);

// Writes the tensors at expert_mlp_hbm_base(tile) and the arguments block of
// `tile` (the plan plus the tensors' addresses); returns the arguments.
expert_mlp_args write_expert_mlp(sim::SparseMemory& hbm, const arch::ArchConfig& cfg, uint32_t tile,
                                 const ExpertMlpCase& c, const expert_mlp_args& plan);
// Writes an arguments block with rows = 0: the tile exits at once.
void write_idle_tile(sim::SparseMemory& hbm, uint32_t tile);

// The output table after a run.
golden::MatrixF read_expert_mlp_output(sim::SparseMemory& hbm, const expert_mlp_args& args);

}  // namespace cadre::runtime
