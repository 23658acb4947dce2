#include "cadre/sim/matrix_unit.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/arch/arch_json.h"
#include "cadre/rtl/array_model.h"
#include "cadre/sim/accel_error.h"
#include "cadre/numerics/gemm.h"
#include "cadre/sim/matrix_engine.h"
#include "cadre/sim/rtl_matrix_engine.h"

namespace cadre::sim {

namespace ops = isa::operands;

void check_matrix_unit(const arch::ArchConfig& cfg) {
  if (cfg.matrix.engine != arch::MatrixEngineKind::Rtl) return;
  const std::string missing = rtl::missing_model(rtl::shape_of(cfg));
  if (!missing.empty()) throw arch::ConfigError(cfg.name, "/matrix/engine", missing);
}

std::unique_ptr<MatrixUnit> make_matrix_unit(const arch::ArchConfig& cfg, LocalMemory& memory) {
  check_matrix_unit(cfg);
  switch (cfg.matrix.engine) {
    case arch::MatrixEngineKind::Behavioural: return std::make_unique<BehaviouralMatrixEngine>(cfg, memory);
    case arch::MatrixEngineKind::Rtl: return std::make_unique<RtlMatrixEngine>(cfg, memory);
  }
  throw std::logic_error("make_matrix_unit: a /matrix/engine value that validate_arch lets through");
}

void count_matmul_traffic(const arch::ArchConfig& cfg, LocalMemory& memory, const MatmulTraffic& t) {
  const auto ceil_div = [](uint64_t a, uint64_t b) { return (a + b - 1) / b; };
  const uint64_t column_folds = ceil_div(t.n, cfg.matrix.cols), row_folds = ceil_div(t.k, cfg.matrix.rows);
  const uint64_t kb = ceil_div(t.k, num::kBlockK);
  memory.count(t.a_addr, column_folds * t.m * t.k * t.a_bytes, false);
  if (t.a_scales) memory.count(t.a_scales, column_folds * t.m * kb * 4, false);
  memory.count(t.b_addr, t.n * t.k * t.b_bytes, false);
  if (t.b_scales) memory.count(t.b_scales, ceil_div(t.n, num::kBlockK) * kb * 4, false);
  const uint64_t c_bytes = t.m * t.n * 4;
  memory.count(t.acc, row_folds * c_bytes, true);
  memory.count(t.acc, (row_folds - 1 + (t.accumulate ? 1 : 0)) * c_bytes, false);
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
