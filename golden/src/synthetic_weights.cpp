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
    for (Index c = 0; c < m.cols(); ++c) m(r, c) = layer_.bf16(t, r, c);
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
    for (Index c = 0; c < w.codes.cols(); ++c) w.codes(r, c) = layer_.fp8(t, r, c);
  for (Index r = 0; r < w.scales.rows(); ++r)
    for (Index c = 0; c < w.scales.cols(); ++c) w.scales(r, c) = layer_.scale_inv(t, r, c);
  return w;
}

}  // namespace cadre::golden
