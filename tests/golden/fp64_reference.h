// A plain double-precision MoE layer to measure the golden model's error
// against: dequantised weights, unquantised activations, double exp, no
// intermediate rounding. It takes the experts from the golden model's ids, so
// a near-tie that FP32 breaks differently cannot swap an expert and turn a
// rounding difference into a different computation.
#pragma once

#include <vector>

#include "cadre/golden/layer_weights.h"

namespace cadre::golden::test {

using model::Precision;

// The layer's output [T * H], row-major, with each token's experts from `ids`
// [T, k] and their weights recomputed in double.
std::vector<double> fp64_layer(const LayerWeights& weights, Precision precision, const MatrixI32& ids);

}  // namespace cadre::golden::test
