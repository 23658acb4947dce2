#include "cadre/gpumodel/gemm_model.h"
#include "cadre/common/int_math.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace cadre::gpumodel {
namespace {

using model::GemmLayout;
using model::Precision;

using common::ceil_div;

// One pipeline stage loads 128 bytes of K per row: 128 FP8 or 64 BF16 elements
// (the width of the 128-byte TMA swizzle), the unit of DeepGEMM's main loop.
constexpr uint64_t kStageBytesOfK = 128;
// FP8 scales: one FP32 per row per 128 of K (A), one per 128 x 128 block (B).
constexpr uint64_t kScaleBlock = 128;
constexpr double kScaleBytes = 4;

uint32_t element_bytes(Precision p) { return p == Precision::Fp8 ? 1 : 2; }

double peak_flops(const Gpu& gpu, Precision p) {
  return (p == Precision::Fp8 ? gpu.fp8_dense_tflops : gpu.bf16_dense_tflops) * 1e12;
}

double hbm_bytes_per_s(const Gpu& gpu, const KernelConstants& c) { return gpu.hbm_bandwidth_gbs * 1e9 * c.hbm_fraction; }

// HBM traffic of the whole GEMM: A and its scales once, each active group's B
// and its scales once (tiles sharing a panel hit in L2), the output once.
double gemm_bytes(const GemmProblem& p) {
  const double e = element_bytes(p.precision);
  const bool fp8 = p.precision == Precision::Fp8;
  const double k_blocks = static_cast<double>(ceil_div(p.k, kScaleBlock));
  const double n_blocks = static_cast<double>(ceil_div(p.n, kScaleBlock));
  double bytes = 0;
  for (const uint64_t rows : p.group_rows) {
    if (rows == 0) continue;
    const double m = static_cast<double>(rows), n = static_cast<double>(p.n), k = static_cast<double>(p.k);
    bytes += m * k * e + n * k * e + m * n * p.out_bytes;
    if (fp8) bytes += (m * k_blocks + n_blocks * k_blocks) * kScaleBytes;
  }
  return bytes;
}

double stage_bytes(Precision p, double bm, double bn) {
  return (bm + bn) * kStageBytesOfK + (p == Precision::Fp8 ? (bm + 1) * kScaleBytes : 0);
}

// The load pipeline's depth: as many stages as shared memory holds next to
// the output tile, up to DeepGEMM's maximum; 0 when fewer than two fit.
uint32_t pipeline_stages(const GemmProblem& p, const Gpu& gpu, GemmTile tile, const KernelConstants& c) {
  const double bm = tile.block_m, bn = tile.block_n;
  const double smem = gpu.smem_per_block_kib * 1024.0 - bm * bn * p.out_bytes;
  const double fit = smem > 0 ? smem / stage_bytes(p.precision, bm, bn) : 0;
  return fit < 2 ? 0 : std::min(c.max_stages, static_cast<uint32_t>(fit));
}

}  // namespace

const char* to_string(Bound bound) {
  switch (bound) {
    case Bound::Compute: return "compute";
    case Bound::Memory: return "memory";
    case Bound::Latency: return "latency";
  }
  return "?";
}

uint64_t wave_count(uint64_t tiles, uint32_t sms) { return ceil_div(tiles, sms); }

uint64_t tile_count(const GemmProblem& problem, GemmTile tile) {
  uint64_t tiles = 0;
  for (const uint64_t rows : problem.group_rows) tiles += ceil_div(rows, tile.block_m) * ceil_div(problem.n, tile.block_n);
  return tiles;
}

std::vector<GemmTile> candidate_tiles(GemmLayout layout) {
  std::vector<uint32_t> block_ns;
  for (uint32_t n = 16; n <= 128; n += 8) block_ns.push_back(n);
  block_ns.push_back(144);
  block_ns.push_back(160);
  std::vector<GemmTile> tiles;
  for (const uint32_t m : {64u, 128u}) {
    if (layout == GemmLayout::Contiguous && m != 128) continue;
    for (const uint32_t n : block_ns) tiles.push_back({m, n});
  }
  return tiles;
}

GemmEstimate model_gemm_tile(const GemmProblem& p, const Gpu& gpu, GemmTile tile, const KernelConstants& c) {
  const uint64_t total_rows = std::accumulate(p.group_rows.begin(), p.group_rows.end(), uint64_t{0});
  if (total_rows == 0 || p.n == 0 || p.k == 0) throw std::invalid_argument("GEMM with no rows, columns or depth");
  const bool fp8 = p.precision == Precision::Fp8;
  const double bm = tile.block_m, bn = tile.block_n;

  const uint32_t stages = pipeline_stages(p, gpu, tile, c);
  if (stages == 0) throw std::invalid_argument("tile's load pipeline does not fit in shared memory");

  // One K stage on one SM takes the longest of: the tensor cores (plus the
  // exposed FP8 promotion), the latency of the loads in flight, and the L2's
  // delivery of the stage's bytes (halved for the operand TMA multicasts to
  // a pair of SMs; DeepGEMM multicasts B only for dense GEMMs).
  const double k_per_stage = static_cast<double>(kStageBytesOfK / element_bytes(p.precision));
  const double sm_flops = peak_flops(gpu, p.precision) / gpu.sms * c.tensor_issue_fraction;
  const double promotion = fp8 ? 1 + c.promotion_cost * c.promotion_exposed : 1;
  const double tensor_s = 2 * bm * bn * k_per_stage / sm_flops * promotion;
  const double latency_s = c.load_latency_us * 1e-6 / stages;
  const uint64_t multicast_rows =
      p.layout == GemmLayout::Masked ? *std::max_element(p.group_rows.begin(), p.group_rows.end()) : total_rows;
  double fed_rows = bm + bn;
  if (multicast_rows >= c.multicast_min_rows)
    fed_rows = (p.layout != GemmLayout::Dense || bm > bn) ? bm / 2 + bn : bm + bn / 2;
  const double fed_bytes = fed_rows * kStageBytesOfK + (fp8 ? (bm + 1) * kScaleBytes : 0);
  const double feed_s = fed_bytes / (c.l2_to_sm_tbs * 1e12 / gpu.sms);
  const double stage_s = std::max({tensor_s, latency_s, feed_s});

  // Each tile ends with its output written to HBM while the SM's math waits,
  // every SM at its share of the bandwidth (the waves run in lock step).
  const double epilogue_s = bm * bn * p.out_bytes / (hbm_bytes_per_s(gpu, c) / gpu.sms);

  GemmEstimate est;
  est.tile = tile;
  est.stages = stages;
  est.tiles = tile_count(p, tile);
  est.waves = wave_count(est.tiles, gpu.sms);
  est.flops = 2.0 * static_cast<double>(total_rows) * static_cast<double>(p.n) * static_cast<double>(p.k);
  est.bytes = gemm_bytes(p);
  const double waves = static_cast<double>(est.waves);
  const double k_stages = static_cast<double>(ceil_div(p.k, static_cast<uint64_t>(k_per_stage)));
  const double sm_s = waves * (k_stages * stage_s + epilogue_s);
  const double tensor_total_s = waves * k_stages * tensor_s;
  const double hbm_s = est.bytes / hbm_bytes_per_s(gpu, c);
  // The SMs and HBM overlap, but not perfectly: a share of the shorter of
  // tensor work and HBM streaming shows on top of the longer.
  const double launch_s = c.launch_us * 1e-6;
  const double time_s = launch_s + std::max(sm_s, hbm_s) + c.overlap_penalty * std::min(tensor_total_s, hbm_s);

  est.time_us = time_s * 1e6;
  est.sm_us = sm_s * 1e6;
  est.tensor_us = tensor_total_s * 1e6;
  est.hbm_us = hbm_s * 1e6;
  // Memory means HBM; SMs waiting on their loads (a pipeline too shallow to
  // cover the latency, or the L2 unable to feed a small tile) count as latency.
  if (launch_s < std::max(sm_s, hbm_s) && hbm_s >= sm_s)
    est.bound = Bound::Memory;
  else if (launch_s < sm_s && tensor_s == stage_s)
    est.bound = Bound::Compute;
  else
    est.bound = Bound::Latency;
  return est;
}

GemmEstimate model_gemm(const GemmProblem& problem, const Gpu& gpu, const KernelConstants& c) {
  GemmEstimate best;
  bool found = false;
  for (const GemmTile tile : candidate_tiles(problem.layout)) {
    if (pipeline_stages(problem, gpu, tile, c) == 0) continue;
    const GemmEstimate est = model_gemm_tile(problem, gpu, tile, c);
    if (!found || est.time_us < best.time_us) best = est;
    found = true;
  }
  if (!found) throw std::invalid_argument("no candidate tile fits in shared memory");
  return best;
}

double streaming_time_us(double bytes, const Gpu& gpu, const KernelConstants& c) {
  return c.streaming_launch_us + bytes / (gpu.hbm_bandwidth_gbs * 1e9 * c.streaming_hbm_fraction) * 1e6;
}

}  // namespace cadre::gpumodel
