#include "cadre/golden/layer_weights.h"

namespace cadre::golden {

weights::Shape tensor_shape(const model::MoeLayerSpec& spec, uint32_t tokens, weights::TensorRef t) {
  // The generator defines the layer's shapes; its constructor only stores its arguments.
  return weights::SyntheticLayer(spec, 0, tokens).shape(t);
}

MatrixU16 SyntheticWeights::bf16(weights::TensorRef t) const {
  const weights::Shape s = layer_.shape(t);
  MatrixU16 m(static_cast<Index>(s.rows), static_cast<Index>(s.cols));
  for (Index r = 0; r < m.rows(); ++r)
    layer_.bf16_row(t, static_cast<uint64_t>(r), 0, {&m(r, 0), static_cast<size_t>(m.cols())});
  return m;
}

MatrixF SyntheticWeights::fp32(weights::TensorRef t) const {
  const weights::Shape s = layer_.shape(t);
  MatrixF m(static_cast<Index>(s.rows), static_cast<Index>(s.cols));
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c) m(r, c) = layer_.fp32(t, r, c);
  return m;
}

Fp8Weight SyntheticWeights::fp8(weights::TensorRef t) const {
  const weights::Shape s = layer_.shape(t);
  Fp8Weight w{MatrixU8(static_cast<Index>(s.rows), static_cast<Index>(s.cols)),
              MatrixF(blocks_of(static_cast<Index>(s.rows)), blocks_of(static_cast<Index>(s.cols)))};
  for (Index r = 0; r < w.codes.rows(); ++r)
    layer_.fp8_row(t, static_cast<uint64_t>(r), 0, {&w.codes(r, 0), static_cast<size_t>(w.codes.cols())});
  for (Index r = 0; r < w.scales.rows(); ++r)
    for (Index c = 0; c < w.scales.cols(); ++c) w.scales(r, c) = layer_.scale_inv(t, r, c);
  return w;
}

}  // namespace cadre::golden
