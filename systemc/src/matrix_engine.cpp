#include "cadre/sim/matrix_engine.h"

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "cadre/isa/xcadre.h"
#include "cadre/numerics/gemm.h"
#include "cadre/sim/accel_error.h"

namespace cadre::sim {
namespace {

using isa::Layout;

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

bool is_fp8(num::Format f) { return f == num::Format::E4M3 || f == num::Format::E5M2; }

// Reads `rows` rows of `row_bytes` at `stride` (0: packed) into one packed buffer.
std::vector<uint8_t> read_rows(LocalMemory& memory, uint64_t addr, uint64_t rows, uint64_t row_bytes,
                               uint64_t stride, const char* what) {
  const uint64_t step = stride == 0 ? row_bytes : stride;
  memory.check(addr, (rows - 1) * step + row_bytes, what);
  std::vector<uint8_t> out(rows * row_bytes);
  for (uint64_t r = 0; r < rows; ++r) memory.read(addr + r * step, {out.data() + r * row_bytes, row_bytes});
  return out;
}

// FP32 block scales, or all 1.0 when the address is 0 ("unscaled").
std::vector<float> read_scales(LocalMemory& memory, uint64_t addr, uint64_t count, const char* what) {
  if (addr == 0) return std::vector<float>(count, 1.0f);
  memory.check(addr, count * 4, what);
  return memory.read_f32(addr, count);
}

}  // namespace

MatrixTiming ws_timing(uint64_t rows, uint64_t cols, uint64_t m, uint64_t n, uint64_t k) {
  return {ceil_div(k, rows) * ceil_div(n, cols), rows, rows + cols + m - 2};
}

MatrixEngine::MatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory) : cfg_(cfg), memory_(memory) {}

uint64_t MatrixEngine::configure(uint64_t rs1, uint64_t rs2) {
  const auto a = num::format_from_code(isa::field(Layout::MatrixFormats, "a_fmt", rs1));
  const auto b = num::format_from_code(isa::field(Layout::MatrixFormats, "b_fmt", rs1));
  if (!a || !b || !arch::supports_input(cfg_, a->format) || !arch::supports_input(cfg_, b->format) ||
      is_fp8(a->format) != is_fp8(b->format))
    throw AccelError(fmt::format("cmx.cfg: formats {} and {} are not an input pair this array takes (both FP8, or "
                                 "both BF16, among the configured input formats)",
                                 isa::field(Layout::MatrixFormats, "a_fmt", rs1),
                                 isa::field(Layout::MatrixFormats, "b_fmt", rs1)));
  a_fmt_ = a->format;
  b_fmt_ = b->format;
  c_stride_ = isa::field(Layout::MatrixFormats, "c_stride", rs1);
  a_stride_ = isa::field(Layout::OperandStrides, "a_stride", rs2);
  b_stride_ = isa::field(Layout::OperandStrides, "b_stride", rs2);
  ++stats_.commands;
  ++stats_.busy_cycles;
  return 1;
}

uint64_t MatrixEngine::preload(uint64_t rs1, uint64_t rs2) {
  b_addr_ = isa::field(Layout::TileWithScales, "tile", rs1);
  b_scales_ = isa::field(Layout::TileWithScales, "scales", rs1);
  k_ = isa::field(Layout::WeightShape, "k", rs2);
  n_ = isa::field(Layout::WeightShape, "n", rs2);
  if (k_ == 0 || n_ == 0) throw AccelError("cmx.preload: k and n must be positive");
  preloaded_ = true;
  ++stats_.commands;
  ++stats_.busy_cycles;
  return 1;  // the weights are read fold by fold during cmx.mm (its preload term)
}

uint64_t MatrixEngine::matmul(uint64_t rs1, uint64_t rs2, bool accumulate) {
  if (!preloaded_) throw AccelError("cmx.mm: no weights preloaded (cmx.preload first)");
  const uint64_t a_addr = isa::field(Layout::TileWithScales, "tile", rs1);
  const uint64_t a_scales = isa::field(Layout::TileWithScales, "scales", rs1);
  const uint64_t acc = isa::field(Layout::MatmulOut, "acc", rs2);
  const uint64_t m = isa::field(Layout::MatmulOut, "m", rs2);
  if (m == 0) throw AccelError("cmx.mm: m must be positive");
  const uint64_t a_bytes = num::info(a_fmt_).bytes, b_bytes = num::info(b_fmt_).bytes;
  const uint64_t k = k_, n = n_, kb = ceil_div(k, num::kBlockK);

  const std::vector<uint8_t> a = read_rows(memory_, a_addr, m, k * a_bytes, a_stride_, "cmx.mm A");
  const std::vector<uint8_t> b = read_rows(memory_, b_addr_, n, k * b_bytes, b_stride_, "cmx.preload B");
  const uint64_t c_step = c_stride_ == 0 ? n * 4 : c_stride_;
  if (c_step < n * 4 && m > 1)
    throw AccelError(fmt::format("cmx.mm: the C row stride {} (cmx.cfg) is shorter than a row of {} FP32 ({} bytes)",
                                 c_step, n, n * 4));
  std::vector<float> c(m * n, 0.0f);
  if (accumulate) {
    const std::vector<uint8_t> old = read_rows(memory_, acc, m, n * 4, c_step, "cmx.mm output");
    std::memcpy(c.data(), old.data(), old.size());
  } else {
    memory_.check(acc, (m - 1) * c_step + n * 4, "cmx.mm output");
  }

  std::vector<float> sa, sb;
  if (is_fp8(a_fmt_)) {
    sa = read_scales(memory_, a_scales, m * kb, "cmx.mm A scales");
    sb = read_scales(memory_, b_scales_, ceil_div(n, num::kBlockK) * kb, "cmx.preload B scales");
    const num::Fp8Operand oa{a_fmt_, a.data(), k, sa.data(), 1, kb, 1};
    const num::Fp8Operand ob{b_fmt_, b.data(), k, sb.data(), num::kBlockK, kb, 1};
    num::gemm_fp8(m, n, k, oa, ob, c.data(), n, accumulate);
  } else {
    num::gemm_bf16(m, n, k, reinterpret_cast<const uint16_t*>(a.data()), k,
                   reinterpret_cast<const uint16_t*>(b.data()), k, c.data(), n, accumulate);
  }
  for (uint64_t r = 0; r < m; ++r) memory_.write_f32(acc + r * c_step, {c.data() + r * n, n});

  const MatrixTiming t = ws_timing(cfg_.matrix.rows, cfg_.matrix.cols, m, n, k);
  const uint64_t a_step = a_stride_ == 0 ? k * a_bytes : a_stride_;
  // A streams into the array while results stream out: those two share the
  // stream phase; B is read in the preload phase, alone.
  const LocalStream streams[] = {{a_addr, (m - 1) * a_step + k * a_bytes}, {acc, (m - 1) * c_step + n * 4}};
  const uint64_t conflict = memory_.conflict_cycles(streams, t.folds * m);
  const uint64_t cycles = t.total() + conflict;
  ++stats_.commands;
  stats_.busy_cycles += cycles;
  stats_.conflict_cycles += conflict;
  stats_.macs += m * n * k;
  return cycles;
}

}  // namespace cadre::sim
