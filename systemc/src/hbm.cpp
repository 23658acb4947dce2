#include "cadre/sim/hbm.h"

#include <algorithm>
#include <cmath>

#include "cadre/arch/memory_map.h"
#include "cadre/sim/memory_target.h"

namespace cadre::sim {

Hbm::Hbm(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock)
    : sc_module(name),
      socket("socket"),
      clock_(clock),
      memory_(arch::hbm_region(cfg)),
      burst_bytes_(cfg.dma.burst_bytes),
      bytes_per_cycle_(arch::hbm_bytes_per_cycle_per_channel(cfg)),
      latency_cycles_(arch::hbm_latency_cycles(cfg)),
      busy_until_(cfg.hbm.channels, 0),
      counted_(cfg.hbm.channels, 0),
      stats_(cfg.hbm.channels) {
  socket.register_b_transport(this, &Hbm::b_transport);
  socket.register_transport_dbg(this, &Hbm::transport_dbg);
}

void Hbm::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!access(memory_, trans)) return;
  const uint64_t arrival = clock_.to_cycles(sc_core::sc_time_stamp() + delay);
  const uint64_t offset = trans.get_address() - memory_.region().base;
  const size_t channel = (offset / burst_bytes_) % busy_until_.size();
  const uint64_t bytes = trans.get_data_length();
  const auto transfer = static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) * kSubCycles / bytes_per_cycle_));
  const uint64_t start = std::max(arrival * kSubCycles, busy_until_[channel]);
  busy_until_[channel] = start + transfer;
  // The data is there in the cycle the transfer ends.
  const uint64_t done = (start + transfer + kSubCycles - 1) / kSubCycles;
  HbmChannelStats& s = stats_[channel];
  ++s.accesses;
  s.bytes += bytes;
  // Busy cycles: the cycles in which the channel moved data (a cycle shared
  // by two transfers counts once).
  const uint64_t first = std::max(start / kSubCycles, counted_[channel]);
  if (done > first) s.busy_cycles += done - first;
  counted_[channel] = std::max(counted_[channel], done);
  s.wait_cycles += (start + kSubCycles - 1) / kSubCycles - arrival;
  delay += clock_.to_time(done + latency_cycles_ - arrival);
}

unsigned int Hbm::transport_dbg(tlm::tlm_generic_payload& trans) {
  return access(memory_, trans) ? trans.get_data_length() : 0;
}

Interconnect::Interconnect(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock)
    : sc_module(name),
      ram_socket("ram_socket"),
      hbm_socket("hbm_socket"),
      clock_(clock),
      ram_(arch::ram_region(cfg)),
      hbm_(arch::hbm_region(cfg)),
      link_latency_cycles_(cfg.interconnect.latency_cycles),
      link_bytes_per_cycle_(cfg.interconnect.bytes_per_cycle) {
  for (uint32_t t = 0; t < 2 * cfg.tiles; ++t) {
    auto s = std::make_unique<tlm_utils::simple_target_socket_tagged<Interconnect>>(
        sc_core::sc_gen_unique_name(t < cfg.tiles ? "tile_socket" : "dma_socket"));
    const int tag = static_cast<int>(t);
    s->register_b_transport(this, &Interconnect::b_transport, tag);
    s->register_get_direct_mem_ptr(this, &Interconnect::get_direct_mem_ptr, tag);
    s->register_transport_dbg(this, &Interconnect::transport_dbg, tag);
    (t < cfg.tiles ? tile_sockets : dma_sockets).push_back(std::move(s));
  }
  SC_HAS_PROCESS(Interconnect);
  SC_METHOD(arbitrate);
  sensitive << arrived_;
  dont_initialize();
}

tlm_utils::simple_initiator_socket<Interconnect>* Interconnect::route(uint64_t addr) {
  if (ram_.contains(addr)) return &ram_socket;
  if (hbm_.contains(addr)) return &hbm_socket;
  return nullptr;
}

void Interconnect::b_transport(int tile, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  auto* target = route(trans.get_address());
  if (!target) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  // RAM is the core's program memory, timed by the core's own model.
  if (target == &ram_socket) {
    ram_socket->b_transport(trans, delay);
    return;
  }
  if (delay != sc_core::SC_ZERO_TIME) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
  Request request{tile, &trans, sc_core::SC_ZERO_TIME, {}};
  pending_.push_back(&request);
  arrived_.notify(sc_core::SC_ZERO_TIME);
  sc_core::wait(request.granted);
  delay = request.delay;
}

void Interconnect::arbitrate() {
  std::stable_sort(pending_.begin(), pending_.end(), [](const Request* a, const Request* b) { return a->tile < b->tile; });
  for (Request* r : pending_) {
    // The tile's link is its own (no contention): latency, then the bytes at its width.
    const uint64_t bytes = r->trans->get_data_length();
    r->delay = clock_.to_time(link_latency_cycles_ + (bytes + link_bytes_per_cycle_ - 1) / link_bytes_per_cycle_);
    hbm_socket->b_transport(*r->trans, r->delay);  // the HBM model never waits
    r->granted.notify();
  }
  pending_.clear();
}

bool Interconnect::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  return ram_.contains(trans.get_address()) && ram_socket->get_direct_mem_ptr(trans, dmi);
}

unsigned int Interconnect::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  auto* target = route(trans.get_address());
  return target ? (*target)->transport_dbg(trans) : 0;
}

}  // namespace cadre::sim
