#include "cadre/sim/matrix_engine.h"

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "cadre/cost/cost.h"
#include "cadre/numerics/gemm.h"
#include "cadre/sim/accel_error.h"
#include "cadre/common/int_math.h"

namespace cadre::sim {
namespace {

using common::ceil_div;

bool is_fp8(num::Format f) { return f == num::Format::E4M3 || f == num::Format::E5M2; }

// Reads `rows` rows of `row_bytes` at `stride` (0: packed) into one packed
// buffer. The engine's reads and writes are left out of the local memory's
// statistics: count_matmul_traffic counts what the array moves.
OperandBytes read_rows(LocalMemory& memory, uint64_t addr, uint64_t rows, uint64_t row_bytes, uint64_t stride,
                       const char* what) {
  const uint64_t step = stride == 0 ? row_bytes : stride;
  memory.check(addr, (rows - 1) * step + row_bytes, what);
  OperandBytes out(rows * row_bytes);
  for (uint64_t r = 0; r < rows; ++r) memory.read_uncounted(addr + r * step, {out.data() + r * row_bytes, row_bytes});
  return out;
}

// FP32 block scales, or all 1.0 when the address is 0 ("unscaled").
std::vector<float> read_scales(LocalMemory& memory, uint64_t addr, uint64_t count, const char* what) {
  if (addr == 0) return std::vector<float>(count, 1.0f);
  memory.check(addr, count * 4, what);
  std::vector<float> out(count);
  memory.read_uncounted(addr, {reinterpret_cast<uint8_t*>(out.data()), count * 4});
  return out;
}

}  // namespace

BehaviouralMatrixEngine::BehaviouralMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory)
    : cfg_(cfg), memory_(memory) {}

uint64_t BehaviouralMatrixEngine::configure(const isa::operands::MatrixFormats& formats,
                                            const isa::operands::OperandStrides& strides) {
  const auto a = num::format_from_code(formats.a_fmt);
  const auto b = num::format_from_code(formats.b_fmt);
  if (!a || !b || !arch::supports_input(cfg_, a->format) || !arch::supports_input(cfg_, b->format) ||
      is_fp8(a->format) != is_fp8(b->format))
    throw AccelError(fmt::format("cmx.cfg: formats {} and {} are not an input pair this array takes (both FP8, or "
                                 "both BF16, among the configured input formats)",
                                 formats.a_fmt, formats.b_fmt));
  a_fmt_ = a->format;
  b_fmt_ = b->format;
  c_stride_ = formats.c_stride;
  a_stride_ = strides.a_stride;
  b_stride_ = strides.b_stride;
  ++stats_.commands;
  stats_.busy_cycles += cost::kConfigCycles;
  return cost::kConfigCycles;
}

uint64_t BehaviouralMatrixEngine::preload(const isa::operands::TileWithScales& weights,
                                          const isa::operands::WeightShape& shape) {
  b_addr_ = weights.tile;
  b_scales_ = weights.scales;
  k_ = shape.k;
  n_ = shape.n;
  if (k_ == 0 || n_ == 0) throw AccelError("cmx.preload: k and n must be positive");
  preloaded_ = true;
  ++stats_.commands;
  stats_.busy_cycles += cost::kConfigCycles;
  return cost::kConfigCycles;  // the weights are read fold by fold during cmx.mm (its preload term)
}

void BehaviouralMatrixEngine::multiply_values(const Gemm& g, std::span<float> c) {
  if (is_fp8(g.a_format)) {
    const uint64_t kb = ceil_div(g.k, num::kBlockK);
    const num::Fp8Operand oa{g.a_format, g.a.data(), g.k, g.a_scales.data(), 1, kb, 1};
    const num::Fp8Operand ob{g.b_format, g.b.data(), g.k, g.b_scales.data(), num::kBlockK, kb, 1};
    num::gemm_fp8(g.m, g.n, g.k, oa, ob, c.data(), g.n, true);
  } else {
    num::gemm_bf16(g.m, g.n, g.k, reinterpret_cast<const uint16_t*>(g.a.data()), g.k,
                   reinterpret_cast<const uint16_t*>(g.b.data()), g.k, c.data(), g.n, true);
  }
}

uint64_t BehaviouralMatrixEngine::multiply(const Gemm& g, std::span<float> c) {
  multiply_values(g, c);
  return cost::matmul_timing(cfg_, g.m, g.n, g.k).total();
}

uint64_t BehaviouralMatrixEngine::compute(const isa::operands::TileWithScales& a_operand, uint64_t acc, uint64_t m,
                                          bool accumulate, uint64_t c_step) {
  const uint64_t a_bytes = num::info(a_fmt_).bytes, b_bytes = num::info(b_fmt_).bytes;
  const uint64_t k = k_, n = n_, kb = ceil_div(k, num::kBlockK);
  Gemm g{a_fmt_, b_fmt_, m, n, k, read_rows(memory_, a_operand.tile, m, k * a_bytes, a_stride_, "cmx.mm A"),
         read_rows(memory_, b_addr_, n, k * b_bytes, b_stride_, "cmx.preload B"), {}, {}};
  memory_.check(acc, (m - 1) * c_step + n * 4, "cmx.mm output");
  if (is_fp8(a_fmt_)) {
    g.a_scales = read_scales(memory_, a_operand.scales, m * kb, "cmx.mm A scales");
    g.b_scales = read_scales(memory_, b_scales_, ceil_div(n, num::kBlockK) * kb, "cmx.preload B scales");
  }
  // With C in the accumulator and cycles that do not come from the values,
  // the product runs on the local memory's worker: its operands are copies
  // taken now, and C is read and written there, in order with the tile's
  // other deferred products.
  if (!always_computes() && memory_.defers() && memory_.in_accumulator(acc)) {
    memory_.defer([g = std::move(g), acc, c_step, accumulate](SparseMemory& accumulator) {
      std::vector<float> c(g.m * g.n, 0.0f);
      const uint64_t row_bytes = g.n * 4;
      if (accumulate)
        for (uint64_t r = 0; r < g.m; ++r)
          accumulator.read(acc + r * c_step, {reinterpret_cast<uint8_t*>(&c[r * g.n]), row_bytes});
      multiply_values(g, c);
      for (uint64_t r = 0; r < g.m; ++r)
        accumulator.write(acc + r * c_step, {reinterpret_cast<const uint8_t*>(&c[r * g.n]), row_bytes});
    });
    return cost::matmul_timing(cfg_, m, n, k).total();
  }
  std::vector<float> c(m * n, 0.0f);
  if (accumulate) {
    const OperandBytes old = read_rows(memory_, acc, m, n * 4, c_step, "cmx.mm output");
    std::memcpy(c.data(), old.data(), old.size());
  }
  const uint64_t cycles = multiply(g, c);
  for (uint64_t r = 0; r < m; ++r)
    memory_.write_uncounted(acc + r * c_step, {reinterpret_cast<const uint8_t*>(c.data() + r * n), n * 4});
  return cycles;
}

uint64_t BehaviouralMatrixEngine::matmul(const isa::operands::TileWithScales& a_operand,
                                         const isa::operands::MatmulOut& out, bool accumulate) {
  if (!preloaded_) throw AccelError("cmx.mm: no weights preloaded (cmx.preload first)");
  const uint64_t a_addr = a_operand.tile, a_scales = a_operand.scales, acc = out.acc, m = out.m;
  if (m == 0) throw AccelError("cmx.mm: m must be positive");
  const uint64_t a_bytes = num::info(a_fmt_).bytes, b_bytes = num::info(b_fmt_).bytes;
  const uint64_t k = k_, n = n_, kb = ceil_div(k, num::kBlockK);

  const uint64_t c_step = c_stride_ == 0 ? n * 4 : c_stride_;
  if (c_step < n * 4 && m > 1)
    throw AccelError(fmt::format("cmx.mm: the C row stride {} (cmx.cfg) is shorter than a row of {} FP32 ({} bytes)",
                                 c_step, n, n * 4));
  const uint64_t a_step = a_stride_ == 0 ? k * a_bytes : a_stride_;
  const cost::MatrixTiming t = cost::matmul_timing(cfg_, m, n, k);
  uint64_t array_cycles = t.total();
  if (fp8_values() || !is_fp8(a_fmt_) || always_computes()) {
    array_cycles = compute(a_operand, acc, m, accumulate, c_step);
  } else {
    memory_.check(a_addr, (m - 1) * a_step + k * a_bytes, "cmx.mm A");
    memory_.check(b_addr_, (n - 1) * (b_stride_ == 0 ? k * b_bytes : b_stride_) + k * b_bytes, "cmx.preload B");
    memory_.check(acc, (m - 1) * c_step + n * 4, "cmx.mm output");
    if (is_fp8(a_fmt_) && a_scales) memory_.check(a_scales, m * kb * 4, "cmx.mm A scales");
    if (is_fp8(a_fmt_) && b_scales_) memory_.check(b_scales_, ceil_div(n, num::kBlockK) * kb * 4, "cmx.preload B scales");
  }

  // A streams into the array while results stream out: those two share the
  // stream phase; B is read in the preload phase, alone.
  const LocalStream streams[] = {{a_addr, (m - 1) * a_step + k * a_bytes}, {acc, (m - 1) * c_step + n * 4}};
  const uint64_t conflict = memory_.conflict_cycles(streams, t.folds * m);
  const uint64_t cycles = array_cycles + conflict;
  ++stats_.commands;
  stats_.busy_cycles += cycles;
  stats_.conflict_cycles += conflict;
  stats_.macs += m * n * k;
  if (!is_fp8(a_fmt_)) stats_.bf16_macs += m * n * k;
  count_matmul_traffic(cfg_, memory_,
                       {a_addr, is_fp8(a_fmt_) ? a_scales : 0, b_addr_, is_fp8(a_fmt_) ? b_scales_ : 0, acc, m, n, k,
                        a_bytes, b_bytes, accumulate});
  return cycles;
}

}  // namespace cadre::sim
