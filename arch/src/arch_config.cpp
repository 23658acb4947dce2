#include "cadre/arch/arch_config.h"

#include <algorithm>
#include <cmath>

namespace cadre::arch {

bool supports_input(const ArchConfig& cfg, num::Format format) {
  return std::ranges::find(cfg.matrix.input_formats, format) != cfg.matrix.input_formats.end();
}

uint64_t widest_input_bytes(const ArchConfig& cfg) {
  uint64_t widest = 0;
  for (num::Format f : cfg.matrix.input_formats) widest = std::max<uint64_t>(widest, num::info(f).bytes);
  return widest;
}

uint64_t operand_tile_bytes(const ArchConfig& cfg) {
  return uint64_t{cfg.matrix.rows} * cfg.matrix.cols * widest_input_bytes(cfg);
}

uint64_t accumulator_tile_bytes(const ArchConfig& cfg) {
  return uint64_t{cfg.matrix.rows} * cfg.matrix.cols * kAccumulatorElementBytes;
}

uint64_t scratchpad_bank_bytes(const ArchConfig& cfg) { return cfg.scratchpad.bytes / cfg.scratchpad.banks; }
uint64_t accumulator_bank_bytes(const ArchConfig& cfg) { return cfg.accumulator.bytes / cfg.accumulator.banks; }

uint64_t total_sram_bytes(const ArchConfig& cfg) {
  return uint64_t{cfg.tiles} * (cfg.scratchpad.bytes + cfg.accumulator.bytes);
}

uint64_t macs_per_cycle_per_tile(const ArchConfig& cfg) { return uint64_t{cfg.matrix.rows} * cfg.matrix.cols; }
uint64_t peak_macs_per_cycle(const ArchConfig& cfg) { return cfg.tiles * macs_per_cycle_per_tile(cfg); }

double peak_tflops(const ArchConfig& cfg, num::Format input) {
  if (!supports_input(cfg, input)) return 0;
  // MACs/cycle x 2 FLOP x clock_ghz 10^9 cycles/s, in units of 10^12.
  return 2.0 * static_cast<double>(peak_macs_per_cycle(cfg)) * cfg.clock_ghz / 1000.0;
}

uint64_t hbm_capacity_bytes(const ArchConfig& cfg) { return uint64_t{cfg.hbm.capacity_gib} << 30; }
double hbm_bandwidth_gb_s(const ArchConfig& cfg) { return cfg.hbm.channels * cfg.hbm.channel_bandwidth_gb_s; }

// GB/s over Gcycles/s is bytes per cycle.
double hbm_bytes_per_cycle_per_channel(const ArchConfig& cfg) {
  return cfg.hbm.channel_bandwidth_gb_s / cfg.clock_ghz;
}
double hbm_bytes_per_cycle(const ArchConfig& cfg) { return hbm_bandwidth_gb_s(cfg) / cfg.clock_ghz; }

uint64_t hbm_latency_cycles(const ArchConfig& cfg) {
  return static_cast<uint64_t>(std::ceil(cfg.hbm.latency_ns * cfg.clock_ghz));
}

double ridge_flops_per_byte(const ArchConfig& cfg, num::Format input) {
  // TFLOP/s over GB/s: 10^12 / 10^9.
  return peak_tflops(cfg, input) * 1000.0 / hbm_bandwidth_gb_s(cfg);
}

double dma_peak_bytes_per_cycle_per_tile(const ArchConfig& cfg) {
  // A burst's round trip: request across the link, the channel's latency, data back.
  const double round_trip_cycles =
      2.0 * cfg.interconnect.latency_cycles + static_cast<double>(hbm_latency_cycles(cfg));
  const double in_flight_bytes = static_cast<double>(cfg.dma.max_outstanding_bursts) * cfg.dma.burst_bytes;
  return std::min(static_cast<double>(cfg.interconnect.bytes_per_cycle), in_flight_bytes / round_trip_cycles);
}

}  // namespace cadre::arch
