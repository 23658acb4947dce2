#include "cadre/compiler/frontend.h"

#include <fmt/format.h>

#include <string>

namespace cadre::compiler {
namespace {

using num::Format;

// Appends ops to a graph, naming results.
struct GraphBuilder {
  Graph& g;
  void op(GraphOpKind kind, std::vector<GraphValue> results, std::vector<std::string> operands, Attrs attrs = {}) {
    g.ops.push_back({kind, std::move(results), std::move(operands), std::move(attrs), 0});
  }
  std::string param(std::string name, std::string role, TensorType type) {
    Attrs a;
    a.set("role", std::move(role));
    op(GraphOpKind::Param, {{name, std::move(type)}}, {}, std::move(a));
    return name;
  }
};

// A float attribute as its shortest decimal (1e-20, not the double nearest 1e-20f).
double float_attr(float f) { return std::stod(fmt::format("{}", f)); }

const char* group_score_name(model::GroupScore g) {
  switch (g) {
    case model::GroupScore::None: return "none";
    case model::GroupScore::MaxOfGroup: return "max";
    case model::GroupScore::SumOfTop2: return "sum_top2";
  }
  return "none";
}

}  // namespace

Module build_layer(const LayerRequest& r) {
  if (r.tokens == 0) throw IrError("a layer needs at least one token");
  if (r.align_block == 0) throw IrError("the align block must be positive");
  const model::MoeLayerSpec& s = r.spec;
  const model::RoutingSpec& rt = s.routing;
  const uint64_t T = r.tokens, H = s.hidden, E = rt.experts, K = rt.top_k, W = s.expert_width;
  const uint64_t capacity = T * K + E * (r.align_block - 1);

  Module m;
  m.name = s.name;
  m.attrs.set("model", s.name);
  m.attrs.set("family", std::string(model::model_type(s.family)));
  m.attrs.set("phase", std::string(model::name(r.phase)));
  m.attrs.set("tokens", static_cast<int64_t>(T));
  m.attrs.set("precision", std::string(model::name(r.precision)));
  if (!r.arch.empty()) m.attrs.set("arch", r.arch);

  Graph g;
  GraphBuilder b{g};
  const std::string x = b.param("x", "input", {Format::BF16, {T, H}});
  const std::string router = b.param("router", "router_weight", {Format::BF16, {E, H}});
  std::vector<std::string> topk_in = {"logits"};
  if (rt.selection_bias) topk_in.push_back(b.param("bias", "router_bias", {Format::FP32, {E}}));
  const std::string gate = b.param("gate", "expert_gate", {Format::BF16, {E, W, H}});
  const std::string up = b.param("up", "expert_up", {Format::BF16, {E, W, H}});
  const std::string down = b.param("down", "expert_down", {Format::BF16, {E, H, W}});

  b.op(GraphOpKind::RouterGemm, {{"logits", {Format::FP32, {T, E}}}}, {x, router});
  Attrs ta;
  ta.set("scoring", std::string(rt.scoring == model::Scoring::Sigmoid ? "sigmoid" : "softmax"));
  ta.set("k", static_cast<int64_t>(K));
  ta.set("n_group", static_cast<int64_t>(rt.n_group));
  ta.set("topk_group", static_cast<int64_t>(rt.topk_group));
  ta.set("group_score", std::string(group_score_name(rt.group_score)));
  ta.set("normalise", static_cast<int64_t>(rt.normalise));
  ta.set("epsilon", float_attr(rt.norm_epsilon));
  ta.set("scaling", float_attr(rt.scaling));
  b.op(GraphOpKind::TopK, {{"ids", {Format::I32, {T, K}}}, {"weights", {Format::FP32, {T, K}}}}, topk_in, ta);
  Attrs aa;
  aa.set("experts", static_cast<int64_t>(E));
  aa.set("block", static_cast<int64_t>(r.align_block));
  b.op(GraphOpKind::Align,
       {{"offsets", {Format::I32, {E + 1}}}, {"tokens", {Format::I32, {capacity}}}, {"row_weights", {Format::FP32, {capacity}}}},
       {"ids", "weights"}, aa);
  b.op(GraphOpKind::Permute, {{"rows", {Format::BF16, {capacity, H}}}}, {x, "tokens"});
  b.op(GraphOpKind::GateUpGemm, {{"gate_up", {Format::BF16, {capacity, 2 * W}}}}, {"rows", "offsets", gate, up});
  Attrs sa;
  sa.set("format", std::string("bf16"));
  b.op(GraphOpKind::SiluMulQuant, {{"act", {Format::BF16, {capacity, W}}}}, {"gate_up", "tokens"}, sa);
  b.op(GraphOpKind::DownGemm, {{"y", {Format::BF16, {capacity, H}}}}, {"act", "offsets", down});
  std::vector<std::string> combine_in = {"y", "tokens", "row_weights"};
  if (s.shared.width > 0) {
    const uint64_t S = s.shared.width;
    std::vector<std::string> in = {x, b.param("shared_gate", "shared_gate", {Format::BF16, {S, H}}),
                                   b.param("shared_up", "shared_up", {Format::BF16, {S, H}}),
                                   b.param("shared_down", "shared_down", {Format::BF16, {H, S}})};
    if (s.shared.sigmoid_gate) in.push_back(b.param("shared_expert_gate", "shared_expert_gate", {Format::BF16, {1, H}}));
    Attrs sh;
    sh.set("width", static_cast<int64_t>(S));
    sh.set("sigmoid_gate", static_cast<int64_t>(s.shared.sigmoid_gate));
    b.op(GraphOpKind::SharedExpert, {{"shared", {Format::BF16, {T, H}}}}, in, sh);
    combine_in.push_back("shared");
  }
  b.op(GraphOpKind::Combine, {{"out", {Format::BF16, {T, H}}}}, combine_in);
  g.outputs = {"out"};
  m.graph = std::move(g);
  return m;
}

}  // namespace cadre::compiler
