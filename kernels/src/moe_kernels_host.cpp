// run_host: the layer through the host build of the kernels, in the golden
// model's containers, materialising one expert's weights at a time.
#include <array>
#include <chrono>
#include <vector>

#include "cadre/golden/layer_pipeline.h"
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/moe_kernels.h"
#include "cadre/numerics/routing.h"

namespace cadre::kernels {
namespace {

using golden::Fp8Activations;
using golden::Fp8Weight;
using golden::Index;
using golden::MatrixF;
using golden::MatrixI32;
using golden::MatrixU16;
using golden::MatrixU8;
using weights::Role;

// Adds the wall time of `f` to `seconds`.
template <class F>
void timed(double& seconds, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Fp8Activations fp8_activations(Index rows, Index cols) {
  return {MatrixU8(rows, cols), MatrixF(rows, golden::blocks_of(cols))};
}

Fp8Weights one_weight(const Fp8Weight& w) {
  return {w.codes.data(), w.scales.data(), nullptr, static_cast<uint32_t>(w.codes.rows()),
          static_cast<uint32_t>(w.codes.cols())};
}
Bf16Weights one_weight(const MatrixU16& w) {
  return {w.data(), nullptr, static_cast<uint32_t>(w.rows()), static_cast<uint32_t>(w.cols())};
}

void launch_gemm(const Fp8Activations& a, const GemmRows& rows, const Fp8Weight& w, MatrixU16& out, uint32_t col0) {
  host::grouped_gemm_fp8(a.codes.data(), a.scales.data(), rows, one_weight(w), out.data(),
                         static_cast<uint32_t>(out.cols()), col0);
}
void launch_gemm(const MatrixU16& a, const GemmRows& rows, const MatrixU16& w, MatrixU16& out, uint32_t col0) {
  host::grouped_gemm_bf16(a.data(), rows, one_weight(w), out.data(), static_cast<uint32_t>(out.cols()), col0);
}

// The weights of one role in the run's precision.
struct Fp8Fetch {
  const golden::LayerWeights& weights;
  Fp8Weight operator()(weights::TensorRef t) const { return weights.fp8(t); }
};
struct Bf16Fetch {
  const golden::LayerWeights& weights;
  MatrixU16 operator()(weights::TensorRef t) const { return weights.bf16(t); }
};

// A grouped GEMM over the aligned rows, one launch per expert with rows and
// weight role, the roles' outputs side by side, then the padding rows copied.
template <class Rows, class Fetch>
MatrixU16 grouped_gemm(const Rows& a, const golden::Alignment& al, std::initializer_list<Role> roles, Index out_cols,
                       Fetch fetch, double& seconds) {
  MatrixU16 out(static_cast<Index>(al.tokens.size()), out_cols);
  const auto experts = static_cast<uint32_t>(al.offsets.size() - 1);
  for (uint32_t e = 0; e < experts; ++e) {
    if (al.offsets[e] == al.offsets[e + 1]) continue;
    const GemmRows rows{al.offsets.data(), al.tokens.data(), experts, static_cast<uint32_t>(al.offsets[e]),
                        static_cast<uint32_t>(al.offsets[e + 1])};
    uint32_t col0 = 0;
    for (const Role role : roles) {
      const auto w = fetch(weights::TensorRef{role, e});
      timed(seconds, [&] { launch_gemm(a, rows, w, out, col0); });
      col0 += static_cast<uint32_t>(one_weight(w).n);
    }
  }
  const GemmRows all{al.offsets.data(), al.tokens.data(), experts, 0, static_cast<uint32_t>(al.tokens.size())};
  timed(seconds, [&] { host::copy_padding_rows(all, out.data(), static_cast<uint32_t>(out.cols())); });
  return out;
}

void silu_mul(const MatrixU16& h, const int32_t* row_tokens, Fp8Activations& act) {
  host::silu_mul_quant(h.data(), static_cast<uint32_t>(h.rows()), static_cast<uint32_t>(h.cols() / 2), row_tokens,
                       act.codes.data(), act.scales.data());
}
void silu_mul(const MatrixU16& h, const int32_t* row_tokens, MatrixU16& act) {
  host::silu_mul_bf16(h.data(), static_cast<uint32_t>(h.rows()), static_cast<uint32_t>(h.cols() / 2), row_tokens,
                      act.data());
}

// The shared experts on every token of `a` (x_q or x), Qwen2-MoE's gate included.
template <class Rows, class Act, class Fetch>
MatrixU16 shared_expert(const golden::LayerWeights& weights, const MatrixU16& x, const Rows& a, Act act, Fetch fetch,
                        double& seconds) {
  const model::SharedExpertSpec& shared = weights.spec().shared;
  if (shared.width == 0) return {};
  const auto tokens = static_cast<uint32_t>(x.rows()), hidden = static_cast<uint32_t>(x.cols());
  const auto gate = fetch({Role::SharedGate}), up = fetch({Role::SharedUp}), down = fetch({Role::SharedDown});
  const std::vector<int32_t> offsets{0, static_cast<int32_t>(tokens)};
  const GemmRows rows{offsets.data(), nullptr, 1, 0, tokens};
  MatrixU16 h(tokens, 2 * Index{shared.width}), y(tokens, hidden);
  timed(seconds, [&] {
    launch_gemm(a, rows, gate, h, 0);
    launch_gemm(a, rows, up, h, shared.width);
    silu_mul(h, nullptr, act);
    launch_gemm(act, rows, down, y, 0);
  });
  if (shared.sigmoid_gate) {
    const MatrixU16 gate_weight = weights.bf16({Role::SharedExpertGate});
    std::vector<float> gates(tokens);
    timed(seconds, [&] {
      host::shared_gate(x.data(), gate_weight.data(), tokens, hidden, gates.data());
      host::apply_shared_gate(y.data(), gates.data(), tokens, hidden);
    });
  }
  return y;
}

// The host build's kernels, each reading the trace and writing its outputs
// there, timed into `seconds`.
class HostBackend final : public golden::LayerBackend {
 public:
  HostBackend(const golden::LayerRun& layer, std::array<double, model::kKernelCount>& seconds)
      : layer_(layer), seconds_(seconds) {}

  void run(model::Kernel kernel, golden::MoeTrace& tr) override {
    const model::MoeLayerSpec& spec = layer_.spec;
    const golden::LayerWeights& weights = layer_.weights;
    const model::RoutingSpec& routing = spec.routing;
    const uint32_t tokens = layer_.weights.tokens(), hidden = spec.hidden, experts = routing.experts;
    const uint32_t k = routing.top_k, width = spec.expert_width;
    const bool fp8 = layer_.precision == model::Precision::Fp8;
    golden::Alignment& al = tr.alignment;
    const auto rows = static_cast<uint32_t>(al.tokens.size());
    double& seconds = seconds_[static_cast<size_t>(kernel)];
    switch (kernel) {
      case model::Kernel::RouterGemm: {
        const MatrixU16 router = weights.bf16({Role::RouterWeight});
        tr.logits = MatrixF(tokens, experts);
        timed(seconds, [&] { host::router_gemm(tr.x.data(), router.data(), tr.logits.data(), tokens, experts, hidden); });
        break;
      }
      case model::Kernel::TopK: {
        MatrixF bias;
        if (routing.selection_bias) bias = weights.fp32({Role::RouterBias});
        tr.topk = {MatrixI32(tokens, k), MatrixF(tokens, k)};
        const size_t scratch_size = size_t{tokens} * experts;
        std::vector<float> scores(scratch_size), keys(scratch_size), group_scores(scratch_size);
        std::vector<uint8_t> flags(scratch_size);
        const TopkScratch scratch{scores.data(), keys.data(), group_scores.data(), flags.data()};
        timed(seconds, [&] {
          host::topk(routing, tr.logits.data(), routing.selection_bias ? bias.data() : nullptr, tokens, scratch,
                     tr.topk.ids.data(), tr.topk.weights.data());
        });
        break;
      }
      case model::Kernel::Align: {
        const uint64_t max_rows = num::align_max_rows(tokens, k, experts, layer_.block);
        std::vector<int32_t> counts(experts);
        assignment_rows_.resize(size_t{tokens} * k);
        al.offsets.resize(experts + 1);
        al.tokens.resize(max_rows);
        al.row_weights.resize(max_rows);
        timed(seconds, [&] {
          host::align(tr.topk.ids.data(), tr.topk.weights.data(), tokens, k, experts, layer_.block, counts.data(),
                      al.offsets.data(), al.tokens.data(), al.row_weights.data(), assignment_rows_.data());
        });
        al.tokens.resize(static_cast<size_t>(al.offsets[experts]));
        al.row_weights.resize(al.tokens.size());
        break;
      }
      case model::Kernel::InputQuant:
        tr.x_q = fp8_activations(tokens, hidden);
        timed(seconds, [&] { host::input_quant(tr.x.data(), tokens, hidden, tr.x_q.codes.data(), tr.x_q.scales.data()); });
        break;
      case model::Kernel::Permute:
        if (fp8) {
          tr.permuted_fp8 = fp8_activations(rows, hidden);
          timed(seconds, [&] {
            host::permute_fp8(tr.x_q.codes.data(), tr.x_q.scales.data(), hidden, al.tokens.data(), rows,
                              tr.permuted_fp8.codes.data(), tr.permuted_fp8.scales.data());
          });
        } else {
          tr.permuted_bf16 = MatrixU16(rows, hidden);
          timed(seconds, [&] { host::permute_bf16(tr.x.data(), hidden, al.tokens.data(), rows, tr.permuted_bf16.data()); });
        }
        break;
      case model::Kernel::GateUpGemm: {
        const std::initializer_list<Role> roles{Role::ExpertGate, Role::ExpertUp};
        tr.gate_up = fp8 ? grouped_gemm(tr.permuted_fp8, al, roles, 2 * Index{width}, Fp8Fetch{weights}, seconds)
                         : grouped_gemm(tr.permuted_bf16, al, roles, 2 * Index{width}, Bf16Fetch{weights}, seconds);
        break;
      }
      case model::Kernel::SiluMulQuant:
        if (fp8) {
          tr.act_fp8 = fp8_activations(rows, width);
          timed(seconds, [&] { silu_mul(tr.gate_up, al.tokens.data(), tr.act_fp8); });
        } else {
          tr.act_bf16 = MatrixU16(rows, width);
          timed(seconds, [&] { silu_mul(tr.gate_up, al.tokens.data(), tr.act_bf16); });
        }
        break;
      case model::Kernel::DownGemm:
        tr.down = fp8 ? grouped_gemm(tr.act_fp8, al, {Role::ExpertDown}, hidden, Fp8Fetch{weights}, seconds)
                      : grouped_gemm(tr.act_bf16, al, {Role::ExpertDown}, hidden, Bf16Fetch{weights}, seconds);
        break;
      case model::Kernel::SharedExpert:
        tr.shared = fp8 ? shared_expert(weights, tr.x, tr.x_q, fp8_activations(tokens, spec.shared.width),
                                        Fp8Fetch{weights}, seconds)
                        : shared_expert(weights, tr.x, tr.x, MatrixU16(tokens, spec.shared.width), Bf16Fetch{weights},
                                        seconds);
        break;
      case model::Kernel::Combine:
        tr.out = MatrixU16(tokens, hidden);
        timed(seconds, [&] {
          host::combine(tr.down.data(), tr.shared.size() != 0 ? tr.shared.data() : nullptr, assignment_rows_.data(),
                        al.row_weights.data(), tokens, k, hidden, tr.out.data());
        });
        break;
    }
  }

  void finish(golden::MoeTrace&) override {}

 private:
  const golden::LayerRun& layer_;
  std::array<double, model::kKernelCount>& seconds_;
  std::vector<int32_t> assignment_rows_;  // align's row of each assignment, for combine
};

}  // namespace

KernelRun run_host(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, model::Precision precision,
                   uint32_t block) {
  const golden::LayerRun layer{spec, weights, precision, block};
  KernelRun run;
  HostBackend backend(layer, run.seconds);
  run.trace = golden::run_layer(layer, backend);
  return run;
}

}  // namespace cadre::kernels
