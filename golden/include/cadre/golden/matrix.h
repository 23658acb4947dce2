// The containers the golden model passes between kernels: row-major Eigen
// matrices of raw element bits. Eigen only holds the data; every value is
// computed by the numerics library in the order docs/moe-layer.md fixes.
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace cadre::golden {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixF = Matrix<float>;
using MatrixU8 = Matrix<uint8_t>;    // FP8 E4M3 codes
using MatrixU16 = Matrix<uint16_t>;  // BF16 bits
using MatrixI32 = Matrix<int32_t>;
using Index = Eigen::Index;

// FP8 activations: E4M3 codes [rows, cols] and one FP32 scale per row per 128
// columns, scales [rows, ceil(cols / 128)]; value = code * scale.
struct Fp8Activations {
  MatrixU8 codes;
  MatrixF scales;
};

// An FP8 weight as the DeepSeek-V3 checkpoint stores it: E4M3 codes [rows, cols]
// and one FP32 `weight_scale_inv` per 128 x 128 block, [ceil(rows/128), ceil(cols/128)].
struct Fp8Weight {
  MatrixU8 codes;
  MatrixF scales;
};

// Number of 128-wide blocks covering n elements.
constexpr Index blocks_of(Index n) { return (n + 127) / 128; }

}  // namespace cadre::golden
