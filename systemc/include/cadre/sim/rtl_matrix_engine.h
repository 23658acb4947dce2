// The matrix engine's RTL in the chip (docs/rtl.md): the behavioural engine's
// command handling (operand checks, reads from local memory, bank
// conflicts), with each GEMM run cycle by cycle on the verilated
// SystemVerilog array of the configured shape, which gives the bits and the
// array's cycles. The behavioural engine's result is computed beside it as a
// scoreboard: the first element that differs stops the run with the command,
// its PC and cycle (the accelerator adds those to the AccelError).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "cadre/arch/arch_config.h"
#include "cadre/rtl/array_model.h"
#include "cadre/sim/clock.h"
#include "cadre/sim/local_memory.h"
#include "cadre/sim/matrix_engine.h"

namespace cadre::sim {

class RtlMatrixEngine : public BehaviouralMatrixEngine {
 public:
  // std::invalid_argument when the build has no model of cfg's array shape.
  RtlMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory);
  // On a given model (the tests'); its shape must be cfg's.
  RtlMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory, std::unique_ptr<rtl::ArrayModel> model);

  bool open_waveform(const WaveformRequest& request) override;

 protected:
  uint64_t multiply(const Gemm& gemm, std::span<float> c) override;
  bool always_computes() const override { return true; }

 private:
  std::unique_ptr<rtl::ArrayModel> model_;
  Clock clock_;  // the waveform's time: the chip cycle a command starts in
};

}  // namespace cadre::sim
