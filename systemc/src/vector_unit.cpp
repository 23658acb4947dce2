#include "cadre/sim/vector_unit.h"

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/routing.h"
#include "cadre/numerics/quant.h"
#include "cadre/numerics/softmax.h"
#include "cadre/numerics/transcendental.h"
#include "cadre/sim/accel_error.h"
#include "cadre/common/int_math.h"

namespace cadre::sim {
namespace {

using isa::Op;
namespace ops = isa::operands;

using common::ceil_div;

void require_positive(uint64_t value, const char* what) {
  if (value == 0) throw AccelError(fmt::format("{} must be positive", what));
}

// Flags of cvec.route.cfg.
constexpr uint32_t kNormalise = 1, kGroupByMax = 2, kNormEpsilon = 4;

}  // namespace

VectorUnit::VectorUnit(const arch::ArchConfig& cfg, LocalMemory& memory) : cfg_(cfg), memory_(memory) {}

uint64_t VectorUnit::command_cycles(std::span<const LocalStream> streams, Op op, const cost::VectorShape& shape) {
  const cost::VectorTiming t = cost::vector_timing(cfg_, op, shape);
  const uint64_t conflict = memory_.conflict_cycles(streams, t.sweep_cycles);
  stats_.conflict_cycles += conflict;
  stats_.elements += shape.rows * shape.cols;
  return t.total() + conflict;
}

uint64_t VectorUnit::execute(Op op, uint64_t rs1, uint64_t rs2) {
  uint64_t cycles = cost::kConfigCycles;  // configuration commands
  switch (op) {
    case Op::VecAdd:
    case Op::VecMul:
    case Op::VecMulScalar:
    case Op::VecSigmoid:
      cycles = elementwise(op, rs1, rs2);
      break;
    case Op::VecConvert:
      cycles = convert(rs1, rs2);
      break;
    case Op::VecQuantConfig: {
      const auto q = ops::QuantConfig::decode(rs1);
      const auto f = num::format_from_code(q.fmt);
      if (!f || (f->format != num::Format::E4M3 && f->format != num::Format::E5M2))
        throw AccelError(fmt::format("cvec.q.cfg: format {} is not FP8", q.fmt));
      q_scales_ = q.scales;
      q_fmt_ = f->format;
      break;
    }
    case Op::VecSoftmax:
    case Op::VecSiluMul:
    case Op::VecSiluMulQuant:
    case Op::VecQuant:
      cycles = rows_op(op, rs1, rs2);
      break;
    case Op::VecRouteConfig: {
      const auto route = ops::RouteConfig::decode(rs1);
      const auto groups = ops::RouteGroups::decode(rs2);
      bias_ = route.bias;
      route_flags_ = static_cast<uint32_t>(route.flags);
      route_scale_ = num::bits_float(static_cast<uint32_t>(groups.scale));
      n_group_ = groups.n_group;
      topk_group_ = groups.topk_group;
      break;
    }
    case Op::VecTopK:
    case Op::VecGroupTopK:
      cycles = topk(op == Op::VecGroupTopK, rs1, rs2);
      break;
    case Op::VecCount:
      cycles = count(rs1, rs2);
      break;
    case Op::VecAlign:
      cycles = align(rs1, rs2);
      break;
    default:
      throw AccelError(fmt::format("{} is not a vector unit command", isa::info(op).mnemonic));
  }
  ++stats_.commands;
  stats_.busy_cycles += cycles;
  return cycles;
}

uint64_t VectorUnit::elementwise(Op op, uint64_t rs1, uint64_t rs2) {
  uint64_t a_addr = 0, b_addr = 0, dst = 0, n = 0;
  float scalar = 0.0f;
  if (op == Op::VecAdd || op == Op::VecMul) {
    const auto src = ops::SrcPair::decode(rs1);
    const auto out = ops::DstCount::decode(rs2);
    a_addr = src.src_a;
    b_addr = src.src_b;
    dst = out.dst;
    n = out.n;
  } else {
    const auto src_dst = ops::SrcDst::decode(rs1);
    a_addr = src_dst.src;
    dst = src_dst.dst;
    n = ops::Count::decode(rs2).n;
    scalar = num::bits_float(static_cast<uint32_t>(ops::CountScalar::decode(rs2).scalar));
  }
  require_positive(n, "the element count");
  memory_.check(a_addr, n * 4, "vector source");
  memory_.check(dst, n * 4, "vector destination");
  std::vector<float> a = memory_.read_f32(a_addr, n);
  std::vector<float> b;
  if (op == Op::VecAdd || op == Op::VecMul) {
    memory_.check(b_addr, n * 4, "vector source b");
    b = memory_.read_f32(b_addr, n);
  }
  for (uint64_t i = 0; i < n; ++i) {
    float& x = a[i];
    switch (op) {
      case Op::VecAdd: x = num::add_rn(x, b[i]); break;
      case Op::VecMul: x = num::mul_rn(x, b[i]); break;
      case Op::VecMulScalar: x = num::mul_rn(x, scalar); break;
      default: x = num::sigmoid_f32(x); break;
    }
    x = num::canonical(x);
  }
  memory_.write_f32(dst, a);
  const LocalStream streams[] = {{a_addr, n * 4}, {b_addr, b.empty() ? 0 : n * 4}, {dst, n * 4}};
  return command_cycles(streams, op, {.rows = 1, .cols = n});
}

uint64_t VectorUnit::convert(uint64_t rs1, uint64_t rs2) {
  const auto [src, dst] = ops::SrcDst::decode(rs1);
  const auto cvt = ops::Convert::decode(rs2);
  const uint64_t n = cvt.n;
  const auto from = num::format_from_code(cvt.src_fmt);
  const auto to = num::format_from_code(cvt.dst_fmt);
  require_positive(n, "the element count");
  if (!from || !to || from->format == num::Format::I32 || to->format == num::Format::I32)
    throw AccelError("cvec.cvt: formats must be FP32, BF16, E4M3 or E5M2");
  memory_.check(src, n * from->bytes, "cvec.cvt source");
  memory_.check(dst, n * to->bytes, "cvec.cvt destination");
  const std::vector<uint8_t> in = memory_.read_bytes(src, n * from->bytes);
  std::vector<uint8_t> out(n * to->bytes);
  for (uint64_t i = 0; i < n; ++i) {
    float x = 0.0f;
    if (from->format == num::Format::FP32) {
      std::memcpy(&x, &in[i * 4], 4);
    } else if (from->format == num::Format::BF16) {
      uint16_t h = 0;
      std::memcpy(&h, &in[i * 2], 2);
      x = num::bf16_to_float(h);
    } else {
      x = num::fp8_to_float(from->format, in[i]);
    }
    if (to->format == num::Format::FP32) {
      std::memcpy(&out[i * 4], &x, 4);
    } else if (to->format == num::Format::BF16) {
      const uint16_t h = num::float_to_bf16(x);
      std::memcpy(&out[i * 2], &h, 2);
    } else {
      out[i] = num::float_to_fp8(to->format, x);
    }
  }
  memory_.write(dst, out);
  const LocalStream streams[] = {{src, n * from->bytes}, {dst, n * to->bytes}};
  return command_cycles(streams, Op::VecConvert, {.rows = 1, .cols = n});
}

uint64_t VectorUnit::rows_op(Op op, uint64_t rs1, uint64_t rs2) {
  const auto [src, dst] = ops::SrcDst::decode(rs1);
  const auto [rows, cols] = ops::RowsCols::decode(rs2);
  require_positive(rows, "rows");
  require_positive(cols, "cols");
  const bool silu = op == Op::VecSiluMul || op == Op::VecSiluMulQuant;
  const bool quant = op == Op::VecSiluMulQuant || op == Op::VecQuant;
  const uint64_t in_cols = silu ? 2 * cols : cols;
  const uint64_t out_bytes = quant ? cols : cols * 4, groups = ceil_div(cols, num::kBlockK);
  memory_.check(src, rows * in_cols * 4, "vector source");
  memory_.check(dst, rows * out_bytes, "vector destination");
  if (quant) memory_.check(q_scales_, rows * groups * 4, "quantisation scales (cvec.q.cfg)");
  const std::vector<float> in = memory_.read_f32(src, rows * in_cols);
  std::vector<uint8_t> out(rows * out_bytes);
  std::vector<float> scales(quant ? rows * groups : 0), row(cols);
  for (uint64_t r = 0; r < rows; ++r) {
    const float* x = &in[r * in_cols];
    switch (op) {
      case Op::VecSoftmax:
        num::softmax_row(x, cols, row.data());
        break;
      case Op::VecSiluMul:
        for (uint64_t j = 0; j < cols; ++j) row[j] = num::canonical(num::mul_rn(num::silu_f32(x[j]), x[cols + j]));
        break;
      case Op::VecSiluMulQuant:
        num::silu_mul_quantize_row(q_fmt_, x, x + cols, cols, &out[r * cols], &scales[r * groups]);
        break;
      default:
        num::quantize_row_1x128(q_fmt_, x, cols, &out[r * cols], &scales[r * groups]);
        break;
    }
    if (!quant) std::memcpy(&out[r * out_bytes], row.data(), cols * 4);
  }
  memory_.write(dst, out);
  if (quant) memory_.write_f32(q_scales_, scales);
  const LocalStream streams[] = {{src, rows * in_cols * 4}, {dst, rows * out_bytes}};
  return command_cycles(streams, op, {.rows = rows, .cols = cols});
}

uint64_t VectorUnit::topk(bool grouped, uint64_t rs1, uint64_t rs2) {
  const auto [src, dst] = ops::SrcDst::decode(rs1);
  const auto [rows, cols, k] = ops::TopK::decode(rs2);
  require_positive(rows, "rows");
  require_positive(cols, "cols");
  // The scores are given: scoring is cvec.softmax's or cvec.sigmoid's.
  num::RoutingSpec routing;
  routing.experts = static_cast<uint32_t>(cols);
  routing.top_k = static_cast<uint32_t>(k);
  routing.n_group = grouped ? static_cast<uint32_t>(n_group_) : 1;
  routing.topk_group = grouped ? static_cast<uint32_t>(topk_group_) : 1;
  routing.group_score = !grouped                        ? num::GroupScore::None
                        : (route_flags_ & kGroupByMax) != 0 ? num::GroupScore::MaxOfGroup
                                                            : num::GroupScore::SumOfTop2;
  routing.normalise = (route_flags_ & kNormalise) != 0;
  routing.norm_epsilon = (route_flags_ & kNormEpsilon) != 0 ? 1e-20f : 0.0f;
  routing.scaling = route_scale_;
  if (!num::topk_possible(routing))
    throw AccelError(fmt::format("{}: cannot choose {} of {} experts in {} groups keeping {}",
                                 grouped ? "cvec.gtopk" : "cvec.topk", k, cols, routing.n_group, routing.topk_group));
  memory_.check(src, rows * cols * 4, "top-k scores");
  memory_.check(dst, rows * k * 8, "top-k output");
  const std::vector<float> scores = memory_.read_f32(src, rows * cols);
  std::vector<float> bias(cols, 0.0f);
  if (bias_ != 0) {
    memory_.check(bias_, cols * 4, "top-k bias (cvec.route.cfg)");
    bias = memory_.read_f32(bias_, cols);
  }
  std::vector<int32_t> ids(rows * k);
  std::vector<float> weights(rows * k), keys(cols), group_scores(routing.n_group);
  std::vector<uint8_t> flags(cols);
  const num::TopkRowScratch scratch{keys.data(), group_scores.data(), flags.data()};
  for (uint64_t t = 0; t < rows; ++t)
    num::topk_row(routing, &scores[t * cols], bias_ != 0 ? bias.data() : nullptr, scratch, &ids[t * k],
                  &weights[t * k]);
  memory_.write(dst, {reinterpret_cast<const uint8_t*>(ids.data()), ids.size() * 4});
  memory_.write_f32(dst + rows * k * 4, weights);
  const LocalStream streams[] = {{src, rows * cols * 4}, {dst, rows * k * 8}};
  return command_cycles(streams, grouped ? Op::VecGroupTopK : Op::VecTopK, {.rows = rows, .cols = cols, .k = k});
}

uint64_t VectorUnit::count(uint64_t rs1, uint64_t rs2) {
  const auto [src, dst] = ops::SrcDst::decode(rs1);
  const auto [n, experts] = ops::ExpertCount::decode(rs2);
  require_positive(n, "the assignment count");
  require_positive(experts, "the expert count");
  memory_.check(src, n * 4, "cvec.count source");
  memory_.check(dst, experts * 4, "cvec.count destination");
  std::vector<int32_t> ids(n), counts(experts, 0);
  memory_.read(src, {reinterpret_cast<uint8_t*>(ids.data()), n * 4});
  for (uint64_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || static_cast<uint64_t>(ids[i]) >= experts)
      throw AccelError(fmt::format("cvec.count: expert {} at index {} is outside [0, {})", ids[i], i, experts));
    ++counts[static_cast<size_t>(ids[i])];
  }
  memory_.write(dst, {reinterpret_cast<const uint8_t*>(counts.data()), experts * 4});
  const LocalStream streams[] = {{src, n * 4}, {dst, experts * 4}};
  return command_cycles(streams, Op::VecCount, {.rows = 1, .cols = n});
}

uint64_t VectorUnit::align(uint64_t rs1, uint64_t rs2) {
  const auto [src, dst] = ops::SrcDst::decode(rs1);
  const auto [tokens, k, experts, block] = ops::Align::decode(rs2);
  require_positive(tokens, "tokens");
  require_positive(k, "k");
  require_positive(experts, "experts");
  require_positive(block, "block");
  const uint64_t n = tokens * k, capacity = n + experts * (block - 1);
  const uint64_t out_bytes = (experts + 1) * 4 + capacity * 8;
  memory_.check(src, n * 8, "cvec.align source");
  memory_.check(dst, out_bytes, "cvec.align destination");
  std::vector<int32_t> ids(n);
  memory_.read(src, {reinterpret_cast<uint8_t*>(ids.data()), n * 4});
  const std::vector<float> weights = memory_.read_f32(src + n * 4, n);
  std::vector<int32_t> offsets(experts + 1, 0), list(capacity, -1);
  std::vector<float> row_weights(capacity, 0.0f);
  std::vector<int32_t> counts(experts, 0);
  const auto experts32 = static_cast<uint32_t>(experts);
  if (const int64_t j = num::first_expert_outside(ids.data(), n, experts32); j >= 0)
    throw AccelError(fmt::format("cvec.align: expert {} at index {} is outside [0, {})", ids[static_cast<size_t>(j)],
                                 j, experts));
  num::align_offsets(ids.data(), n, experts32, static_cast<uint32_t>(block), counts.data(), offsets.data());
  num::align_rows(ids.data(), weights.data(), n, static_cast<uint32_t>(k), experts32, offsets.data(), counts.data(),
                  list.data(), row_weights.data(), nullptr);
  memory_.write(dst, {reinterpret_cast<const uint8_t*>(offsets.data()), offsets.size() * 4});
  const uint64_t list_addr = dst + (experts + 1) * 4;
  memory_.write(list_addr, {reinterpret_cast<const uint8_t*>(list.data()), capacity * 4});
  memory_.write_f32(list_addr + capacity * 4, row_weights);
  const LocalStream streams[] = {{src, n * 8}, {dst, out_bytes}};
  return command_cycles(streams, Op::VecAlign, {.rows = 1, .cols = n, .capacity = capacity});
}

}  // namespace cadre::sim
