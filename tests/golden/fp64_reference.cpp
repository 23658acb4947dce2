#include "fp64_reference.h"

#include <cmath>

#include "cadre/numerics/convert.h"

namespace cadre::golden::test {
namespace {

using weights::Role;
using weights::TensorRef;
using MatrixD = Matrix<double>;

MatrixD to_double(const MatrixU16& m) {
  MatrixD d(m.rows(), m.cols());
  for (Index i = 0; i < m.size(); ++i) d.data()[i] = num::bf16_to_float(m.data()[i]);
  return d;
}

// The weight's real values: FP8 code x its block's scale, or the BF16 value.
MatrixD weight(const LayerWeights& w, TensorRef t, Precision p) {
  if (p == Precision::Bf16) return to_double(w.bf16(t));
  const Fp8Weight f = w.fp8(t);
  MatrixD d(f.codes.rows(), f.codes.cols());
  for (Index r = 0; r < d.rows(); ++r)
    for (Index c = 0; c < d.cols(); ++c)
      d(r, c) = double(num::e4m3_to_float(f.codes(r, c))) * double(f.scales(r / 128, c / 128));
  return d;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// down(silu(gate x) * up x) for one token, in double.
Eigen::VectorXd swiglu(const MatrixD& gate, const MatrixD& up, const MatrixD& down, const Eigen::VectorXd& x) {
  const Eigen::VectorXd g = gate * x, u = up * x;
  Eigen::VectorXd a(g.size());
  for (Index j = 0; j < g.size(); ++j) a[j] = g[j] * sigmoid(g[j]) * u[j];
  return down * a;
}

}  // namespace

std::vector<double> fp64_layer(const LayerWeights& w, Precision precision, const MatrixI32& ids) {
  const model::MoeLayerSpec& spec = w.spec();
  const model::RoutingSpec& routing = spec.routing;
  const MatrixD x = to_double(w.bf16({Role::Input}));
  const Index tokens = x.rows(), k = ids.cols();
  const MatrixD logits = x * to_double(w.bf16({Role::RouterWeight})).transpose();
  MatrixD out = MatrixD::Zero(tokens, x.cols());

  // Routing weights of the given experts.
  MatrixD route(tokens, k);
  for (Index t = 0; t < tokens; ++t) {
    Eigen::VectorXd scores(routing.experts);
    if (routing.scoring == model::Scoring::Sigmoid) {
      for (Index e = 0; e < scores.size(); ++e) scores[e] = sigmoid(logits(t, e));
    } else {
      const double m = logits.row(t).maxCoeff();
      for (Index e = 0; e < scores.size(); ++e) scores[e] = std::exp(logits(t, e) - m);
      scores /= scores.sum();
    }
    double sum = 0;
    for (Index s = 0; s < k; ++s) sum += route(t, s) = scores[ids(t, s)];
    for (Index s = 0; s < k; ++s)
      route(t, s) = (routing.normalise ? route(t, s) / (sum + routing.norm_epsilon) : route(t, s)) * routing.scaling;
  }

  // Routed experts, each materialised once for all the tokens that chose it.
  for (uint32_t e = 0; e < routing.experts; ++e) {
    std::vector<std::pair<Index, double>> users;
    for (Index t = 0; t < tokens; ++t)
      for (Index s = 0; s < k; ++s)
        if (ids(t, s) == static_cast<int32_t>(e)) users.emplace_back(t, route(t, s));
    if (users.empty()) continue;
    const MatrixD gate = weight(w, {Role::ExpertGate, e}, precision), up = weight(w, {Role::ExpertUp, e}, precision),
                  down = weight(w, {Role::ExpertDown, e}, precision);
    for (const auto& [t, r] : users) out.row(t) += r * swiglu(gate, up, down, x.row(t).transpose()).transpose();
  }

  if (spec.shared.width > 0) {
    const MatrixD gate = weight(w, {Role::SharedGate}, precision), up = weight(w, {Role::SharedUp}, precision),
                  down = weight(w, {Role::SharedDown}, precision);
    MatrixD shared_gate;
    if (spec.shared.sigmoid_gate) shared_gate = to_double(w.bf16({Role::SharedExpertGate}));
    for (Index t = 0; t < tokens; ++t) {
      const double g = spec.shared.sigmoid_gate ? sigmoid(shared_gate.row(0).dot(x.row(t))) : 1.0;
      out.row(t) += g * swiglu(gate, up, down, x.row(t).transpose()).transpose();
    }
  }
  return {out.data(), out.data() + out.size()};
}

}  // namespace cadre::golden::test
