#include "cadre/cost/cost.h"
#include "cadre/common/int_math.h"

namespace cadre::cost {
namespace {

using common::ceil_div;

}  // namespace

MatrixTiming ws_timing(uint64_t rows, uint64_t cols, uint64_t m, uint64_t n, uint64_t k) {
  return {ceil_div(k, rows) * ceil_div(n, cols), rows, rows + cols + m - 2, m, 1};
}

MatrixTiming matmul_timing(const arch::ArchConfig& cfg, uint64_t m, uint64_t n, uint64_t k) {
  MatrixTiming t = ws_timing(cfg.matrix.rows, cfg.matrix.cols, m, n, k);
  t.preload_cycles = ceil_div(cfg.matrix.rows, cfg.matrix.preload_rows_per_cycle);
  t.weight_buffers = cfg.matrix.weight_buffers;
  return t;
}

}  // namespace cadre::cost
