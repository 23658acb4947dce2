#include "cadre/compiler/estimate.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph_util.h"
#include "mlp_cost.h"

namespace cadre::compiler {

ExpertPhaseEstimate estimate_expert_phase(const Module& tiled, const arch::ArchConfig& arch,
                                          const std::vector<int32_t>& offsets) {
  if (!tiled.graph) throw IrError("estimate_expert_phase needs the graph after choose-tiling");
  Graph g = *tiled.graph;
  const GraphOp* mlp = first_op(g, GraphOpKind::ExpertMlp);
  if (!mlp || !mlp->attrs.has("rows")) throw IrError("estimate_expert_phase needs a tiled expert_mlp (run choose-tiling)");
  const ExpertOperands eo = ExpertOperands::of(*mlp);
  const TensorType& gate = find_value(g, eo.gate)->type;
  const uint64_t E = gate.shape[0], W = gate.shape[1], H = gate.shape[2], T = find_value(g, eo.x)->type.shape[0];
  if (offsets.size() != E + 1)
    throw IrError(fmt::format("estimate_expert_phase: {} offsets for {} experts (expected experts + 1)", offsets.size(), E));

  // Work in the balanced placement's order: shared blocks, then experts (or
  // their parts) with rows; with parts, the phase-B parts in a second walk
  // after a barrier. Weights as lower-experts gives them.
  const uint64_t parts = static_cast<uint64_t>(mlp->attrs.get_int("parts", 1));
  const int64_t scale = parts > 1 ? 3 * static_cast<int64_t>(parts) : 1;
  struct Work {
    int64_t weight;
    double cycles;
  };
  std::vector<Work> first, second;
  ExpertPhaseEstimate est;
  est.tile_cycles.assign(arch.tiles, 0);
  if (const GraphOp* sh = first_op(g, GraphOpKind::SharedExpert)) {
    const SharedOperands so = SharedOperands::of(*sh);
    const MlpShape ss{so.fp8, T, H, static_cast<uint64_t>(sh->attrs.get_int("width")), false, false, !so.expert_gate.empty()};
    const MlpTiling st = MlpTiling::of(sh->attrs);
    const int64_t row_cost = scale * sh->attrs.get_int("row_cost", 1), fixed = scale * sh->attrs.get_int("fixed_cost", 0);
    const uint64_t parts_a = static_cast<uint64_t>(sh->attrs.get_int("gate_up_parts", 1));
    const uint64_t parts_b = static_cast<uint64_t>(sh->attrs.get_int("down_parts", 1));
    if (parts_a > 1 || parts_b > 1) {
      // Parts of blocks in contiguous ranges over the tiles, phase A then
      // (after a barrier) phase B, each phase ending with its busiest tile.
      for (const bool gate_up : {true, false}) {
        const uint64_t parts_of_block = gate_up ? parts_a : parts_b;
        std::vector<double> units;
        for (uint64_t t0 = 0; t0 < T; t0 += st.rows) {
          const MlpCycles c = mlp_phase_cycles(arch, ss, st, std::min(st.rows, T - t0));
          for (uint64_t p = 0; p < parts_of_block; ++p)
            units.push_back((gate_up ? c.gate_up : c.down) / static_cast<double>(parts_of_block));
        }
        const size_t per = (units.size() + arch.tiles - 1) / arch.tiles;
        std::vector<double> cycles(arch.tiles, 0);
        for (size_t u = 0; u < units.size(); ++u) cycles[u / per] += units[u];
        for (size_t t = 0; t < cycles.size(); ++t) est.tile_cycles[t] += cycles[t];
        est.cycles += *std::max_element(cycles.begin(), cycles.end());
      }
    } else {
      for (uint64_t t0 = 0; t0 < T; t0 += st.rows) {
        const uint64_t m = std::min(st.rows, T - t0);
        first.push_back({static_cast<int64_t>(m) * row_cost + fixed, mlp_cycles(arch, ss, st, m)});
      }
    }
  }
  const MlpShape shape{eo.fp8, T, H, W, true, !eo.row_weights.empty(), false};
  const MlpTiling mt = MlpTiling::of(mlp->attrs);
  const int64_t fixed = mlp->attrs.get_int("fixed_cost", 0);
  // With share = G the walk places on groups of G tiles; an expert's blocks
  // go round the members, a round of G blocks weighing G times a block's
  // fixed cost, and the group takes as long as its busiest member (the first).
  const int64_t share = arch.tiles > 1 ? std::max<int64_t>(1, mlp->attrs.get_int("share", 1)) : 1;
  const auto B = static_cast<int64_t>(mt.rows);
  for (uint64_t e = 0; e < E; ++e) {
    const int64_t rows = offsets[e + 1] - offsets[e];
    if (rows <= 0) continue;
    const int64_t rounds = (rows + B * share - 1) / (B * share);
    const MlpCycles c = mlp_phase_cycles(arch, shape, mt, static_cast<uint64_t>(std::min(rows, rounds * B)));
    if (parts == 1) {
      first.push_back({rows + rounds * share * fixed, c.total()});
      continue;
    }
    for (uint64_t p = 0; p < parts; ++p) {
      first.push_back({2 * rows + rounds * share * 2 * fixed, c.gate_up / static_cast<double>(parts)});
      second.push_back({rows + rounds * share * fixed, c.down / static_cast<double>(parts)});
    }
  }

  const int64_t groups = arch.tiles / share;
  for (const std::vector<Work>* walk : {&first, &second}) {
    std::vector<double> cycles(static_cast<size_t>(groups), 0);
    int64_t total = 0, before = 0;
    for (const Work& w : *walk) total += w.weight;
    if (total == 0) continue;  // no expert has rows
    for (const Work& w : *walk) {
      // distribute's rule: the tile (group) whose share of the total the work's midpoint falls in.
      const int64_t owner = groups == 1 ? 0 : ((before * 2 + w.weight) * groups) / (total * 2);
      cycles[static_cast<size_t>(std::min(owner, groups - 1))] += w.cycles;
      before += w.weight;
    }
    // The walks are apart by a barrier: each ends with its busiest tile.
    for (size_t t = 0; t < est.tile_cycles.size(); ++t) est.tile_cycles[t] += cycles[t / static_cast<size_t>(share)];
    est.cycles += *std::max_element(cycles.begin(), cycles.end());
  }
  return est;
}

}  // namespace cadre::compiler
