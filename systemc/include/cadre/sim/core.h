// The RV64IM + Zicsr control core of one tile: in order, single issue, timed
// by the model in timing.h. It runs many instructions per SC_THREAD activation
// (temporal decoupling with a tlm_quantumkeeper) and synchronises with SystemC
// time only at the global quantum, before HBM accesses and Xcadre commands,
// and when it stops, so its cycle counts do not depend on the quantum.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "cadre/arch/arch_config.h"
#include "cadre/arch/memory_map.h"
#include "cadre/isa/rv64.h"
#include "cadre/isa/xcadre.h"
#include "cadre/sim/clock.h"
#include "cadre/sim/sim_error.h"
#include "cadre/sim/timing.h"
#include "cadre/sim/xcadre_port.h"

namespace cadre::sim {

struct CoreStats {
  uint64_t instructions = 0;
  std::array<uint64_t, kInsnClassCount> by_class{};
  std::array<uint64_t, kStallCauseCount> stall_cycles{};
  // Instructions retired while the command tag (isa::kTagCsr) held each value.
  std::array<uint64_t, isa::kTagCount> instructions_by_tag{};
};

// What a core tells the chip it belongs to.
class CoreHost {
 public:
  virtual ~CoreHost() = default;
  // The program wrote `bytes` to file descriptor `fd` (1 or 2).
  virtual void output(uint32_t tile, int fd, std::string_view bytes) = 0;
  // The core exited or stopped with an error; it runs no more.
  virtual void core_stopped(uint32_t tile) = 0;
  // The core ran [start, end) cycles and retired `instructions` in them
  // (what: "run" or the stall cause); for the trace.
  virtual void core_span(uint32_t tile, std::string_view what, uint64_t start, uint64_t end,
                         uint64_t instructions) = 0;
};

struct CoreParams {
  uint32_t tile = 0;
  uint32_t tiles = 1;
  uint64_t quantum_cycles = 10000;
  uint64_t max_cycles = 0;  // 0: no limit
};

class Core : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Core> local_socket;  // the tile's scratchpad
  tlm_utils::simple_initiator_socket<Core> chip_socket;   // RAM and HBM, through the interconnect

  Core(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock, const CoreParams& params,
       CoreHost& host);

  // The state at entry (BRIEF section 10): pc = entry, a0 = tile id,
  // a1 = number of tiles, sp = top of the tile's stack region.
  void reset(uint64_t entry);
  // The Xcadre command interface (nullptr: none; custom instructions are illegal).
  void attach_xcadre(XcadreHandler* handler) { xcadre_ = handler; }

  bool exited() const { return exited_; }
  uint64_t exit_code() const { return exit_code_; }  // a0 of the exit ecall
  const std::optional<SimError>& error() const { return error_; }
  uint64_t cycles() const { return cycle_; }
  CoreStats stats() const;
  uint32_t tag() const { return tag_; }  // the command tag CSR
  uint64_t reg(unsigned index) const { return x_[index]; }
  uint64_t pc() const { return pc_; }

 private:
  // One decoded word; a code page caches its 1024 words, decoded once. The
  // word is kept so that a changed word (self-modifying code) is decoded anew.
  struct Decoded {
    uint32_t word = 0;
    isa::Rv64Insn insn;
  };
  struct CodePage {
    std::array<Decoded, 1024> slots;
  };
  // A page the core reaches by DMI: the scratchpad and RAM.
  struct DmiLine {
    uint64_t page = ~uint64_t{0};
    uint8_t* host = nullptr;
  };
  static constexpr size_t kDmiLines = 256;

  void run();
  void execute_until(uint64_t limit);
  // Executes one instruction; false when the core stopped.
  bool step(const isa::Rv64Insn& insn, uint32_t word);
  bool enter_code_page();
  void sync();

  // Memory. A fault stops the core and returns false.
  uint8_t* dmi_host(uint64_t addr) {
    const DmiLine& line = dmi_[(addr >> 12) % kDmiLines];
    return line.page == (addr >> 12) ? line.host + (addr & 4095) : nullptr;
  }
  uint8_t* dmi_fill(uint64_t addr);
  bool access(tlm::tlm_command command, uint64_t addr, uint8_t* data, unsigned size, uint32_t word);
  template <typename T>
  bool load(uint64_t addr, T& value, uint32_t word);
  template <typename T>
  bool store(uint64_t addr, T value, uint32_t word);
  // Debug reads for ecall arguments (no timing).
  bool read_debug(uint64_t addr, uint8_t* data, unsigned size);

  bool csr(const isa::Rv64Insn& insn, uint32_t word);
  bool ecall(uint32_t word);
  bool custom(uint32_t word);
  // Whether code can run at a jump's target; a fetch fault when not.
  bool jump_to(uint64_t target, uint32_t word);
  void stall(StallCause cause, uint64_t cycles);
  // Stops the core with an error; `word` is the instruction to show, when there is one.
  bool fault(SimErrorKind kind, std::string_view what, std::optional<uint32_t> word);

  const Clock& clock_;
  CoreParams params_;
  CoreTiming timing_;
  arch::Region scratchpad_, ram_, hbm_, stack_;
  uint64_t lowest_stack_base_;  // the base of the last tile's stack: every stack lies from here to RAM's end
  CoreHost& host_;
  XcadreHandler* xcadre_ = nullptr;
  tlm_utils::tlm_quantumkeeper qk_;

  std::array<uint64_t, 32> x_{};
  uint64_t pc_ = 0;
  uint64_t cycle_ = 0;    // the cycle the next instruction issues in, at the earliest
  // Scoreboard: the cycle each register's pending result is ready, and why.
  std::array<uint64_t, 32> ready_{};
  std::array<StallCause, 32> ready_cause_{};
  uint64_t divider_free_ = 0;
  uint64_t mscratch_ = 0;
  uint32_t tag_ = 0;            // the command tag CSR
  uint64_t tag_since_ = 0;      // instructions retired when it was last written
  // mcycle and minstret are writable: a write sets an offset from the counts.
  uint64_t mcycle_offset_ = 0, minstret_offset_ = 0;

  CoreStats stats_;
  bool stopped_ = false, exited_ = false;
  uint64_t exit_code_ = 0;
  std::optional<SimError> error_;

  std::array<DmiLine, kDmiLines> dmi_{};
  std::unordered_map<uint64_t, std::unique_ptr<CodePage>> code_pages_;
  uint64_t code_page_number_ = ~uint64_t{0};
  CodePage* code_page_ = nullptr;
  const uint8_t* code_host_ = nullptr;
};

}  // namespace cadre::sim
