// quantize-fp8: the BF16 layer graph becomes DeepSeek-V3's FP8 recipe
// (docs/moe-layer.md, "Precisions"): expert and shared-expert weights are
// E4M3 with one FP32 scale per 128 x 128 block; the activations entering an
// expert GEMM are E4M3 with one scale per row per 128 channels, made by
// input_quant (x) and by silu_mul_quant (the down GEMM's input).
#include <fmt/format.h>

#include "cadre/model/kernels.h"
#include "graph_util.h"
#include "passes.h"

namespace cadre::compiler {
namespace {

using num::Format;

uint64_t blocks(uint64_t n) { return (n + 127) / 128; }

// [.., rows, cols] -> [.., ceil(rows/128), ceil(cols/128)]
TensorType block_scales_of(const TensorType& w) {
  TensorType s{Format::FP32, w.shape};
  const size_t n = s.shape.size();
  s.shape[n - 2] = blocks(s.shape[n - 2]);
  s.shape[n - 1] = blocks(s.shape[n - 1]);
  return s;
}

// [rows, cols] -> [rows, ceil(cols/128)]
TensorType group_scales_of(const TensorType& a) {
  TensorType s{Format::FP32, a.shape};
  s.shape.back() = blocks(s.shape.back());
  return s;
}

bool is_quantised_weight(std::string_view role) {
  return role == "expert_gate" || role == "expert_up" || role == "expert_down" || role == "shared_gate" ||
         role == "shared_up" || role == "shared_down";
}

}  // namespace

void pass_QuantizeFp8(Module& m, const PassOptions&, const PassContext&) {
  if (!m.graph) throw IrError("quantize-fp8 needs a graph");
  Graph& g = *m.graph;
  if (first_op(g, GraphOpKind::InputQuant)) return;  // already FP8
  if (first_op(g, GraphOpKind::ExpertMlp)) throw IrError("quantize-fp8 must run before fuse-experts");
  if (!first_op(g, GraphOpKind::Permute)) throw IrError("the graph has no expert kernels left to quantise");

  // Weights: E4M3 codes, and a scale param after each.
  std::vector<GraphOp> ops;
  std::string x;
  for (GraphOp& op : g.ops) {
    ops.push_back(op);
    if (op.kind != GraphOpKind::Param) continue;
    const std::string role = op.attrs.get_string("role");
    if (role == "input") x = op.results[0].name;
    if (!is_quantised_weight(role)) continue;
    GraphValue& w = ops.back().results[0];
    w.type.dtype = Format::E4M3;
    Attrs a;
    a.set("role", role + "_scale");
    ops.push_back({GraphOpKind::Param, {{w.name + "_scale", block_scales_of(w.type)}}, {}, a, 0});
  }
  g.ops = std::move(ops);
  if (x.empty()) throw IrError("the graph has no input param");

  const TensorType x_type = find_value(g, x)->type;
  const std::string x_q = x + "_q", x_scale = x + "_scale";
  std::vector<GraphOp> out;
  for (GraphOp op : g.ops) {
    switch (op.kind) {
      case GraphOpKind::Permute: {
        // Quantise x just before its first expert use, then gather codes and scales.
        out.push_back({GraphOpKind::InputQuant,
                       {{x_q, {Format::E4M3, x_type.shape}}, {x_scale, group_scales_of(x_type)}}, {x}, {}, 0});
        GraphValue rows = op.results[0];
        rows.type.dtype = Format::E4M3;
        op.results = {rows, {rows.name + "_scale", group_scales_of(rows.type)}};
        op.operands = {x_q, x_scale, op.operands[1]};
        break;
      }
      case GraphOpKind::GateUpGemm: {
        const auto& o = op.operands;  // rows, offsets, gate, up
        op.operands = {o[0], o[0] + "_scale", o[1], o[2], o[2] + "_scale", o[3], o[3] + "_scale"};
        break;
      }
      case GraphOpKind::SiluMulQuant: {
        GraphValue act = op.results[0];
        act.type.dtype = Format::E4M3;
        op.results = {act, {act.name + "_scale", group_scales_of(act.type)}};
        op.attrs.set("format", std::string("e4m3"));
        break;
      }
      case GraphOpKind::DownGemm: {
        const auto& o = op.operands;  // act, offsets, down
        op.operands = {o[0], o[0] + "_scale", o[1], o[2], o[2] + "_scale"};
        break;
      }
      case GraphOpKind::SharedExpert: {
        const auto& o = op.operands;  // x, gate, up, down[, expert_gate]
        std::vector<std::string> n = {o[0], x_q, x_scale, o[1], o[1] + "_scale", o[2], o[2] + "_scale", o[3], o[3] + "_scale"};
        if (o.size() == 5) n.push_back(o[4]);
        op.operands = std::move(n);
        break;
      }
      default: break;
    }
    out.push_back(std::move(op));
  }
  g.ops = std::move(out);
  m.attrs.set("precision", std::string(model::name(model::Precision::Fp8)));
}

}  // namespace cadre::compiler
