// A DMA transfer's bursts, carried to the interconnect by one TLM transaction
// (as an extension of its payload). The interconnect issues each burst at the
// cycle the DMA's burst pipeline gives, grants it with the other requests of
// that cycle exactly as a transaction of its own, and returns when the last
// one is issued: the DMA's thread waits once for the whole train instead of
// once per burst, which is most of a full-size layer's simulation time.
#pragma once

#include <tlm>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "cadre/cost/cost.h"

namespace cadre::sim {

struct Burst {
  uint64_t addr;  // chip address
  uint8_t* data;  // the bytes read or written, on the host
  uint64_t bytes;
};

class BurstTrain : public tlm::tlm_extension<BurstTrain> {
 public:
  BurstTrain(tlm::tlm_command command_, std::vector<Burst> bursts_, cost::BurstPipeline& pipeline_)
      : command(command_), bursts(std::move(bursts_)), pipeline(&pipeline_) {}

  tlm::tlm_extension_base* clone() const override { return new BurstTrain(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const BurstTrain&>(other);
  }

  // The cycle the next burst issues, counting the cycles the outstanding
  // limit held it back.
  uint64_t next_issue() {
    const uint64_t issue = pipeline->next_issue();
    outstanding_limit_cycles += issue - pipeline->link_free();
    return issue;
  }
  // The next burst, issued, completes at `done`.
  void issued(uint64_t done) { pipeline->issue(bursts[issued_bursts++].bytes, done); }
  bool finished() const { return failed || issued_bursts == bursts.size(); }

  tlm::tlm_command command;
  std::vector<Burst> bursts;
  cost::BurstPipeline* pipeline;
  size_t issued_bursts = 0;
  // Summed over bursts: cycles each waited for one in flight to complete.
  uint64_t outstanding_limit_cycles = 0;
  bool failed = false;  // bursts[issued_bursts] lies outside RAM and HBM

  // What the bursts' data points into, when jobs on the host worker may
  // write it: they hold it, so it outlives them whatever becomes of the
  // train. Empty: the initiator keeps the data only until the train returns,
  // and no job writes it.
  std::shared_ptr<uint8_t[]> buffer;

  // A read train whose bytes the HBM makes on the host worker, straight into
  // the bursts' data, rather than as each burst is granted
  // (Hbm::make_ahead): the made region all its bursts lie in, and whether
  // its bursts read memory when granted, from the first granted after a
  // write kept a page of the region.
  struct MadeAhead {
    size_t region;
    bool reads_memory;
    uint32_t tile;  // whose jobs on the worker it is among
  };
  std::optional<MadeAhead> made_ahead;
};

}  // namespace cadre::sim
