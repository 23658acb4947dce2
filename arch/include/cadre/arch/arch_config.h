// The architecture configuration: one plain struct that sets the whole chip,
// and the functions every derived figure comes from (nothing is stored twice).
// Fields, units and limits: arch_fields.def and docs/architecture-config.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/numerics/format.h"

namespace cadre::arch {

// The in-order RV64IM control core.
struct CoreConfig {
  uint32_t mul_latency_cycles = 0;
  uint32_t div_latency_cycles = 0;
  uint32_t load_use_penalty_cycles = 0;
  uint32_t taken_branch_penalty_cycles = 0;
  bool operator==(const CoreConfig&) const = default;
};

// Which implementation of the matrix engine the simulator builds (matrix_engines.def).
enum class MatrixEngineKind : uint8_t {
#define CADRE_MATRIX_ENGINE(E, name) E,
#include "cadre/arch/matrix_engines.def"
};
// Their names in JSON, in enumerator order.
inline constexpr std::string_view kMatrixEngineNames[] = {
#define CADRE_MATRIX_ENGINE(E, name) name,
#include "cadre/arch/matrix_engines.def"
};

// The names an enum-valued field takes in JSON, indexed by enumerator.
template <class T>
struct ChoiceNames;
template <>
struct ChoiceNames<MatrixEngineKind> {
  static constexpr std::span<const std::string_view> names = kMatrixEngineNames;
};

// The R x C systolic array.
struct MatrixConfig {
  uint32_t rows = 0;                        // R
  uint32_t cols = 0;                        // C
  std::vector<num::Format> input_formats;   // a subset of kMatrixInputFormats
  uint32_t preload_rows_per_cycle = 1;      // P = ceil(R / this) cycles per fold's preload
  uint32_t weight_buffers = 1;              // 2: the next fold's weights load during this fold
  MatrixEngineKind engine = MatrixEngineKind::Behavioural;
  bool operator==(const MatrixConfig&) const = default;
};

struct VectorConfig {
  uint32_t lanes = 0;  // FP32 lanes
  bool operator==(const VectorConfig&) const = default;
};

// A banked SRAM of one tile (scratchpad or accumulator).
struct SramConfig {
  uint64_t bytes = 0;
  uint32_t banks = 0;
  bool operator==(const SramConfig&) const = default;
};

// RAM shared by all tiles: program, data, and one stack per tile at the top.
struct RamConfig {
  uint64_t bytes = 0;
  uint64_t stack_bytes_per_tile = 0;
  bool operator==(const RamConfig&) const = default;
};

struct HbmConfig {
  uint32_t channels = 0;
  double channel_bandwidth_gb_s = 0;  // 10^9 bytes per second, one channel
  double latency_ns = 0;
  uint32_t capacity_gib = 0;          // 2^30 bytes
  bool operator==(const HbmConfig&) const = default;
};

// The cache in front of the HBM channels (bytes 0: none).
struct L2Config {
  uint64_t bytes = 0;
  uint32_t bytes_per_cycle = 1;  // all slices together
  uint32_t latency_cycles = 0;
  bool operator==(const L2Config&) const = default;
};

// One tile's link to the HBM channels.
struct InterconnectConfig {
  uint32_t bytes_per_cycle = 0;
  uint32_t latency_cycles = 0;
  bool operator==(const InterconnectConfig&) const = default;
};

struct DmaConfig {
  uint32_t burst_bytes = 0;
  uint32_t max_outstanding_bursts = 0;
  uint32_t overlap_commands = 0;  // 1: a queue's next command issues behind this one's bursts
  uint32_t scatter_add_rows_in_flight = 1;  // rows a scatter-add reads before the oldest writes back
  bool operator==(const DmaConfig&) const = default;
};

struct QueueDepths {
  uint32_t load = 0;
  uint32_t compute = 0;
  uint32_t store = 0;
  bool operator==(const QueueDepths&) const = default;
};

struct ArchConfig {
  std::string name;
  std::string description;
  uint32_t tiles = 0;
  double clock_ghz = 0;
  uint32_t tech_node_nm = 0;
  uint32_t semaphores = 0;
  CoreConfig core;
  MatrixConfig matrix;
  VectorConfig vector;
  SramConfig scratchpad;
  SramConfig accumulator;
  RamConfig ram;
  HbmConfig hbm;
  L2Config l2;
  InterconnectConfig interconnect;
  DmaConfig dma;
  QueueDepths queues;
  bool operator==(const ArchConfig&) const = default;
};

// The formats the matrix engine can take as inputs (numerics contract).
inline constexpr num::Format kMatrixInputFormats[] = {num::Format::E4M3, num::Format::E5M2,
                                                      num::Format::BF16};
// Ways of each set of the L2 (/l2/bytes).
inline constexpr uint64_t kL2Ways = 16;
// Accumulation is always FP32.
inline constexpr uint64_t kAccumulatorElementBytes = 4;

// --- Derived figures. All take a validated config. ---

bool supports_input(const ArchConfig& cfg, num::Format format);
// Bytes per element of the widest configured input format.
uint64_t widest_input_bytes(const ArchConfig& cfg);
// One R x C operand tile of the widest input format.
uint64_t operand_tile_bytes(const ArchConfig& cfg);
// One R x C FP32 accumulator tile.
uint64_t accumulator_tile_bytes(const ArchConfig& cfg);
uint64_t scratchpad_bank_bytes(const ArchConfig& cfg);
uint64_t accumulator_bank_bytes(const ArchConfig& cfg);
// Scratchpad plus accumulator over all tiles.
uint64_t total_sram_bytes(const ArchConfig& cfg);

uint64_t macs_per_cycle_per_tile(const ArchConfig& cfg);
uint64_t peak_macs_per_cycle(const ArchConfig& cfg);
// Dense peak in 10^12 FLOP/s (a MAC is two FLOPs) for an input format; 0 when
// the array does not take that format. Each cell does one MAC a cycle in every
// input format.
double peak_tflops(const ArchConfig& cfg, num::Format input);

uint64_t hbm_capacity_bytes(const ArchConfig& cfg);
double hbm_bandwidth_gb_s(const ArchConfig& cfg);
double hbm_bytes_per_cycle_per_channel(const ArchConfig& cfg);
double hbm_bytes_per_cycle(const ArchConfig& cfg);
// HBM latency rounded up to whole core cycles.
uint64_t hbm_latency_cycles(const ArchConfig& cfg);
// Roofline ridge point: FLOPs per HBM byte needed to be compute bound.
double ridge_flops_per_byte(const ArchConfig& cfg, num::Format input);
// The most one tile's DMA can stream from HBM: its link width, or what its
// outstanding bursts cover over a round trip (Little's law), whichever is less.
double dma_peak_bytes_per_cycle_per_tile(const ArchConfig& cfg);

}  // namespace cadre::arch
