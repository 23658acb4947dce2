#include "graph_util.h"

#include <fmt/format.h>

#include <algorithm>

namespace cadre::compiler {

GraphOp* producer(Graph& g, std::string_view value) {
  for (GraphOp& op : g.ops)
    for (const GraphValue& r : op.results)
      if (r.name == value) return &op;
  return nullptr;
}

const GraphValue* find_value(const Graph& g, std::string_view value) {
  for (const GraphOp& op : g.ops)
    for (const GraphValue& r : op.results)
      if (r.name == value) return &r;
  return nullptr;
}

std::vector<GraphOp*> users(Graph& g, std::string_view value) {
  std::vector<GraphOp*> out;
  for (GraphOp& op : g.ops)
    if (std::find(op.operands.begin(), op.operands.end(), value) != op.operands.end()) out.push_back(&op);
  return out;
}

bool is_output(const Graph& g, std::string_view value) {
  return std::find(g.outputs.begin(), g.outputs.end(), value) != g.outputs.end();
}

GraphOp* first_op(Graph& g, GraphOpKind kind) {
  for (GraphOp& op : g.ops)
    if (op.kind == kind) return &op;
  return nullptr;
}

size_t index_of(const Graph& g, const GraphOp* op) { return static_cast<size_t>(op - g.ops.data()); }

const GraphOp* param_with_role(const Graph& g, std::string_view role) {
  for (const GraphOp& op : g.ops)
    if (op.kind == GraphOpKind::Param && op.attrs.get_string("role", "") == role) return &op;
  return nullptr;
}

std::vector<std::string> ExpertOperands::list() const {
  std::vector<std::string> v;
  if (fp8) v = {x, x_scale, tokens, offsets, gate, gate_scale, up, up_scale, down, down_scale};
  else v = {x, tokens, offsets, gate, up, down};
  if (!row_weights.empty()) v.push_back(row_weights);
  if (!shared.empty()) v.push_back(shared);
  return v;
}

ExpertOperands ExpertOperands::of(const GraphOp& op) {
  ExpertOperands e;
  e.fp8 = op.attrs.get_string("precision", "bf16") == "fp8";
  const size_t base = e.fp8 ? 10 : 6;
  const bool scatter = op.attrs.get_string("epilogue", "store") == "scatter_add";
  const size_t want = base + (scatter ? 1 : 0);
  const std::vector<std::string>& o = op.operands;
  if (o.size() != want && !(scatter && o.size() == want + 1))
    throw IrError(fmt::format("expert_mlp: {} operands, expected {} ({}{})", o.size(), want,
                              e.fp8 ? "FP8" : "BF16", scatter ? ", scatter_add" : ""));
  if (e.fp8) {
    e.x = o[0], e.x_scale = o[1], e.tokens = o[2], e.offsets = o[3], e.gate = o[4], e.gate_scale = o[5], e.up = o[6],
    e.up_scale = o[7], e.down = o[8], e.down_scale = o[9];
  } else {
    e.x = o[0], e.tokens = o[1], e.offsets = o[2], e.gate = o[3], e.up = o[4], e.down = o[5];
  }
  if (scatter) e.row_weights = o[base];
  if (o.size() > base + 1) e.shared = o[base + 1];
  return e;
}

std::vector<std::string> SharedOperands::list() const {
  std::vector<std::string> v;
  if (fp8) v = {x, x_q, x_scale, gate, gate_scale, up, up_scale, down, down_scale};
  else v = {x, gate, up, down};
  if (!expert_gate.empty()) v.push_back(expert_gate);
  return v;
}

SharedOperands SharedOperands::of(const GraphOp& op) {
  SharedOperands s;
  const std::vector<std::string>& o = op.operands;
  s.fp8 = o.size() >= 9;
  const size_t base = s.fp8 ? 9 : 4;
  if (o.size() != base && o.size() != base + 1)
    throw IrError(fmt::format("shared_expert: {} operands, expected 4 or 5 (BF16) or 9 or 10 (FP8)", o.size()));
  if (s.fp8) {
    s.x = o[0], s.x_q = o[1], s.x_scale = o[2], s.gate = o[3], s.gate_scale = o[4], s.up = o[5], s.up_scale = o[6],
    s.down = o[7], s.down_scale = o[8];
  } else {
    s.x = o[0], s.gate = o[1], s.up = o[2], s.down = o[3];
  }
  if (o.size() == base + 1) s.expert_gate = o[base];
  return s;
}

}  // namespace cadre::compiler
