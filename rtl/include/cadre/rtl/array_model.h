// The matrix engine's RTL (rtl/sv/), compiled by Verilator: one model per
// array shape, built in (CMake's CADRE_RTL_SHAPES), each running one GEMM
// cycle by cycle on operands in host memory. The simulator's RTL engine
// (systemc/, RtlMatrixEngine) reads a cmx.mm command's operands from the
// tile's local memory and hands them to a model; the tests and the benchmark
// drive the models directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cadre/numerics/format.h"
#include "cadre/rtl/array_shape.h"

namespace cadre::rtl {

// One cmx.mm's operands, packed: A is m rows of k elements, B n rows of k;
// FP32 scales (FP8 only) m x ceil(k / 128) for A and ceil(n / 128) x
// ceil(k / 128) for B, or empty when every scale is 1.0.
struct GemmOperands {
  num::Format a_format = num::Format::E4M3;
  num::Format b_format = num::Format::E4M3;
  uint32_t m = 0, n = 0, k = 0;
  std::span<const uint8_t> a;
  std::span<const uint8_t> b;
  std::span<const float> a_scales;
  std::span<const float> b_scales;
};

// FST waveform output: the chip cycles [first, last] are written, with times
// in picoseconds at the given clock.
struct WaveformWindow {
  uint64_t first = 0;
  uint64_t last = UINT64_MAX;
  double clock_ghz = 1.0;
};

class ArrayModel {
 public:
  virtual ~ArrayModel() = default;
  virtual ArrayShape shape() const = 0;
  // Runs one GEMM: c (m x n, row-major) holds the accumulator's starting
  // values (C for cmx.mm.acc, +0.0 for cmx.mm) and receives the results.
  // Returns the cycles the engine is busy. `start_cycle` is the chip cycle
  // of the first of them (the waveform's time).
  virtual uint64_t run(const GemmOperands& operands, std::span<float> c, uint64_t start_cycle) = 0;
  // Writes every later cycle inside the window to an FST file;
  // std::runtime_error when the file cannot be written.
  virtual void open_waveform(const std::filesystem::path& path, const WaveformWindow& window) = 0;
  // Busy cycles run since construction (the benchmark's figure).
  virtual uint64_t cycles_run() const = 0;
};

// The model built for `shape`; std::invalid_argument with missing_model's
// message when there is none.
std::unique_ptr<ArrayModel> make_array_model(const ArrayShape& shape);
// Empty when a model of `shape` is built in; else why not and what to do,
// naming the shapes built in.
std::string missing_model(const ArrayShape& shape);
// The shapes built in, in CADRE_RTL_SHAPES order.
std::vector<ArrayShape> built_shapes();

}  // namespace cadre::rtl
