// Softmax over a row, in the fixed order every path follows (docs/numerics.md).
#pragma once

#include <cstddef>

#include "cadre/numerics/hd.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::num {

// y[i] = e^(x[i] - max) / sum_j e^(x[j] - max): the maximum by strict > (NaNs do not
// win it), exponentials and their FP32 sum in increasing index order, then one
// correctly rounded division per element. n >= 1; y may alias x.
CADRE_HD inline void softmax_row(const float* x, size_t n, float* y) {
  float m = x[0];
  for (size_t i = 1; i < n; ++i)
    if (x[i] > m) m = x[i];
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    y[i] = exp_f32(sub_rn(x[i], m));
    sum = add_rn(sum, y[i]);
  }
  for (size_t i = 0; i < n; ++i) y[i] = canonical(div_rn(y[i], sum));
}

}  // namespace cadre::num
