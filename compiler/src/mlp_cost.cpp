#include "mlp_cost.h"

#include <algorithm>

#include "cadre/cost/cost.h"

namespace cadre::compiler {

double weight_load_cycles(const arch::ArchConfig& a, uint64_t rows, uint64_t row_bytes) {
  const double issue = static_cast<double>(cost::dma_issue_cycles(a, rows, row_bytes, 0x1'0000'0000ull, 0));
  const double whole = static_cast<double>(cost::dma_transfer_cycles(a, rows, row_bytes, 0x1'0000'0000ull, 0));
  const double share = static_cast<double>(rows * row_bytes) / (arch::hbm_bytes_per_cycle(a) / a.tiles);
  // Overlapped DMA commands cost the queue their issue, but the tile's full
  // signal waits for its last burst to land: the queue holds the next tile's
  // loads behind it for the round trip's tail. Otherwise each command costs
  // its whole round trip.
  if (a.dma.overlap_commands) return std::max(issue, share) + (whole - issue);
  return std::max(whole, share);
}

MlpCycles mlp_phase_cycles(const arch::ArchConfig& a, const MlpShape& s, const MlpTiling& t, uint64_t r) {
  const uint64_t eb = s.fp8 ? 1 : 2, H = s.hidden, W = s.width, S = t.slice, KC = t.k_chunk, NC = t.n_chunk;
  // One block of m rows; every full block costs the same.
  const auto block = [&](uint64_t m) {
    MlpCycles c;
    const uint64_t parts = t.split ? 2 : 1, n_a = 2 * S / parts;
    // stream_x: each gate/up tile comes with the block's m rows of its K chunk of x.
    const double load_a = weight_load_cycles(a, n_a + (t.stream_x ? m : 0), KC * eb),
                 mm_a = static_cast<double>(cost::matmul_timing(a, m, n_a, KC).total());
    c.gate_up += static_cast<double>((W / S) * (H / KC) * parts) * std::max(load_a, mm_a);
    c.gate_up += static_cast<double>((W / S) * 3 * cost::vector_cycles(a, isa::Op::VecConvert, {1, m * 2 * S, 0, 0}));
    // stream_h: each slice goes out to HBM once (the tile's share of HBM)
    // and comes back with every down tile, as m more rows of it.
    if (t.stream_h)
      c.gate_up += static_cast<double>(W * eb * m) / (arch::hbm_bytes_per_cycle(a) / a.tiles);
    const double load_b = weight_load_cycles(a, NC + (t.stream_h ? m : 0), S * eb),
                 mm_b = static_cast<double>(cost::matmul_timing(a, m, NC, S).total());
    c.down += static_cast<double>((H / NC) * (W / S)) * std::max(load_b, mm_b);
    return c;
  };
  MlpCycles c;
  if (r >= t.rows) {
    const MlpCycles full = block(t.rows);
    const double blocks = static_cast<double>(r / t.rows);
    c.gate_up = blocks * full.gate_up, c.down = blocks * full.down;
  }
  if (r % t.rows) {
    const MlpCycles rest = block(r % t.rows);
    c.gate_up += rest.gate_up, c.down += rest.down;
  }
  return c;
}

double mlp_cycles(const arch::ArchConfig& a, const MlpShape& s, const MlpTiling& t, uint64_t r) {
  return mlp_phase_cycles(a, s, t, r).total();
}

}  // namespace cadre::compiler
