// One tile's DMA engine: the load queue's cdma.ld, cdma.gather and the store
// queue's cdma.st, cdma.scatadd with their configuration instructions
// (docs/isa.md, "DMA"). Data moves through the chip's memory path: the
// engine's TLM socket goes to its own port on the interconnect, so HBM bursts
// meet the cores' and other tiles' requests at the channels. Timing
// (docs/accelerator.md, "DMA"): bursts of dma.burst_bytes issued as the cost
// model's cost::BurstPipeline says (one per link slot, at most
// dma.max_outstanding_bursts in flight), each completing when the
// interconnect and HBM return it.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre/sim/burst_train.h"
#include "cadre/sim/clock.h"
#include "cadre/sim/local_memory.h"
#include "cadre/sim/tag_stats.h"

namespace cadre::sim {

struct DmaStats {
  uint64_t commands = 0;
  uint64_t bursts = 0;
  uint64_t bytes_read = 0;     // from RAM or HBM
  uint64_t bytes_written = 0;  // to RAM or HBM
  // Summed over bursts: cycles a burst's issue waited for one in flight to
  // complete (dma.max_outstanding_bursts reached).
  uint64_t outstanding_limit_cycles = 0;
};

class DmaEngine : public sc_core::sc_module {
 public:
  // Optional so that an accelerator can run without a chip (unit tests); a
  // transfer through an unbound socket is an error.
  tlm_utils::simple_initiator_socket_optional<DmaEngine> socket;

  DmaEngine(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, LocalMemory& memory);

  // Carries out one DMA command from its queue's thread; it waits while its
  // bursts are issued and returns the cycles left until the last completes.
  // Throws AccelError.
  uint64_t execute(isa::Op op, uint64_t rs1, uint64_t rs2);

  // With /dma/overlap_commands, execute returns once a command's last burst
  // has left the link; this is when every burst issued so far by queue q's
  // commands completes (0 before any).
  uint64_t completion(isa::Queue q) const;
  bool overlaps_commands() const { return cfg_.dma.overlap_commands != 0; }

  const DmaStats& stats() const { return stats_; }
  // The bytes queue q's commands moved (dma_bytes_* and the local bytes):
  // each queue's apart, as both queues' commands run at once.
  const UnitWork& work(isa::Queue q) const { return work_[q == isa::Queue::Load ? 0 : 1]; }

 private:
  // The bursts that move `data` to or from chip memory at `addr`, appended to `bursts`.
  void add_bursts(std::vector<Burst>& bursts, uint64_t addr, std::span<uint8_t> data) const;
  // Issues `bursts` through the chip's memory path as one burst train (the
  // thread waits until the last has issued), counted in `work`. `buffer`:
  // what the bursts' data points into, if the HBM may make their bytes on the
  // host worker (BurstTrain::buffer).
  void transfer(tlm::tlm_command command, std::vector<Burst> bursts, cost::BurstPipeline& p, UnitWork& work,
                std::shared_ptr<uint8_t[]> buffer = {});
  // One row's bursts as a train of their own (a scatter-add's writes wait for its reads).
  void transfer_row(tlm::tlm_command command, uint64_t addr, std::span<uint8_t> data, cost::BurstPipeline& p,
                    UnitWork& work);
  // Local memory accesses of a command, counted in `work`.
  void read_local(uint64_t addr, std::span<uint8_t> out, UnitWork& work);
  void write_local(uint64_t addr, std::span<const uint8_t> bytes, UnitWork& work);
  // The index list of `rows` entries, each -1 or inside [0, table_rows).
  std::vector<int32_t> indices(const isa::operands::IndexList& idx, uint64_t rows, UnitWork& work);
  // Each returns the cycle its last burst completes.
  uint64_t load(uint64_t chip, const isa::operands::Transfer& t, bool gather, cost::BurstPipeline& p);
  uint64_t store(uint64_t chip, const isa::operands::Transfer& t, cost::BurstPipeline& p);
  uint64_t scatter_add(uint64_t chip, const isa::operands::RowUpdate& u, cost::BurstPipeline& p);

  const arch::ArchConfig& cfg_;
  const Clock& clock_;
  LocalMemory& memory_;
  // With overlapped commands, each queue's bursts in flight across commands
  // (load queue, store queue).
  std::array<std::optional<cost::BurstPipeline>, 2> pipes_;
  isa::operands::Strides load_strides_, store_strides_;  // 0: packed
  isa::operands::IndexList load_index_, store_index_;
  uint64_t store_weights_ = 0;  // 0: every weight is 1.0
  num::Format src_format_ = num::Format::FP32, dst_format_ = num::Format::FP32;
  DmaStats stats_;
  std::array<UnitWork, 2> work_;  // load queue, store queue
};

}  // namespace cadre::sim
