// HBM shared by all tiles, and the interconnect that links each tile to it
// and to the RAM. Timing (docs/simulator.md): a request crosses the tile's
// link (interconnect latency + bytes / link width), waits for its channel
// (bursts of dma.burst_bytes interleave across channels), occupies the channel
// for bytes / channel bandwidth and returns after the HBM latency. With an L2
// (/l2/bytes), a read of a whole line the channel's slice holds occupies the
// slice instead, for bytes / its bandwidth, and returns after the L2 latency.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cmath>
#include <functional>
#include <memory>
#include <queue>
#include <tuple>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/common/int_math.h"
#include "cadre/sim/burst_train.h"
#include "cadre/sim/clock.h"
#include "cadre/sim/host_worker.h"
#include "cadre/sim/sparse_memory.h"

namespace cadre::sim {

struct HbmChannelStats {
  uint64_t accesses = 0;
  uint64_t bytes = 0;
  uint64_t busy_cycles = 0;  // cycles the channel spent transferring data
  uint64_t wait_cycles = 0;  // summed over accesses: cycles each waited for the channel (contention)
  uint64_t l2_hits = 0;      // reads its L2 slice returned (not in accesses or bytes)
  uint64_t l2_hit_bytes = 0;
};

class Hbm : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Hbm> socket;

  Hbm(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock);

  SparseMemory& memory() { return memory_; }
  const std::vector<HbmChannelStats>& channel_stats() const { return stats_; }

  // Where made bytes may be made ahead (nullptr: as each burst is granted).
  void set_worker(HostWorker* worker) { worker_ = worker; }
  // A read train of tile `tile` with a buffer, wholly inside one made region
  // none of whose pages is kept: its bytes are made into its bursts' data on
  // the worker from now on, and its bursts move no data when granted (they
  // are timed as ever) while that stays so. The bytes of a made region depend
  // only on their address, so they are those the bursts would read.
  // Otherwise nothing happens.
  void make_ahead(BurstTrain& train, uint32_t tile);
  // After the train's last burst: waits for the bytes made ahead.
  void finish_made_ahead(BurstTrain& train);

 private:
  // No DMI: every access goes through b_transport so that it is timed.
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

  const Clock& clock_;
  SparseMemory memory_;
  HostWorker* worker_ = nullptr;
  uint64_t burst_shift_;  // log2(dma.burst_bytes), a power of two
  common::Divisor channels_;
  double bytes_per_cycle_;   // one channel
  uint64_t latency_cycles_;
  // Channel time in 1/2^16 cycles: a channel of b bytes a cycle takes
  // bytes / b cycles for a request, fractions included, so it delivers its
  // full bandwidth whatever the burst size; delays are rounded up to cycles.
  static constexpr uint64_t kSubCycles = uint64_t{1} << 16;
  // The sub-cycles `bytes` take at `bytes_per_cycle`, fractions rounded up.
  static uint64_t sub_cycles(uint64_t bytes, double bytes_per_cycle) {
    return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) * kSubCycles / bytes_per_cycle));
  }
  // The cycle a time in sub-cycles falls in, rounded up.
  static uint64_t whole_cycles(uint64_t sub) { return (sub + kSubCycles - 1) / kSubCycles; }
  std::vector<uint64_t> busy_until_;  // per channel, when it is free (sub-cycles)
  std::vector<uint64_t> counted_;     // per channel, the cycles up to which busy_cycles has counted
  std::vector<HbmChannelStats> stats_;

  // The L2's lines: per channel a slice of sets x kL2Ways, way w of set s
  // of slice c at index (c * sets + s) * kL2Ways + w. A line is the
  // burst-aligned block of its channel's line number (burst number within
  // the channel) l2_tags_[i], there from cycle l2_ready_[i]; l2_used_[i] is
  // when it was last used, for least-recently-used replacement. The tags
  // are apart, so that a lookup reads two host cache lines.
  static constexpr uint64_t kNoLine = UINT64_MAX;
  struct L2Lookup {
    size_t line;     // the index of the line found, or of the way to replace
    bool found;
  };
  L2Lookup l2_lookup(size_t channel, uint64_t line_number) const;
  std::vector<uint64_t> l2_tags_;  // empty: no L2
  std::vector<uint64_t> l2_ready_;
  std::vector<uint64_t> l2_used_;
  common::Divisor l2_sets_;
  double l2_bytes_per_cycle_;  // one slice
  uint64_t l2_latency_cycles_;
  uint64_t l2_uses_ = 0;
  std::vector<uint64_t> l2_busy_until_;  // per slice (sub-cycles)
};

// HBM requests are granted in cycle order, and requests of the same cycle in
// tile order, so that channel contention never depends on the order SystemC
// happens to run the tiles' threads in (which the quantum changes). A request
// made for a time ahead of SystemC time is held until then, and granted with
// the requests made at that time.
class Interconnect : public sc_core::sc_module {
 public:
  // One port per tile for its core (tag: the tile id) and one for its DMA
  // engine (tag: tiles + tile id, so that a core's request of a cycle is
  // granted before the DMA's).
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<Interconnect>>> tile_sockets;
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<Interconnect>>> dma_sockets;
  tlm_utils::simple_initiator_socket<Interconnect> ram_socket;
  tlm_utils::simple_initiator_socket<Interconnect> hbm_socket;

  Interconnect(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock);
  // The HBM behind hbm_socket, asked to make a read train's bytes ahead
  // (Hbm::make_ahead); nullptr: never.
  void make_ahead_in(Hbm* hbm) { made_ahead_in_ = hbm; }

 private:
  // A request; its initiator waits in b_transport until it is granted. A DMA
  // port may have two (the load queue's and the store queue's). Requests of
  // one arbitration are granted in tile order, a tile's in the order made.
  // A burst train is one request made again for each burst.
  struct Request {
    int tile;        // the port's tag
    uint64_t order;  // requests made before it
    tlm::tlm_generic_payload* trans;
    sc_core::sc_time delay;
    sc_core::sc_event granted;
    BurstTrain* train = nullptr;
    bool operator<(const Request& o) const { return std::tie(tile, order) < std::tie(o.tile, o.order); }
  };
  // A request held for a cycle beyond the calendar's reach.
  struct Later {
    uint64_t cycle;
    Request* request;
    bool operator>(const Later& o) const { return cycle > o.cycle; }
  };
  // Requests made ahead of SystemC time, by the cycle they are due: a ring of
  // kCalendarCycles buckets (bucket cycle % kCalendarCycles), most bursts
  // being due a few cycles ahead, and a heap for the rest. Within a cycle the
  // arbiter orders them, so a bucket keeps them in any order.
  static constexpr uint64_t kCalendarCycles = 1024;
  void hold(Request& r, uint64_t cycle);

  void b_transport(int tile, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int tile, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(int tile, tlm::tlm_generic_payload& trans);
  // The target of an address; nullptr outside RAM and HBM.
  tlm_utils::simple_initiator_socket<Interconnect>* route(uint64_t addr);
  // Makes the request for `cycle` (now or later).
  void request(Request& r, uint64_t cycle, uint64_t now);
  // Issues a train's bursts up to its next HBM burst, whose request it makes;
  // true when none is left (or one failed). `now`: SystemC time in cycles.
  bool advance(Request& r, uint64_t now);
  // SC_METHOD at the cycle of requests made ahead of it: they join the
  // requests made then, as if their initiators had waited until then first.
  void release_due();
  // SC_METHOD, one delta after requests arrive: grants them in tile order.
  void arbitrate();

  const Clock& clock_;
  std::vector<Request*> ready_;  // granted at the next arbitration
  std::vector<std::vector<Request*>> calendar_;
  // The cycles whose buckets hold requests, each once, earliest first.
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<>> due_cycles_;
  std::priority_queue<Later, std::vector<Later>, std::greater<>> later_;
  uint64_t next_due_ = UINT64_MAX;  // the cycle due_ is notified for
  uint64_t requests_made_ = 0;
  sc_core::sc_event arrived_, due_;
  arch::Region ram_, hbm_;
  uint64_t link_latency_cycles_;
  common::Divisor link_width_;  // interconnect.bytes_per_cycle
  uint32_t tiles_;
  Hbm* made_ahead_in_ = nullptr;
};

}  // namespace cadre::sim
