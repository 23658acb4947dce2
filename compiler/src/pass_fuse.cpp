// fuse-experts: the expert kernels of the GPU decomposition become one op the
// accelerator runs per expert without a round trip through HBM: the permute
// is the DMA's gather into the GEMM's load, gate and up are one GEMM over
// the fused [gate; up] weight tile, SiLU-mul-quantise is that GEMM's
// epilogue on the vector unit, and the down GEMM follows from local memory.
// The combine is fused too (a weighted scatter-add in the down GEMM's store)
// when it keeps the combine's order: on one tile, whose experts run in
// increasing number (option scatter = auto | on | off).
#include <fmt/format.h>

#include "graph_util.h"
#include "passes.h"

namespace cadre::compiler {

void pass_FuseExperts(Module& m, const PassOptions& options, const PassContext& context) {
  if (!m.graph) throw IrError("fuse-experts needs a graph");
  Graph& g = *m.graph;
  const std::string scatter = options.get_string("scatter", "auto");
  if (scatter != "auto" && scatter != "on" && scatter != "off")
    throw IrError(fmt::format("scatter = {} (auto, on or off)", scatter));

  GraphOp* permute = first_op(g, GraphOpKind::Permute);
  if (!permute) return;  // nothing (left) to fuse
  const auto only_user = [&](const std::string& v, GraphOpKind kind) -> GraphOp* {
    const std::vector<GraphOp*> u = users(g, v);
    if (u.size() != 1 || u[0]->kind != kind || is_output(g, v)) return nullptr;
    return u[0];
  };
  GraphOp* gate_up = only_user(permute->results[0].name, GraphOpKind::GateUpGemm);
  GraphOp* silu = gate_up ? only_user(gate_up->results[0].name, GraphOpKind::SiluMulQuant) : nullptr;
  GraphOp* down = silu ? only_user(silu->results[0].name, GraphOpKind::DownGemm) : nullptr;
  if (!down) throw IrError("permute, gate_up_gemm, silu_mul_quant and down_gemm do not form a chain");

  ExpertOperands e;
  e.fp8 = permute->results.size() == 2;
  const auto& po = permute->operands;
  const auto& go = gate_up->operands;
  const auto& d = down->operands;
  if (e.fp8) {
    e.x = po[0], e.x_scale = po[1], e.tokens = po[2];
    e.offsets = go[2], e.gate = go[3], e.gate_scale = go[4], e.up = go[5], e.up_scale = go[6];
    e.down = d[3], e.down_scale = d[4];
  } else {
    e.x = po[0], e.tokens = po[1];
    e.offsets = go[1], e.gate = go[2], e.up = go[3];
    e.down = d[2];
  }

  Attrs a;
  a.set("precision", std::string(e.fp8 ? "fp8" : "bf16"));
  a.set("width", static_cast<int64_t>(gate_up->results[0].type.shape[1] / 2));
  GraphOp fused{GraphOpKind::ExpertMlp, down->results, {}, {}, down->line};
  GraphOp* replaced = down;
  GraphOp* combine = only_user(down->results[0].name, GraphOpKind::Combine);
  const bool fuse_combine = scatter == "on" || (scatter == "auto" && context.arch.tiles == 1);
  if (combine && fuse_combine) {
    e.row_weights = combine->operands[2];
    if (combine->operands.size() == 4) e.shared = combine->operands[3];
    a.set("epilogue", std::string("scatter_add"));
    fused.results = combine->results;
    replaced = combine;
  } else {
    a.set("epilogue", std::string("store"));
  }
  fused.operands = e.list();
  fused.attrs = a;

  const GraphOp* removed[] = {permute, gate_up, silu, down, replaced};
  std::vector<GraphOp> out;
  for (GraphOp& op : g.ops) {
    if (&op == replaced) out.push_back(fused);
    else if (std::find(std::begin(removed), std::end(removed), &op) == std::end(removed)) out.push_back(std::move(op));
  }
  g.ops = std::move(out);
}

}  // namespace cadre::compiler
