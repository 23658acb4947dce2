// The report's charts, each a standalone SVG document (docs/compare.md, "The
// report"):
//
// - roofline: every kernel of both machines. Kernels with FLOPs sit on a
//   log-log roofline (FLOP per HBM byte against TFLOP/s, each machine's roof
//   drawn); kernels without FLOPs (top-k, align, the quantisations, permute,
//   combine on a GPU) have no place on it and are drawn beneath as their
//   achieved HBM bandwidth against each machine's peak.
// - kernel time and kernel energy: grouped bars, GPU and Cadre, per kernel
//   (Cadre's control time as a row of its own).
// - utilisation: the chip's matrix engines, vector units and DMA queues, busy
//   share of the tiles, over the layer's time.
#pragma once

#include <string>

#include "cadre/runtime/comparison.h"

namespace cadre::report {

std::string roofline_chart(const runtime::Comparison& c);
std::string time_chart(const runtime::Comparison& c);
std::string energy_chart(const runtime::Comparison& c);
std::string utilisation_chart(const runtime::Comparison& c);

// The colours each machine is drawn in (the HTML legend uses them too).
inline constexpr const char* kGpuColour = "#5a9e00";
inline constexpr const char* kCadreColour = "#1f6fb4";

}  // namespace cadre::report
