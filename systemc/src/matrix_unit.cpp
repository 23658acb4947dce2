#include "cadre/sim/matrix_unit.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/sim/accel_error.h"
#include "cadre/sim/matrix_engine.h"

namespace cadre::sim {

namespace ops = isa::operands;

std::unique_ptr<MatrixUnit> make_matrix_unit(const arch::ArchConfig& cfg, LocalMemory& memory) {
  switch (cfg.matrix.engine) {
    case arch::MatrixEngineKind::Behavioural: return std::make_unique<BehaviouralMatrixEngine>(cfg, memory);
  }
  throw std::logic_error("make_matrix_unit: a /matrix/engine value that validate_arch lets through");
}

uint64_t matrix_command(MatrixUnit& unit, isa::Op op, uint64_t rs1, uint64_t rs2) {
  switch (op) {
    case isa::Op::MatrixConfig:
      return unit.configure(ops::MatrixFormats::decode(rs1), ops::OperandStrides::decode(rs2));
    case isa::Op::MatrixPreload:
      return unit.preload(ops::TileWithScales::decode(rs1), ops::WeightShape::decode(rs2));
    case isa::Op::MatrixMul:
    case isa::Op::MatrixMulAcc:
      return unit.matmul(ops::TileWithScales::decode(rs1), ops::MatmulOut::decode(rs2), op == isa::Op::MatrixMulAcc);
    default: throw AccelError(fmt::format("{} is not a matrix engine instruction", isa::info(op).mnemonic));
  }
}

}  // namespace cadre::sim
