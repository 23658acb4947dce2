// A sparse memory behind a TLM-2.0 target socket: the RAM and each tile's
// scratchpad. It adds no delay of its own (the core's timing model charges
// its accesses) and grants DMI one 4 KiB page at a time, which is what the
// core's fast path caches; pages never move, so DMI is never invalidated.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "cadre/sim/sparse_memory.h"

namespace cadre::sim {

class MemoryTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MemoryTarget> socket;

  MemoryTarget(sc_core::sc_module_name name, arch::Region region);

  SparseMemory& memory() { return memory_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

  SparseMemory memory_;
};

// Reads or writes a payload's data in `memory`; false (and an address error
// response) when the range is outside it. Shared by every memory target.
bool access(SparseMemory& memory, tlm::tlm_generic_payload& trans);

}  // namespace cadre::sim
