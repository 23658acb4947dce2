#include "cadre/sim/hbm.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "cadre/arch/memory_map.h"
#include "cadre/sim/memory_target.h"

namespace cadre::sim {

Hbm::Hbm(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock)
    : sc_module(name),
      socket("socket"),
      clock_(clock),
      memory_(arch::hbm_region(cfg)),
      burst_shift_(std::countr_zero(cfg.dma.burst_bytes)),
      channels_(cfg.hbm.channels),
      bytes_per_cycle_(arch::hbm_bytes_per_cycle_per_channel(cfg)),
      latency_cycles_(arch::hbm_latency_cycles(cfg)),
      busy_until_(cfg.hbm.channels, 0),
      counted_(cfg.hbm.channels, 0),
      stats_(cfg.hbm.channels),
      l2_tags_(cfg.l2.bytes / cfg.dma.burst_bytes, kNoLine),
      l2_ready_(l2_tags_.size(), 0),
      l2_used_(l2_tags_.size(), 0),
      l2_sets_(std::max<uint64_t>(cfg.l2.bytes / (cfg.dma.burst_bytes * arch::kL2Ways * cfg.hbm.channels), 1)),
      l2_bytes_per_cycle_(static_cast<double>(cfg.l2.bytes_per_cycle) / cfg.hbm.channels),
      l2_latency_cycles_(cfg.l2.latency_cycles),
      l2_busy_until_(cfg.hbm.channels, 0) {
  socket.register_b_transport(this, &Hbm::b_transport);
  socket.register_transport_dbg(this, &Hbm::transport_dbg);
}

void Hbm::make_ahead(BurstTrain& train, uint32_t tile) {
  if (!worker_ || !train.buffer || train.command != tlm::TLM_READ_COMMAND || train.bursts.empty()) return;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const Burst& b : train.bursts) {
    lo = std::min(lo, b.addr);
    hi = std::max(hi, b.addr + b.bytes);
  }
  const int64_t region = memory_.made_region_untouched(lo, hi);
  if (region < 0) return;
  // Runs of bursts consecutive both in chip memory and in their data (a
  // row's), made by one call each.
  std::vector<Burst> runs;
  for (const Burst& b : train.bursts) {
    Burst* last = runs.empty() ? nullptr : &runs.back();
    if (last && last->addr + last->bytes == b.addr && last->data + last->bytes == b.data)
      last->bytes += b.bytes;
    else
      runs.push_back(b);
  }
  train.made_ahead = BurstTrain::MadeAhead{static_cast<size_t>(region), false, tile};
  worker_->submit(tile, [buffer = train.buffer, make = memory_.maker(static_cast<size_t>(region)),
                         runs = std::move(runs)] {
    for (const Burst& run : runs) make(run.addr, {run.data, run.bytes});
  });
}

void Hbm::finish_made_ahead(BurstTrain& train) {
  worker_->wait_for(train.made_ahead->tile);
  train.made_ahead.reset();
}

void Hbm::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  BurstTrain* train = trans.get_extension<BurstTrain>();
  const bool made_ahead = train && train->made_ahead && !train->made_ahead->reads_memory;
  if (made_ahead && !memory_.made_pages_kept(train->made_ahead->region)) {
    // The bytes are made ahead; make_ahead checked the range.
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  } else {
    // From the first burst after a write kept a page of the region, bursts
    // read memory, over the bytes made for them once those are there.
    if (made_ahead) {
      train->made_ahead->reads_memory = true;
      worker_->wait_for(train->made_ahead->tile);
    }
    if (!access(memory_, trans)) return;
  }
  const uint64_t arrival = clock_.to_cycles(sc_core::sc_time_stamp() + delay);
  const uint64_t offset = trans.get_address() - memory_.region().base;
  const uint64_t burst = offset >> burst_shift_;
  // Bursts interleave over the channels: burst b is line b / channels of channel b % channels.
  const uint64_t line_number = channels_.quotient(burst);
  const size_t channel = burst - line_number * channels_.divisor();
  const uint64_t bytes = trans.get_data_length();
  HbmChannelStats& s = stats_[channel];
  // The L2 keeps whole lines: a read of a part of one passes it by, and a
  // write of a part of one makes it stale.
  const bool whole_line = bytes == uint64_t{1} << burst_shift_;
  const L2Lookup line = l2_tags_.empty() ? L2Lookup{0, false} : l2_lookup(channel, line_number);
  if (line.found && !whole_line) l2_tags_[line.line] = kNoLine, l2_used_[line.line] = 0;
  if (line.found && whole_line && trans.is_read()) {
    const uint64_t transfer = sub_cycles(bytes, l2_bytes_per_cycle_);
    const uint64_t start =
        std::max({arrival * kSubCycles, l2_ready_[line.line] * kSubCycles, l2_busy_until_[channel]});
    l2_busy_until_[channel] = start + transfer;
    l2_used_[line.line] = ++l2_uses_;
    ++s.l2_hits;
    s.l2_hit_bytes += bytes;
    delay += clock_.to_time(whole_cycles(start + transfer) + l2_latency_cycles_ - arrival);
    return;
  }
  const uint64_t transfer = sub_cycles(bytes, bytes_per_cycle_);
  const uint64_t start = std::max(arrival * kSubCycles, busy_until_[channel]);
  busy_until_[channel] = start + transfer;
  // The data is there in the cycle the transfer ends.
  const uint64_t done = whole_cycles(start + transfer);
  // A whole line read or written is in the slice once its data is: a read's
  // when the channel returns it, a write's when the channel has taken it.
  if (!l2_tags_.empty() && whole_line) {
    l2_tags_[line.line] = line_number;
    l2_ready_[line.line] = trans.is_read() ? done + latency_cycles_ : done;
    l2_used_[line.line] = ++l2_uses_;
  }
  ++s.accesses;
  s.bytes += bytes;
  // Busy cycles: the cycles in which the channel moved data (a cycle shared
  // by two transfers counts once).
  const uint64_t first = std::max(start / kSubCycles, counted_[channel]);
  if (done > first) s.busy_cycles += done - first;
  counted_[channel] = std::max(counted_[channel], done);
  s.wait_cycles += whole_cycles(start) - arrival;
  delay += clock_.to_time(done + latency_cycles_ - arrival);
}

Hbm::L2Lookup Hbm::l2_lookup(size_t channel, uint64_t line_number) const {
  const size_t set = (channel * l2_sets_.divisor() + l2_sets_.remainder(line_number)) * arch::kL2Ways;
  for (size_t w = set; w < set + arch::kL2Ways; ++w)
    if (l2_tags_[w] == line_number) return {w, true};
  // An empty way was never used (or made stale: used 0 again).
  size_t victim = set;
  for (size_t w = set + 1; w < set + arch::kL2Ways; ++w)
    if (l2_used_[w] < l2_used_[victim]) victim = w;
  return {victim, false};
}

unsigned int Hbm::transport_dbg(tlm::tlm_generic_payload& trans) {
  return access(memory_, trans) ? trans.get_data_length() : 0;
}

Interconnect::Interconnect(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock)
    : sc_module(name),
      ram_socket("ram_socket"),
      hbm_socket("hbm_socket"),
      clock_(clock),
      calendar_(kCalendarCycles),
      ram_(arch::ram_region(cfg)),
      hbm_(arch::hbm_region(cfg)),
      link_latency_cycles_(cfg.interconnect.latency_cycles),
      link_width_(cfg.interconnect.bytes_per_cycle),
      tiles_(cfg.tiles) {
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
  SC_METHOD(release_due);
  sensitive << due_;
  dont_initialize();
}

tlm_utils::simple_initiator_socket<Interconnect>* Interconnect::route(uint64_t addr) {
  if (ram_.contains(addr)) return &ram_socket;
  if (hbm_.contains(addr)) return &hbm_socket;
  return nullptr;
}

void Interconnect::b_transport(int tile, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (auto* train = trans.get_extension<BurstTrain>()) {
    if (made_ahead_in_ && tile >= static_cast<int>(tiles_)) made_ahead_in_->make_ahead(*train, tile - tiles_);
    // The bursts carry the train to the HBM, which reads whether their bytes are made ahead.
    tlm::tlm_generic_payload burst;
    burst.set_extension(train);
    Request r{tile, 0, &burst, sc_core::SC_ZERO_TIME, {}, train};
    if (!advance(r, clock_.now_cycles())) sc_core::wait(r.granted);
    burst.clear_extension(train);
    if (made_ahead_in_ && train->made_ahead) made_ahead_in_->finish_made_ahead(*train);
    trans.set_response_status(train->failed ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
    return;
  }
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
  Request r{tile, 0, &trans, sc_core::SC_ZERO_TIME, {}};
  // Initiators' delays are whole cycles (Clock).
  const uint64_t now = clock_.now_cycles();
  request(r, now + clock_.to_cycles(delay), now);
  sc_core::wait(r.granted);
  delay = r.delay;
}

void Interconnect::request(Request& r, uint64_t cycle, uint64_t now) {
  r.order = requests_made_++;
  // A request ahead of SystemC time is held until then rather than its
  // initiator waiting for it: one wait per request, not two.
  if (cycle == now) {
    ready_.push_back(&r);
    arrived_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  if (cycle - now < kCalendarCycles) hold(r, cycle);
  else later_.push({cycle, &r});
  if (cycle < next_due_) {
    next_due_ = cycle;
    due_.notify(clock_.to_time(cycle - now));
  }
}

void Interconnect::hold(Request& r, uint64_t cycle) {
  std::vector<Request*>& bucket = calendar_[cycle % kCalendarCycles];
  if (bucket.empty()) due_cycles_.push(cycle);
  bucket.push_back(&r);
}

bool Interconnect::advance(Request& r, uint64_t now) {
  BurstTrain& t = *r.train;
  tlm::tlm_generic_payload& p = *r.trans;
  while (!t.finished()) {
    const Burst& b = t.bursts[t.issued_bursts];
    auto* target = route(b.addr);
    if (!target) {
      t.failed = true;
      break;
    }
    const uint64_t issue = t.next_issue();
    p.set_command(t.command);
    p.set_address(b.addr);
    p.set_data_ptr(b.data);
    p.set_data_length(static_cast<unsigned int>(b.bytes));
    p.set_streaming_width(static_cast<unsigned int>(b.bytes));
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    // RAM bursts complete as they issue, without waiting.
    if (target == &ram_socket) {
      sc_core::sc_time delay = clock_.to_time(issue - now);
      ram_socket->b_transport(p, delay);
      if (!p.is_response_ok()) {
        t.failed = true;
        break;
      }
      t.issued(clock_.to_cycles(sc_core::sc_time_stamp() + delay));
      continue;
    }
    request(r, issue, now);
    return false;
  }
  return true;
}

void Interconnect::release_due() {
  const uint64_t now = clock_.now_cycles();
  // Requests beyond the calendar's reach move into it as they come within it.
  while (!later_.empty() && later_.top().cycle - now < kCalendarCycles) {
    hold(*later_.top().request, later_.top().cycle);
    later_.pop();
  }
  if (!due_cycles_.empty() && due_cycles_.top() == now) {
    due_cycles_.pop();
    std::vector<Request*>& bucket = calendar_[now % kCalendarCycles];
    ready_.insert(ready_.end(), bucket.begin(), bucket.end());
    bucket.clear();
    arrived_.notify(sc_core::SC_ZERO_TIME);
  }
  next_due_ = std::min(due_cycles_.empty() ? UINT64_MAX : due_cycles_.top(),
                       later_.empty() ? UINT64_MAX : later_.top().cycle);
  if (next_due_ != UINT64_MAX) due_.notify(clock_.to_time(next_due_ - now));
}

void Interconnect::arbitrate() {
  // Requests a train makes while granted here are for later cycles.
  std::vector<Request*> granted;
  granted.swap(ready_);
  std::sort(granted.begin(), granted.end(), [](const Request* a, const Request* b) { return *a < *b; });
  const uint64_t now = clock_.now_cycles();
  for (Request* request : granted) {
    Request& r = *request;
    // The tile's link is its own (no contention): latency, then the bytes at its width.
    const uint64_t bytes = r.trans->get_data_length();
    r.delay = clock_.to_time(link_latency_cycles_ + link_width_.quotient_up(bytes));
    hbm_socket->b_transport(*r.trans, r.delay);  // the HBM model never waits
    if (r.train) {
      if (r.trans->is_response_ok()) r.train->issued(clock_.to_cycles(sc_core::sc_time_stamp() + r.delay));
      else r.train->failed = true;
      if (!advance(r, now)) continue;
    }
    r.granted.notify();
  }
  // Keep the vector's storage for the next arbitration.
  if (ready_.empty()) {
    granted.clear();
    ready_.swap(granted);
  }
}

bool Interconnect::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  return ram_.contains(trans.get_address()) && ram_socket->get_direct_mem_ptr(trans, dmi);
}

unsigned int Interconnect::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  auto* target = route(trans.get_address());
  return target ? (*target)->transport_dbg(trans) : 0;
}

}  // namespace cadre::sim
