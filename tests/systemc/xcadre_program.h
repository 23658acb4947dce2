// Hand-assembled programs that issue Xcadre instructions with the project's
// encoder (each operand built in a3/a4 with li, then the instruction), and a
// chip that runs one on every tile.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cadre/isa/xcadre.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre/sim/chip.h"
#include "cadre/sim/start.h"
#include "sim_test_util.h"

namespace cadre::test {

constexpr uint8_t a3 = 13, a4 = 14;

// The DMA's operands.
inline uint64_t transfer(uint64_t local, uint64_t rows, uint64_t row_bytes) {
  return isa::operands::Transfer{.local = local, .rows = rows, .row_bytes = row_bytes}.encode();
}
inline uint64_t strides(uint64_t chip, uint64_t local) {
  return isa::operands::Strides{.hbm_stride = chip, .local_stride = local}.encode();
}

template <class T>
void put(sim::SparseMemory& m, uint64_t addr, const std::vector<T>& v) {
  m.write(addr, {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)});
}
template <class T>
std::vector<T> get(sim::SparseMemory& m, uint64_t addr, size_t count) {
  std::vector<T> v(count);
  m.read(addr, {reinterpret_cast<uint8_t*>(v.data()), count * sizeof(T)});
  return v;
}
inline std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t k = 0; k < n; ++k) v[k] = static_cast<uint8_t>(seed + 7 * k + k / 251);
  return v;
}

// docs/accelerator.md, "DMA": n full bursts issued one a link interval, at
// most max_outstanding_bursts in flight, each taking `round_trip` with
// nothing else in its way.
inline uint64_t pipelined_load_cycles(const arch::ArchConfig& cfg, uint64_t n, uint64_t round_trip) {
  const uint64_t b = cfg.dma.burst_bytes, w = cfg.interconnect.bytes_per_cycle, N = cfg.dma.max_outstanding_bursts;
  const uint64_t interval = (b + w - 1) / w;
  return (n - 1) / N * std::max(round_trip, N * interval) + (n - 1) % N * interval + round_trip;
}

struct XcadreProgram {
  Code code;
  // reg = a 64-bit constant (t2 is scratch).
  void li64(uint8_t reg, uint64_t value) {
    code.li(reg, static_cast<uint32_t>(value >> 32));
    code << i(Rv64Op::Slli, reg, reg, 32);
    code.li(t2, static_cast<uint32_t>(value));
    code << r(Rv64Op::Or, reg, reg, t2);
  }
  XcadreProgram& issue(isa::Op op, uint64_t rs1, uint64_t rs2 = 0) {
    li64(a3, rs1);
    li64(a4, rs2);
    const bool has_rs2 = isa::info(op).rs2 != isa::Layout::None;
    code.raw(isa::encode(isa::XcadreInsn{op, 0, a3, has_rs2 ? a4 : uint8_t{0}}));
    return *this;
  }
  // cx.fence of every queue, then exit(0).
  Code& finish() {
    li64(a3, isa::operands::QueueMask{.queues = 7}.encode());
    code.raw(isa::encode(isa::XcadreInsn{isa::Op::Fence, 0, a3, 0}));
    code << i(Rv64Op::Addi, a0, zero, 0);
    return code.exit();
  }
};

// A chip running `code` on every tile; fill its memories before run().
struct XcadreRig {
  arch::ArchConfig cfg;
  sim::Chip chip;
  XcadreRig(const arch::ArchConfig& c, const Code& code)
      : cfg(c), chip("chip", cfg, sim::ChipOptions{10000, 0, false, false, {}, nullptr}) {
    tlm::tlm_global_quantum::instance().set(chip.clock().to_time(10000));
    std::vector<uint8_t> text;
    for (const uint32_t w : code.words)
      for (int k = 0; k < 4; ++k) text.push_back(static_cast<uint8_t>(w >> (8 * k)));
    chip.ram().write(arch::kRamBase, text);
    chip.reset(arch::kRamBase);
  }
  sim::SparseMemory& sp(uint32_t tile = 0) { return chip.accelerator(tile).memory().scratchpad(); }
  void run() {
    sim::start();
    ASSERT_FALSE(chip.error()) << chip.error()->message;
  }
  std::string error() {
    sim::start();
    return chip.error() ? chip.error()->message : "";
  }
  uint64_t busy_cycles(isa::Queue queue, uint32_t tile = 0) { return chip.accelerator(tile).queue_stats(queue).busy_cycles; }
};

}  // namespace cadre::test
