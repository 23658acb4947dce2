#include <fmt/format.h>

#include <stdexcept>

#include "cadre/cost/cost.h"
#include "cadre/common/int_math.h"

namespace cadre::cost {
namespace {

using isa::Op;

using common::ceil_div;

// The sweeps each command makes over a row (docs/accelerator.md, "Vector unit",
// lists what each sweep does; a test compares that table with this one).
constexpr VectorPasses kPasses[] = {
    {Op::VecAdd, 1, 0, false},
    {Op::VecMul, 1, 0, false},
    {Op::VecMulScalar, 1, 0, false},
    {Op::VecConvert, 1, 0, false},
    {Op::VecQuantConfig, 0, 0, false},
    {Op::VecSigmoid, 2, 0, false},       // exponential, divide
    {Op::VecSoftmax, 3, 0, false},       // maximum; exponentials and their sum; divide
    {Op::VecSiluMul, 2, 0, false},       // silu, multiply
    {Op::VecSiluMulQuant, 4, 0, false},  // silu, multiply, group amax, divide and round
    {Op::VecQuant, 2, 0, false},         // group amax, divide and round
    {Op::VecRouteConfig, 0, 0, false},
    {Op::VecTopK, 1, 1, false},       // keys, then one maximum search per chosen expert
    {Op::VecGroupTopK, 3, 1, false},  // as top-k, plus the group scores and the group choice
    {Op::VecCount, 1, 0, false},
    {Op::VecAlign, 2, 0, true},  // count, place; then the padded lists
};

}  // namespace

uint64_t vector_sweep_cycles(uint64_t lanes, uint64_t rows, uint64_t cols, uint64_t passes) {
  return kVectorStartupCycles + rows * passes * ceil_div(cols, lanes);
}

std::span<const VectorPasses> vector_passes_table() { return kPasses; }

const VectorPasses& vector_passes(Op op) {
  for (const VectorPasses& p : kPasses)
    if (p.op == op) return p;
  throw std::invalid_argument(fmt::format("{} is not a vector unit instruction", isa::info(op).mnemonic));
}

VectorTiming vector_timing(const arch::ArchConfig& cfg, Op op, const VectorShape& shape) {
  const VectorPasses& p = vector_passes(op);
  const uint64_t passes = p.passes + p.passes_per_k * shape.k;
  if (passes == 0) return {0, kConfigCycles};
  const uint64_t lanes = cfg.vector.lanes;
  const uint64_t sweeps = vector_sweep_cycles(lanes, shape.rows, shape.cols, passes) - kVectorStartupCycles;
  return {sweeps, kVectorStartupCycles + (p.fills_lists ? ceil_div(shape.capacity, lanes) : 0)};
}

uint64_t vector_cycles(const arch::ArchConfig& cfg, Op op, const VectorShape& shape) {
  return vector_timing(cfg, op, shape).total();
}

}  // namespace cadre::cost
