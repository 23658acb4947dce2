#include "cadre/sim/rtl_matrix_engine.h"

#include <fmt/format.h>

#include <bit>
#include <stdexcept>
#include <vector>

#include "cadre/sim/accel_error.h"

namespace cadre::sim {

RtlMatrixEngine::RtlMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory)
    : RtlMatrixEngine(cfg, memory, rtl::make_array_model(rtl::shape_of(cfg))) {}

RtlMatrixEngine::RtlMatrixEngine(const arch::ArchConfig& cfg, LocalMemory& memory,
                                 std::unique_ptr<rtl::ArrayModel> model)
    : BehaviouralMatrixEngine(cfg, memory), model_(std::move(model)), clock_(cfg.clock_ghz) {
  if (model_->shape() != rtl::shape_of(cfg))
    throw std::invalid_argument(fmt::format("RtlMatrixEngine: a model of the {} array for a {} configuration",
                                            rtl::describe(model_->shape()), rtl::describe(rtl::shape_of(cfg))));
}

bool RtlMatrixEngine::open_waveform(const WaveformRequest& request) {
  model_->open_waveform(request.path, {request.first_cycle, request.last_cycle, clock_.ghz()});
  return true;
}

uint64_t RtlMatrixEngine::multiply(const Gemm& g, std::span<float> c) {
  std::vector<float> expected(c.begin(), c.end());
  BehaviouralMatrixEngine::multiply(g, expected);
  const rtl::GemmOperands operands{g.a_format,
                                   g.b_format,
                                   static_cast<uint32_t>(g.m),
                                   static_cast<uint32_t>(g.n),
                                   static_cast<uint32_t>(g.k),
                                   g.a,
                                   g.b,
                                   g.a_scales,
                                   g.b_scales};
  const uint64_t cycles = model_->run(operands, c, clock_.now_cycles());
  for (size_t i = 0; i < c.size(); ++i)
    if (std::bit_cast<uint32_t>(c[i]) != std::bit_cast<uint32_t>(expected[i]))
      throw AccelError(fmt::format(
          "the RTL matrix engine's C[{}][{}] is {} ({:#010x}) where the behavioural engine's is {} ({:#010x}) "
          "(m {}, n {}, k {}, {} x {})",
          i / g.n, i % g.n, c[i], std::bit_cast<uint32_t>(c[i]), expected[i], std::bit_cast<uint32_t>(expected[i]),
          g.m, g.n, g.k, num::info(g.a_format).name, num::info(g.b_format).name));
  return cycles;
}

}  // namespace cadre::sim
