// The core's SystemC side: the thread loop with temporal decoupling, fetch
// through the decoded-page cache, memory through DMI or TLM, and faults.
#include "cadre/sim/core.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "cadre/arch/memory_map.h"
#include "cadre/isa/disasm.h"

namespace cadre::sim {

Core::Core(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, const CoreParams& params,
           CoreHost& host)
    : sc_module(name),
      local_socket("local_socket"),
      chip_socket("chip_socket"),
      clock_(clock),
      params_(params),
      timing_(CoreTiming::from(cfg.core)),
      scratchpad_(arch::scratchpad_region(cfg)),
      ram_(arch::ram_region(cfg)),
      hbm_(arch::hbm_region(cfg)),
      stack_(arch::stack_region(cfg, params.tile)),
      lowest_stack_base_(arch::stack_region(cfg, cfg.tiles - 1).base),
      host_(host) {
  SC_HAS_PROCESS(Core);
  SC_THREAD(run);
}

CoreStats Core::stats() const {
  CoreStats s = stats_;
  s.instructions_by_tag[tag_] += stats_.instructions - tag_since_;
  return s;
}

void Core::reset(uint64_t entry) {
  pc_ = entry;
  x_[10] = params_.tile;   // a0
  x_[11] = params_.tiles;  // a1
  x_[2] = stack_.end();    // sp
}

void Core::run() {
  qk_.reset();
  while (!stopped_) {
    // Run to the next global quantum boundary (or the cycle limit) without
    // involving SystemC; the boundaries are the same for every core.
    uint64_t limit = (cycle_ / params_.quantum_cycles + 1) * params_.quantum_cycles;
    if (params_.max_cycles != 0) limit = std::min(limit, params_.max_cycles);
    const uint64_t start = cycle_, retired = stats_.instructions;
    execute_until(limit);
    host_.core_span(params_.tile, "run", start, cycle_, stats_.instructions - retired);
    if (!stopped_ && params_.max_cycles != 0 && cycle_ >= params_.max_cycles) {
      uint32_t word = 0;
      const bool fetched = read_debug(pc_, reinterpret_cast<uint8_t*>(&word), 4);
      fault(SimErrorKind::MaxCycles, fmt::format("the run reached its limit of {} cycles", params_.max_cycles),
            fetched ? std::optional<uint32_t>(word) : std::nullopt);
    }
    sync();
  }
  host_.core_stopped(params_.tile);
}

void Core::execute_until(uint64_t limit) {
  while (cycle_ < limit && !stopped_) {
    if ((pc_ >> 12) != code_page_number_ && !enter_code_page()) return;
    const uint64_t offset = pc_ & 4095;
    uint32_t word;
    std::memcpy(&word, code_host_ + offset, 4);
    Decoded& d = code_page_->slots[offset >> 2];
    if (d.word != word) d = {word, isa::decode_rv64(word)};
    step(d.insn, word);
  }
}

bool Core::enter_code_page() {
  uint8_t* host = dmi_host(pc_);
  if (!host) host = dmi_fill(pc_);
  // Jumps check their targets, so only running off the end of a memory gets here.
  if (!host)
    return fault(SimErrorKind::FetchFault,
                 fmt::format("execution ran past the end of memory to {:#x} (code runs from RAM or the scratchpad)",
                             pc_),
                 std::nullopt);
  code_page_number_ = pc_ >> 12;
  code_host_ = host - (pc_ & 4095);
  std::unique_ptr<CodePage>& page = code_pages_[code_page_number_];
  if (!page) {
    // Zero-filled slots must hold what the word 0 decodes to.
    page = std::make_unique<CodePage>();
    page->slots.fill({0, isa::decode_rv64(0)});
  }
  code_page_ = page.get();
  return true;
}

void Core::sync() {
  qk_.set(clock_.to_time(cycle_) - sc_core::sc_time_stamp());
  qk_.sync();
}

uint8_t* Core::dmi_fill(uint64_t addr) {
  tlm_utils::simple_initiator_socket<Core>* socket = nullptr;
  if (scratchpad_.contains(addr))
    socket = &local_socket;
  else if (ram_.contains(addr))
    socket = &chip_socket;
  else
    return nullptr;
  tlm::tlm_generic_payload trans;
  trans.set_address(addr);
  trans.set_command(tlm::TLM_READ_COMMAND);
  tlm::tlm_dmi dmi;
  const uint64_t page = addr >> 12, base = page << 12;
  if (!(*socket)->get_direct_mem_ptr(trans, dmi) || !dmi.is_read_write_allowed() ||
      dmi.get_start_address() > base || dmi.get_end_address() < base + 4095)
    return nullptr;
  uint8_t* page_host = dmi.get_dmi_ptr() + (base - dmi.get_start_address());
  dmi_[page % kDmiLines] = {page, page_host};
  return page_host + (addr & 4095);
}

bool Core::access(tlm::tlm_command command, uint64_t addr, uint8_t* data, unsigned size, uint32_t word) {
  const char* what = command == tlm::TLM_READ_COMMAND ? "load from" : "store to";
  // DMI covers the scratchpad and RAM; everything else the core reaches is HBM.
  if (!hbm_.contains(addr, size))
    return fault(SimErrorKind::AccessFault,
                 fmt::format("{}-byte {} {:#x} is outside every memory the core reaches (scratchpad, RAM, HBM)",
                             size, what, addr),
                 word);
  // HBM is shared: synchronise first so that every tile's requests reach it
  // in time order, whatever the quantum.
  sync();
  tlm::tlm_generic_payload trans;
  trans.set_command(command);
  trans.set_address(addr);
  trans.set_data_ptr(data);
  trans.set_data_length(size);
  trans.set_streaming_width(size);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  chip_socket->b_transport(trans, delay);
  if (!trans.is_response_ok())
    return fault(SimErrorKind::AccessFault, fmt::format("{}-byte {} {:#x} failed: {}", size, what, addr,
                                                        trans.get_response_string()),
                 word);
  stall(StallCause::Hbm, clock_.to_cycles(delay));
  return true;
}

bool Core::read_debug(uint64_t addr, uint8_t* data, unsigned size) {
  tlm_utils::simple_initiator_socket<Core>* socket = nullptr;
  if (scratchpad_.contains(addr, size))
    socket = &local_socket;
  else if (ram_.contains(addr, size) || hbm_.contains(addr, size))
    socket = &chip_socket;
  else
    return false;
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(addr);
  trans.set_data_ptr(data);
  trans.set_data_length(size);
  return (*socket)->transport_dbg(trans) == size;
}

void Core::stall(StallCause cause, uint64_t cycles) {
  if (cycles == 0) return;
  stats_.stall_cycles[static_cast<size_t>(cause)] += cycles;
  if (cause == StallCause::Hbm || cause == StallCause::Xcadre)
    host_.core_span(params_.tile, sim::name(cause), cycle_, cycle_ + cycles, 0);
  cycle_ += cycles;
}

bool Core::fault(SimErrorKind kind, std::string_view what, std::optional<uint32_t> word) {
  std::string message = fmt::format("tile {}, pc {:#x}, cycle {}: {}", params_.tile, pc_, cycle_, what);
  if (word) message += ": " + isa::disassemble_word(*word, pc_);
  error_ = SimError{kind, params_.tile, pc_, cycle_, std::move(message)};
  stopped_ = true;
  return false;
}

}  // namespace cadre::sim
