// The cycles each Xcadre instruction keeps its unit busy on a given
// architecture, from plain operand values: the timing formulas of
// docs/accelerator.md, written once for the simulator's units, the compiler's
// tiling and the fast model. Every cost here is free of contention: bank
// conflicts (they depend on where the operands lie) and waits for an HBM
// channel (they depend on other traffic) are the simulator's, on top.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/common/int_math.h"
#include "cadre/isa/xcadre.h"

namespace cadre::cost {

// Configuration commands (cdma.*.cfg, cdma.*.idx, cmx.cfg, cmx.preload,
// cvec.q.cfg, cvec.route.cfg) keep their unit busy for one cycle.
inline constexpr uint64_t kConfigCycles = 1;

// ---- Matrix engine ----

// A weight-stationary GEMM C[M x N] = A[M x K] * B[N x K]^T on an R x C array:
// B is cut into F = ceil(K/R) * ceil(N/C) folds; each fold preloads its
// weights (P = ceil(R / preload_rows_per_cycle) cycles), then streams the M
// rows of A: the first result leaves after the fill (R + C - 2 cycles past
// the first row) and one row follows each cycle, R + C + M - 2 cycles in all.
//
// - One weight register per cell (weight_buffers 1): a fold's preload waits
//   for the previous fold to drain: F * (P + R + C + M - 2). With P = R this
//   is SCALE-Sim's weight-stationary formula.
// - Two (weight_buffers 2): the next fold's weights load into the second
//   registers while the current fold streams, and folds stream back to back:
//   the first preload, then each fold after the first waits for the later of
//   its preload and the previous fold's rows, then the last fold's rows and
//   the drain: P + (F - 1) * max(P, M) + M + R + C - 2.
struct MatrixTiming {
  uint64_t folds = 0;
  uint64_t preload_cycles = 0;  // per fold: P
  uint64_t stream_cycles = 0;   // per fold: fill + stream + drain, R + C + M - 2
  uint64_t rows = 0;            // M
  uint32_t weight_buffers = 1;
  uint64_t total() const {
    if (weight_buffers == 1) return folds * (preload_cycles + stream_cycles);
    return preload_cycles + (folds - 1) * std::max(preload_cycles, rows) + stream_cycles;
  }
};
// SCALE-Sim's timing (one weight register, one row of weights a cycle).
MatrixTiming ws_timing(uint64_t rows, uint64_t cols, uint64_t m, uint64_t n, uint64_t k);
// cmx.mm and cmx.mm.acc: A[m x k] times the preloaded B[n x k] on the configured array.
MatrixTiming matmul_timing(const arch::ArchConfig& cfg, uint64_t m, uint64_t n, uint64_t k);

// ---- Vector unit ----

// Pipeline fill of the lanes before the first sweep of a data command.
inline constexpr uint64_t kVectorStartupCycles = 4;

// startup + rows * passes * ceil(cols / lanes): a command that sweeps each of
// `rows` rows of `cols` elements `passes` times.
uint64_t vector_sweep_cycles(uint64_t lanes, uint64_t rows, uint64_t cols, uint64_t passes);

// How many times a vector command sweeps each row: passes + passes_per_k * k.
// A command without passes is a configuration command (kConfigCycles).
struct VectorPasses {
  isa::Op op;
  uint64_t passes;
  uint64_t passes_per_k;  // more per expert chosen (top-k)
  bool fills_lists;       // ceil(capacity / lanes) more to write padded lists (cvec.align)
};
// One row per instruction of the vector unit, in the ISA table's order.
std::span<const VectorPasses> vector_passes_table();
// The row of `op`; std::invalid_argument when the vector unit does not carry it out.
const VectorPasses& vector_passes(isa::Op op);

// What a vector command sweeps: `rows` rows of `cols` elements (1 x n for a
// command over n elements), `k` experts chosen per row (cvec.topk,
// cvec.gtopk), and the length of the padded lists (cvec.align: capacity).
struct VectorShape {
  uint64_t rows = 1;
  uint64_t cols = 0;
  uint64_t k = 0;
  uint64_t capacity = 0;
};
struct VectorTiming {
  uint64_t sweep_cycles = 0;  // rows * passes * ceil(cols / lanes): the operands stream
  uint64_t other_cycles = 0;  // the startup and the list fill, or a configuration command's cycle
  uint64_t total() const { return sweep_cycles + other_cycles; }
};
VectorTiming vector_timing(const arch::ArchConfig& cfg, isa::Op op, const VectorShape& shape);
uint64_t vector_cycles(const arch::ArchConfig& cfg, isa::Op op, const VectorShape& shape);

// ---- DMA ----

// The bytes of the burst that starts at chip address `addr` with `left` bytes
// of a row still to move: bursts are aligned to dma.burst_bytes, so that each
// falls in one HBM channel.
uint64_t burst_bytes_at(const arch::ArchConfig& cfg, uint64_t addr, uint64_t left);
// Cycles the tile's link takes to send `bytes`: the interval between bursts.
uint64_t link_cycles(const arch::ArchConfig& cfg, uint64_t bytes);
// From issue to completion of a burst of `bytes` to HBM with its channel free:
// link latency + link cycles + channel cycles + HBM latency.
uint64_t hbm_burst_cycles(const arch::ArchConfig& cfg, uint64_t bytes);

// The same for a read of a whole line that the channel's L2 slice holds:
// link latency + link cycles + slice cycles (bytes over l2.bytes_per_cycle /
// hbm.channels) + L2 latency.
uint64_t l2_hit_burst_cycles(const arch::ArchConfig& cfg, uint64_t bytes);

// When the bursts of one DMA command issue: one at a time on the tile's link,
// each after the previous one has been sent, and at most
// dma.max_outstanding_bursts in flight (burst i waits for burst i - max to
// complete). Completion times come from whoever models the memory.
class BurstPipeline {
 public:
  BurstPipeline(const arch::ArchConfig& cfg, uint64_t start_cycle);
  // The cycle the next burst issues.
  uint64_t next_issue() const;
  // The cycle the link is free for the next burst; next_issue() is later when
  // the outstanding limit holds it back.
  uint64_t link_free() const { return link_free_; }
  // A burst of `bytes` issued at next_issue() that completes at `done`.
  void issue(uint64_t bytes, uint64_t done);
  // The next burst issues no earlier than `cycle` (a queue resuming after idling).
  void resume_at(uint64_t cycle) { link_free_ = std::max(link_free_, cycle); }
  // The latest completion so far (the start cycle before any burst).
  uint64_t last_done() const { return last_done_; }

 private:
  common::Divisor link_width_;  // interconnect.bytes_per_cycle
  uint64_t link_free_;
  // Completion cycles of the latest bursts in issue order: a ring of
  // dma.max_outstanding_bursts entries, the oldest at in_flight_[oldest_]
  // (the simulator issues billions of bursts through it).
  std::vector<uint64_t> in_flight_;
  size_t oldest_ = 0, count_ = 0;
  uint64_t last_done_;
};

// cdma.ld and cdma.st of `rows` rows of `row_bytes` at `chip_addr`, row i at
// chip_addr + i * chip_stride (0: packed), with no burst waiting for its
// channel; RAM is untimed (a burst completes when it issues). A cdma.gather
// of the same rows costs the same, and so does any gather without padding
// rows (-1) when the stride is a multiple of dma.burst_bytes: each row then
// splits into the same bursts wherever it lies.
// With /dma/overlap_commands, a queue moves on to the next command once this
// one's last burst has left the link: the cycles from the first burst's issue
// until then (its completion overlaps what follows).
uint64_t dma_issue_cycles(const arch::ArchConfig& cfg, uint64_t rows, uint64_t row_bytes, uint64_t chip_addr,
                          uint64_t chip_stride);
uint64_t dma_transfer_cycles(const arch::ArchConfig& cfg, uint64_t rows, uint64_t row_bytes, uint64_t chip_addr,
                             uint64_t chip_stride);
// The order in which a cdma.scatadd reads and writes back its rows, with
// dma.scatter_add_rows_in_flight = D: each row's reads, and after them the
// writes of the row read D - 1 rows earlier. A row's writes issue once every
// burst issued up to its reads has completed (its own reads, and the writes
// before them), so about D rows at most are between read and write-back. A
// row whose destination is also a pending row's (read, not yet written)
// first lets the pending rows up to that one write back, so that updates of
// one destination apply in list order. Rows whose destination is -1
// (padding) are skipped. D = 1: read, write, read, write.
struct ScatterAddStep {
  uint64_t row = 0;
  bool write = false;
};
std::vector<ScatterAddStep> scatter_add_order(std::span<const int32_t> destinations, uint32_t rows_in_flight);

// cdma.scatadd of `rows` rows into destination rows of `row_bytes`, table row
// i at chip_addr + i * chip_stride (0: packed), for the index list 0, 1, ...,
// rows - 1 (or any list without -1 or repeats, as for a gather), in the order
// scatter_add_order gives.
uint64_t dma_scatter_add_cycles(const arch::ArchConfig& cfg, uint64_t rows, uint64_t row_bytes, uint64_t chip_addr,
                                uint64_t chip_stride);

}  // namespace cadre::cost
