// Small helpers the graph passes share: finding ops and uses by value name,
// and the operand order of the expert ops (graph_ops.def and docs/compiler.md).
#pragma once

#include <string>
#include <vector>

#include "cadre/compiler/ir.h"

namespace cadre::compiler {

// The op defining `value`, or nullptr.
GraphOp* producer(Graph& g, std::string_view value);
const GraphValue* find_value(const Graph& g, std::string_view value);
// Ops that read `value` (each once), and whether the graph returns it.
std::vector<GraphOp*> users(Graph& g, std::string_view value);
bool is_output(const Graph& g, std::string_view value);
// The first op of a kind, or nullptr.
GraphOp* first_op(Graph& g, GraphOpKind kind);
// Index of an op in g.ops.
size_t index_of(const Graph& g, const GraphOp* op);
// The param with this role, or nullptr.
const GraphOp* param_with_role(const Graph& g, std::string_view role);

// Operands of an expert MLP (expert_mlp, or the unfused chain), by meaning.
// Scales are empty in BF16; row_weights and shared empty unless the combine
// is fused; shared empty without shared experts.
struct ExpertOperands {
  bool fp8 = false;
  std::string x, x_scale, tokens, offsets;
  std::string gate, gate_scale, up, up_scale, down, down_scale;
  std::string row_weights, shared;
  std::vector<std::string> list() const;  // expert_mlp's operand order
  static ExpertOperands of(const GraphOp& expert_mlp);
};

// Operands of shared_expert by meaning (x_q and scales empty in BF16, gate
// empty without Qwen's sigmoid gate).
struct SharedOperands {
  bool fp8 = false;
  std::string x, x_q, x_scale, gate, gate_scale, up, up_scale, down, down_scale, expert_gate;
  std::vector<std::string> list() const;
  static SharedOperands of(const GraphOp& shared_expert);
};

}  // namespace cadre::compiler
