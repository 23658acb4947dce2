#include "cadre/sim/memory_target.h"

#include <span>

namespace cadre::sim {

bool access(SparseMemory& memory, tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  const unsigned int n = trans.get_data_length();
  if (!memory.region().contains(addr, n) || trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(trans.get_byte_enable_ptr() ? tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE
                                                          : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (trans.is_read())
    memory.read(addr, std::span<uint8_t>(trans.get_data_ptr(), n));
  else if (trans.is_write())
    memory.write(addr, std::span<const uint8_t>(trans.get_data_ptr(), n));
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

MemoryTarget::MemoryTarget(sc_core::sc_module_name name, arch::Region region)
    : sc_module(name), socket("socket"), memory_(region) {
  socket.register_b_transport(this, &MemoryTarget::b_transport);
  socket.register_get_direct_mem_ptr(this, &MemoryTarget::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &MemoryTarget::transport_dbg);
}

void MemoryTarget::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) { access(memory_, trans); }

unsigned int MemoryTarget::transport_dbg(tlm::tlm_generic_payload& trans) {
  return access(memory_, trans) ? trans.get_data_length() : 0;
}

bool MemoryTarget::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t addr = trans.get_address();
  if (!memory_.region().contains(addr)) return false;
  const uint64_t base = addr & ~(SparseMemory::kPageBytes - 1);
  dmi.set_dmi_ptr(memory_.page(addr));
  dmi.set_start_address(base);
  dmi.set_end_address(base + SparseMemory::kPageBytes - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(sc_core::SC_ZERO_TIME);
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  return true;
}

}  // namespace cadre::sim
