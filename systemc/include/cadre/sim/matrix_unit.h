// The matrix engine as a tile's accelerator sees it: the commands of the cmx.*
// instructions, each returning the cycles it keeps the engine busy, and the
// engine's statistics. The behavioural engine (matrix_engine.h) implements
// it, and so can a model of the RTL; /matrix/engine in the architecture
// configuration selects the implementation each tile builds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "cadre/arch/arch_config.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre/sim/local_memory.h"

namespace cadre::sim {

// An FST waveform of an RTL engine's signals over the chip cycles [first, last].
struct WaveformRequest {
  std::filesystem::path path;
  uint64_t first_cycle = 0;
  uint64_t last_cycle = UINT64_MAX;
};

struct MatrixStats {
  uint64_t commands = 0;
  uint64_t busy_cycles = 0;
  uint64_t conflict_cycles = 0;
  uint64_t macs = 0;
  uint64_t bf16_macs = 0;  // of macs, those with BF16 inputs (the others FP8)
};

// One cmx.mm as the array moves it through local memory.
struct MatmulTraffic {
  uint64_t a_addr = 0, a_scales = 0, b_addr = 0, b_scales = 0, acc = 0;  // scales 0: none
  uint64_t m = 0, n = 0, k = 0;
  uint64_t a_bytes = 1, b_bytes = 1;  // per element
  bool accumulate = false;            // cmx.mm.acc
};
// Counts the traffic in `memory`'s statistics as a weight-stationary R x C
// array makes it (docs/accelerator.md, "Statistics"): B and its scales read
// once (each fold's weights preloaded once), A and its scales once per column
// fold (ceil(n / C)), C written once per row fold (ceil(k / R)) and read
// back by every row fold after the first, and by the first with accumulate.
void count_matmul_traffic(const arch::ArchConfig& cfg, LocalMemory& memory, const MatmulTraffic& t);

class MatrixUnit {
 public:
  virtual ~MatrixUnit() = default;

  // Each returns the cycles the command keeps the engine busy; an operand
  // that cannot be used throws AccelError.
  virtual uint64_t configure(const isa::operands::MatrixFormats& formats,
                             const isa::operands::OperandStrides& strides) = 0;  // cmx.cfg
  virtual uint64_t preload(const isa::operands::TileWithScales& weights,
                           const isa::operands::WeightShape& shape) = 0;  // cmx.preload
  virtual uint64_t matmul(const isa::operands::TileWithScales& a, const isa::operands::MatmulOut& out,
                          bool accumulate) = 0;  // cmx.mm, cmx.mm.acc

  virtual const MatrixStats& stats() const = 0;

  // Starts the waveform; false when the implementation has no RTL to trace.
  virtual bool open_waveform(const WaveformRequest& request) {
    (void)request;
    return false;
  }

  // Off: FP8 GEMMs check their operands and take their cycles but leave
  // their results unwritten (`cadre run --timing-only`: cycles of full-size
  // layers whose expert values nobody checks). BF16 GEMMs, the router's
  // among them, still compute, so routing and the program's control follow
  // the real data.
  void set_fp8_values(bool on) { fp8_values_ = on; }
  bool fp8_values() const { return fp8_values_; }

 private:
  bool fp8_values_ = true;
};

// The implementation cfg.matrix.engine names, on the tile's local memory.
// arch::ConfigError (check_matrix_unit) when it cannot be built.
std::unique_ptr<MatrixUnit> make_matrix_unit(const arch::ArchConfig& cfg, LocalMemory& memory);
// arch::ConfigError at /matrix/engine when the build has no implementation
// of cfg's array for it to make (the RTL is verilated for a list of shapes).
void check_matrix_unit(const arch::ArchConfig& cfg);

// Carries out the cmx.* instruction `op` on `unit` with the operand registers
// rs1 and rs2; returns its cycles.
uint64_t matrix_command(MatrixUnit& unit, isa::Op op, uint64_t rs1, uint64_t rs2);

}  // namespace cadre::sim
