// Helpers for the accelerator unit tests: a config with roomy SRAMs, a local
// memory over a scratchpad, and deterministic random operands.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/isa/xcadre.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre/sim/local_memory.h"

namespace cadre::test {

inline constexpr uint64_t kSp = arch::kScratchpadBase;
inline constexpr uint64_t kAcc = arch::kAccumulatorBase;

// The small preset with an R x C array, 1 MiB scratchpad in 4 banks (256 KiB
// each) and a 512 KiB accumulator in 2 banks.
inline arch::ArchConfig unit_config(uint32_t rows = 8, uint32_t cols = 8, uint32_t lanes = 8) {
  arch::ArchConfig cfg = arch::load_arch("small");
  cfg.matrix.rows = rows;
  cfg.matrix.cols = cols;
  cfg.vector.lanes = lanes;
  cfg.scratchpad = {1u << 20, 4};
  cfg.accumulator = {1u << 19, 2};
  return cfg;
}

struct LocalRig {
  arch::ArchConfig cfg;
  sim::SparseMemory scratchpad;
  sim::LocalMemory memory;
  explicit LocalRig(const arch::ArchConfig& c)
      : cfg(c), scratchpad(arch::scratchpad_region(cfg)), memory(cfg, scratchpad) {}

  template <class T>
  void put(uint64_t addr, const std::vector<T>& v) {
    memory.write(addr, {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)});
  }
  template <class T>
  std::vector<T> get(uint64_t addr, size_t count) {
    std::vector<T> v(count);
    memory.read(addr, {reinterpret_cast<uint8_t*>(v.data()), count * sizeof(T)});
    return v;
  }
};

// Operand words of the vector instructions.
inline uint64_t src_dst(uint64_t src, uint64_t dst) { return isa::operands::SrcDst{.src = src, .dst = dst}.encode(); }
inline uint64_t rows_cols(uint64_t rows, uint64_t cols) {
  return isa::operands::RowsCols{.rows = rows, .cols = cols}.encode();
}

inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

inline uint32_t bits(float x) {
  uint32_t u = 0;
  std::memcpy(&u, &x, 4);
  return u;
}

}  // namespace cadre::test
