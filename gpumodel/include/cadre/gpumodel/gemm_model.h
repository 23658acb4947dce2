// Time of one GEMM kernel on a Hopper GPU, modelled on how DeepGEMM's FP8
// kernels run: a persistent grid with one block per SM walking output tiles,
// a TMA load pipeline of 128-byte-deep K stages, WGMMA on the tensor cores,
// and (FP8) partial sums promoted to FP32 on the CUDA cores every 128 of K.
// docs/gpu-model.md derives every term and gives every constant's reason.
#pragma once

#include <cstdint>
#include <vector>

#include "cadre/gpumodel/gpu.h"
#include "cadre/model/kernels.h"

namespace cadre::gpumodel {

// What limits a kernel: tensor throughput, HBM bandwidth, or latency (the
// launch overhead, or SMs waiting on loads: too few in flight, or the L2 not
// delivering a small tile's operands as fast as the tensor cores use them).
enum class Bound : uint8_t { Compute, Memory, Latency };

const char* to_string(Bound bound);

// The model's constants, the same for every GEMM and every Hopper GPU. Values
// and reasons: docs/gpu-model.md, "Constants".
struct KernelConstants {
  double tensor_issue_fraction = 0.85;  // of peak the WGMMA main loop sustains
  double promotion_cost = 0.25;         // FP8 promotion FMAs / tensor time of a K stage
  double promotion_exposed = 0.22;      // share of the promotion not hidden behind WGMMA
  double hbm_fraction = 0.90;           // of peak HBM bandwidth a GEMM's loads and stores reach
  double load_latency_us = 0.8;         // a TMA load's round trip from HBM under load
  double l2_to_sm_tbs = 10.0;           // L2 to SM delivery, whole chip
  double launch_us = 1.5;               // launch, prologue and tail of one GEMM kernel
  double overlap_penalty = 0.3;         // share of min(tensor, HBM) time not overlapped
  uint32_t max_stages = 8;              // DeepGEMM's deepest load pipeline
  uint64_t multicast_min_rows = 512;    // DeepGEMM multicasts a tile's load to 2 SMs from here
  // The streaming kernels (top-k, align, permute, SiLU-mul, combine...) are
  // given the GEMMs' values, as no published measurement covers them.
  double streaming_hbm_fraction = 0.90;  // of peak HBM bandwidth a streaming kernel reaches
  double streaming_launch_us = 1.5;      // launch and tail of one streaming kernel
};
inline constexpr KernelConstants kHopper{};

struct GemmProblem {
  model::GemmLayout layout = model::GemmLayout::Dense;
  model::Precision precision = model::Precision::Fp8;
  // Rows of each group: one entry for a dense GEMM; for the contiguous layout
  // each already padded to 128, as align pads them. Groups with no rows cost
  // nothing (their weights are not read).
  std::vector<uint64_t> group_rows;
  uint64_t n = 0;
  uint64_t k = 0;
  uint32_t out_bytes = 2;  // BF16 out; 4 for FP32 (the router's logits)
};

struct GemmTile {
  uint32_t block_m = 0;
  uint32_t block_n = 0;
};

struct GemmEstimate {
  double time_us = 0;
  double flops = 0;  // 2 x rows x N x K over the rows given (padding included)
  double bytes = 0;  // HBM traffic: A, the active groups' B, scales, output
  Bound bound = Bound::Compute;
  GemmTile tile;
  uint64_t tiles = 0;
  uint64_t waves = 0;
  uint32_t stages = 0;
  double tensor_us = 0;  // tensor-core time of all waves alone
  double sm_us = 0;      // the SMs' time: waves x (K stages + epilogue)
  double hbm_us = 0;     // bytes at the achievable HBM bandwidth
};

// Waves of a persistent grid: ceil(tiles / sms).
uint64_t wave_count(uint64_t tiles, uint32_t sms);
// Output tiles of `tile` over the problem's groups.
uint64_t tile_count(const GemmProblem& problem, GemmTile tile);
// The tiles tried: BLOCK_M 64 or 128 (128 only for the contiguous layout,
// whose groups are 128-aligned), BLOCK_N 16 to 128 in steps of 8, 144, 160.
std::vector<GemmTile> candidate_tiles(model::GemmLayout layout);

// The estimate with one given tile; throws std::invalid_argument when the
// tile's pipeline does not fit in shared memory or the problem is empty.
GemmEstimate model_gemm_tile(const GemmProblem& problem, const Gpu& gpu, GemmTile tile,
                             const KernelConstants& c = kHopper);
// The estimate with the fastest candidate tile, as an autotuner picks it.
GemmEstimate model_gemm(const GemmProblem& problem, const Gpu& gpu, const KernelConstants& c = kHopper);

// A streaming (memory-bound) kernel: launch + bytes at the achievable HBM bandwidth.
double streaming_time_us(double bytes, const Gpu& gpu, const KernelConstants& c = kHopper);

}  // namespace cadre::gpumodel
