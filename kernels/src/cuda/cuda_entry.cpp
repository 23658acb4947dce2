// run_cuda: the layer on CUDA device 0 through the CUDA build of the kernels,
// timed per kernel with cudaEvents. Compiled only when the CUDA toolkit is found.
#include <cuda_runtime.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <vector>

#include "cadre/golden/layer_pipeline.h"
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/moe_kernels.h"
#include "cadre/numerics/routing.h"
#include "mma.h"

namespace cadre::kernels {
namespace {

using golden::Fp8Activations;
using golden::Index;
using golden::MatrixF;
using golden::MatrixU16;
using golden::MatrixU8;
using weights::Role;

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(fmt::format("CUDA: {}: {}", what, cudaGetErrorString(status)));
}

// A device array of n elements (at least one allocated, so pointers are valid).
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(size_t n) : n_(n) {
    check(cudaMalloc(reinterpret_cast<void**>(&p_), (n > 0 ? n : 1) * sizeof(T)), "cudaMalloc");
  }
  DeviceArray(const T* host, size_t n) : DeviceArray(n) {
    check(cudaMemcpy(p_, host, n * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { cudaFree(p_); }
  T* get() const { return p_; }
  void download(T* host) const { check(cudaMemcpy(host, p_, n_ * sizeof(T), cudaMemcpyDeviceToHost), "download"); }

 private:
  T* p_ = nullptr;
  size_t n_;
};

template <class M>
DeviceArray<typename M::Scalar> upload(const M& m) {
  return DeviceArray<typename M::Scalar>(m.data(), static_cast<size_t>(m.size()));
}

// Adds the GPU time of the launches in `f` to `seconds` (events on the default stream).
class EventTimer {
 public:
  EventTimer() {
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  template <class F>
  void operator()(double& seconds, F&& f) {
    check(cudaEventRecord(start_), "cudaEventRecord");
    f();
    check(cudaGetLastError(), "kernel launch");
    check(cudaEventRecord(stop_), "cudaEventRecord");
    check(cudaEventSynchronize(stop_), "kernel");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    seconds += ms * 1e-3;
  }

 private:
  cudaEvent_t start_{}, stop_{};
};

// The weights of one role for the chosen experts, stacked by slot.
struct Fp8Stack {
  std::vector<uint8_t> codes;
  std::vector<float> scales;
  uint32_t n = 0, k = 0;
};
struct Bf16Stack {
  std::vector<uint16_t> values;
  uint32_t n = 0, k = 0;
};

void append(Fp8Stack& s, const golden::Fp8Weight& w) {
  s.n = static_cast<uint32_t>(w.codes.rows());
  s.k = static_cast<uint32_t>(w.codes.cols());
  s.codes.insert(s.codes.end(), w.codes.data(), w.codes.data() + w.codes.size());
  s.scales.insert(s.scales.end(), w.scales.data(), w.scales.data() + w.scales.size());
}
void append(Bf16Stack& s, const MatrixU16& w) {
  s.n = static_cast<uint32_t>(w.rows());
  s.k = static_cast<uint32_t>(w.cols());
  s.values.insert(s.values.end(), w.data(), w.data() + w.size());
}

struct DeviceFp8Weights {
  DeviceArray<uint8_t> codes;
  DeviceArray<float> scales;
  explicit DeviceFp8Weights(const Fp8Stack& s) : codes(s.codes.data(), s.codes.size()), scales(s.scales.data(), s.scales.size()) {}
};

// A device buffer made by the kernel that writes it first.
template <class T>
using Buffer = std::optional<DeviceArray<T>>;

// The CUDA build's kernels on device 0: each kernel's outputs stay in device
// buffers, which live as long as the backend, and go into the trace in finish().
class CudaBackend final : public golden::LayerBackend {
 public:
  CudaBackend(const golden::LayerRun& layer, const CudaOptions& options,
              std::array<double, model::kKernelCount>& seconds)
      : layer_(layer), spec_(layer.spec), weights_(layer.weights), options_(options), seconds_(seconds) {}

  void run(model::Kernel kernel, golden::MoeTrace& tr) override {
    double& secs = seconds_[static_cast<size_t>(kernel)];
    switch (kernel) {
      case model::Kernel::RouterGemm: router_gemm(tr, secs); break;
      case model::Kernel::TopK: topk(secs); break;
      case model::Kernel::Align: align(tr, secs); break;
      case model::Kernel::InputQuant: input_quant(secs); break;
      case model::Kernel::Permute: permute(secs); break;
      case model::Kernel::GateUpGemm: gate_up_gemm(secs); break;
      case model::Kernel::SiluMulQuant: silu_mul_quant(secs); break;
      case model::Kernel::DownGemm: down_gemm(secs); break;
      case model::Kernel::SharedExpert: shared_expert(secs); break;
      case model::Kernel::Combine: combine(secs); break;
    }
  }

  void finish(golden::MoeTrace& tr) override;

 private:
  bool fp8() const { return layer_.precision == model::Precision::Fp8; }
  uint32_t tokens() const { return weights_.tokens(); }

  void router_gemm(const golden::MoeTrace& tr, double& secs);
  void topk(double& secs);
  void align(golden::MoeTrace& tr, double& secs);
  void input_quant(double& secs);
  void permute(double& secs);
  void gate_up_gemm(double& secs);
  void silu_mul_quant(double& secs);
  void down_gemm(double& secs);
  void shared_expert(double& secs);
  void combine(double& secs);

  // The expert GEMM of `roles` (gate then up, or down) over the aligned rows,
  // every chosen expert's weights stacked and one grouped launch per role.
  void expert_gemm_fp8(const uint8_t* a_codes, const float* a_scales, std::initializer_list<Role> roles,
                       uint16_t* out, uint32_t ld_out, double& secs);
  void expert_gemm_bf16(const uint16_t* a, std::initializer_list<Role> roles, uint16_t* out, uint32_t ld_out,
                        double& secs);

  const golden::LayerRun& layer_;
  const model::MoeLayerSpec& spec_;
  const golden::LayerWeights& weights_;
  CudaOptions options_;
  std::array<double, model::kKernelCount>& seconds_;
  EventTimer timer_;
  // Each expert's slot in the stacked weights, and the masked layout's rows per expert.
  std::vector<int32_t> slots_;
  std::vector<int32_t> masked_m_;
  uint32_t rows_ = 0;
  uint32_t max_tiles_ = 0;
  Buffer<uint16_t> x_;
  Buffer<float> logits_;
  Buffer<int32_t> ids_;
  Buffer<float> topk_weights_;
  Buffer<int32_t> offsets_, row_tokens_, assignment_rows_;
  Buffer<float> row_weights_;
  Buffer<uint8_t> x_codes_, permuted_codes_, act_codes_;     // FP8
  Buffer<float> x_scales_, permuted_scales_, act_scales_;    // FP8
  Buffer<uint16_t> permuted_bf16_, act_bf16_;                // BF16
  Buffer<uint16_t> gate_up_, down_, shared_, out_;
};

void CudaBackend::expert_gemm_fp8(const uint8_t* a_codes, const float* a_scales, std::initializer_list<Role> roles,
                                  uint16_t* out, uint32_t ld_out, double& secs) {
  const uint32_t experts = spec_.routing.experts;
  const DeviceArray<int32_t> slot(slots_.data(), slots_.size());
  const DeviceArray<int32_t> masked(masked_m_.data(), masked_m_.size());
  const GemmRows rows{offsets_->get(), row_tokens_->get(), experts, 0, rows_};
  uint32_t col0 = 0;
  for (const Role role : roles) {
    Fp8Stack stack;
    for (uint32_t e = 0; e < experts; ++e)
      if (slots_[e] >= 0) append(stack, weights_.fp8({role, e}));
    const DeviceFp8Weights dw(stack);
    const Fp8Weights w{dw.codes.get(), dw.scales.get(), slot.get(), stack.n, stack.k};
    timer_(secs, [&] {
      if (options_.gemm == GemmPath::Exact) {
        cuda::grouped_gemm_fp8(a_codes, a_scales, rows, w, out, ld_out, col0);
      } else {
        const bool is_masked = options_.layout == model::GemmLayout::Masked;
        const cuda::MmaRows mma{offsets_->get(), is_masked ? masked.get() : nullptr, experts, 0, rows_, max_tiles_};
        cuda::grouped_gemm_fp8_mma(a_codes, a_scales, mma, w, out, ld_out, col0);
      }
    });
    col0 += stack.n;
  }
  timer_(secs, [&] { cuda::copy_padding_rows(rows, out, ld_out); });
}

void CudaBackend::expert_gemm_bf16(const uint16_t* a, std::initializer_list<Role> roles, uint16_t* out,
                                   uint32_t ld_out, double& secs) {
  const uint32_t experts = spec_.routing.experts;
  const DeviceArray<int32_t> slot(slots_.data(), slots_.size());
  const GemmRows rows{offsets_->get(), row_tokens_->get(), experts, 0, rows_};
  uint32_t col0 = 0;
  for (const Role role : roles) {
    Bf16Stack stack;
    for (uint32_t e = 0; e < experts; ++e)
      if (slots_[e] >= 0) append(stack, weights_.bf16({role, e}));
    const DeviceArray<uint16_t> values(stack.values.data(), stack.values.size());
    const Bf16Weights w{values.get(), slot.get(), stack.n, stack.k};
    timer_(secs, [&] { cuda::grouped_gemm_bf16(a, rows, w, out, ld_out, col0); });
    col0 += stack.n;
  }
  timer_(secs, [&] { cuda::copy_padding_rows(rows, out, ld_out); });
}

void CudaBackend::router_gemm(const golden::MoeTrace& tr, double& secs) {
  const uint32_t experts = spec_.routing.experts;
  x_.emplace(tr.x.data(), static_cast<size_t>(tr.x.size()));
  const auto router = upload(weights_.bf16({Role::RouterWeight}));
  logits_.emplace(size_t{tokens()} * experts);
  timer_(secs, [&] { cuda::router_gemm(x_->get(), router.get(), logits_->get(), tokens(), experts, spec_.hidden); });
}

void CudaBackend::topk(double& secs) {
  const model::RoutingSpec& routing = spec_.routing;
  const MatrixF bias_host = routing.selection_bias ? weights_.fp32({Role::RouterBias}) : MatrixF();
  const auto bias = upload(bias_host);
  const size_t scratch_size = size_t{tokens()} * routing.experts;
  DeviceArray<float> scores(scratch_size), keys(scratch_size), group_scores(scratch_size);
  DeviceArray<uint8_t> flags(scratch_size);
  ids_.emplace(size_t{tokens()} * routing.top_k);
  topk_weights_.emplace(size_t{tokens()} * routing.top_k);
  timer_(secs, [&] {
    cuda::topk(routing, logits_->get(), routing.selection_bias ? bias.get() : nullptr, tokens(),
               {scores.get(), keys.get(), group_scores.get(), flags.get()}, ids_->get(), topk_weights_->get());
  });
}

void CudaBackend::align(golden::MoeTrace& tr, double& secs) {
  const uint32_t experts = spec_.routing.experts, k = spec_.routing.top_k;
  const uint64_t max_rows = num::align_max_rows(tokens(), k, experts, layer_.block);
  DeviceArray<int32_t> counts(experts);
  offsets_.emplace(experts + 1);
  row_tokens_.emplace(max_rows);
  assignment_rows_.emplace(size_t{tokens()} * k);
  row_weights_.emplace(max_rows);
  timer_(secs, [&] {
    cuda::align(ids_->get(), topk_weights_->get(), tokens(), k, experts, layer_.block, counts.get(), offsets_->get(),
                row_tokens_->get(), row_weights_->get(), assignment_rows_->get());
  });
  // The host needs the rows before the GEMMs: the experts with rows get weight slots.
  golden::Alignment& al = tr.alignment;
  al.offsets.resize(experts + 1);
  offsets_->download(al.offsets.data());
  rows_ = static_cast<uint32_t>(al.offsets[experts]);
  al.tokens.resize(max_rows);
  al.row_weights.resize(max_rows);
  row_tokens_->download(al.tokens.data());
  row_weights_->download(al.row_weights.data());
  al.tokens.resize(rows_);
  al.row_weights.resize(rows_);

  // Slots of the chosen experts; the masked layout's row counts: the real rows
  // and the first padding row (whose result copy_padding_rows gives the others).
  slots_.assign(experts, -1);
  masked_m_.assign(experts, 0);
  for (uint32_t e = 0, slot = 0; e < experts; ++e) {
    const int32_t begin = al.offsets[e], end = al.offsets[e + 1];
    if (begin == end) continue;
    slots_[e] = static_cast<int32_t>(slot++);
    int32_t real = 0;
    while (begin + real < end && al.tokens[begin + real] >= 0) ++real;
    masked_m_[e] = real < end - begin ? real + 1 : real;
    max_tiles_ = std::max(max_tiles_, (static_cast<uint32_t>(masked_m_[e]) + cuda::kMmaTileRows - 1) / cuda::kMmaTileRows);
  }
}

void CudaBackend::input_quant(double& secs) {
  const uint32_t hidden = spec_.hidden;
  x_codes_.emplace(size_t{tokens()} * hidden);
  x_scales_.emplace(size_t{tokens()} * golden::blocks_of(hidden));
  timer_(secs, [&] { cuda::input_quant(x_->get(), tokens(), hidden, x_codes_->get(), x_scales_->get()); });
}

void CudaBackend::permute(double& secs) {
  const uint32_t hidden = spec_.hidden;
  if (fp8()) {
    permuted_codes_.emplace(size_t{rows_} * hidden);
    permuted_scales_.emplace(size_t{rows_} * golden::blocks_of(hidden));
    timer_(secs, [&] {
      cuda::permute_fp8(x_codes_->get(), x_scales_->get(), hidden, row_tokens_->get(), rows_, permuted_codes_->get(),
                        permuted_scales_->get());
    });
  } else {
    permuted_bf16_.emplace(size_t{rows_} * hidden);
    timer_(secs, [&] { cuda::permute_bf16(x_->get(), hidden, row_tokens_->get(), rows_, permuted_bf16_->get()); });
  }
}

void CudaBackend::gate_up_gemm(double& secs) {
  const uint32_t width = spec_.expert_width;
  gate_up_.emplace(size_t{rows_} * 2 * width);
  if (fp8())
    expert_gemm_fp8(permuted_codes_->get(), permuted_scales_->get(), {Role::ExpertGate, Role::ExpertUp},
                    gate_up_->get(), 2 * width, secs);
  else
    expert_gemm_bf16(permuted_bf16_->get(), {Role::ExpertGate, Role::ExpertUp}, gate_up_->get(), 2 * width, secs);
}

void CudaBackend::silu_mul_quant(double& secs) {
  const uint32_t width = spec_.expert_width;
  if (fp8()) {
    act_codes_.emplace(size_t{rows_} * width);
    act_scales_.emplace(size_t{rows_} * golden::blocks_of(width));
    timer_(secs, [&] {
      cuda::silu_mul_quant(gate_up_->get(), rows_, width, row_tokens_->get(), act_codes_->get(), act_scales_->get());
    });
  } else {
    act_bf16_.emplace(size_t{rows_} * width);
    timer_(secs, [&] { cuda::silu_mul_bf16(gate_up_->get(), rows_, width, row_tokens_->get(), act_bf16_->get()); });
  }
}

void CudaBackend::down_gemm(double& secs) {
  const uint32_t hidden = spec_.hidden;
  down_.emplace(size_t{rows_} * hidden);
  if (fp8())
    expert_gemm_fp8(act_codes_->get(), act_scales_->get(), {Role::ExpertDown}, down_->get(), hidden, secs);
  else
    expert_gemm_bf16(act_bf16_->get(), {Role::ExpertDown}, down_->get(), hidden, secs);
}

// The shared experts take the same GEMM kernels as the routed ones: one expert,
// every token, the dense layout.
void CudaBackend::shared_expert(double& secs) {
  const uint32_t hidden = spec_.hidden, t = tokens();
  const model::SharedExpertSpec& sh = spec_.shared;
  const std::vector<int32_t> shared_offsets_host{0, static_cast<int32_t>(t)};
  const DeviceArray<int32_t> shared_offsets(shared_offsets_host.data(), 2);
  const GemmRows shared_rows{shared_offsets.get(), nullptr, 1, 0, t};
  DeviceArray<uint16_t> shared_h(size_t{t} * 2 * sh.width);
  shared_.emplace(size_t{t} * hidden);
  if (fp8()) {
    DeviceArray<uint8_t> sact(size_t{t} * sh.width);
    DeviceArray<float> sact_s(size_t{t} * golden::blocks_of(sh.width));
    Fp8Stack g, u, d;
    append(g, weights_.fp8({Role::SharedGate}));
    append(u, weights_.fp8({Role::SharedUp}));
    append(d, weights_.fp8({Role::SharedDown}));
    const DeviceFp8Weights dg(g), du(u), dd(d);
    auto gemm = [&](const uint8_t* a, const float* s, const DeviceFp8Weights& dw, const Fp8Stack& st, uint16_t* o,
                    uint32_t ld, uint32_t col0) {
      const Fp8Weights w{dw.codes.get(), dw.scales.get(), nullptr, st.n, st.k};
      if (options_.gemm == GemmPath::Exact)
        cuda::grouped_gemm_fp8(a, s, shared_rows, w, o, ld, col0);
      else
        cuda::grouped_gemm_fp8_mma(a, s, {shared_offsets.get(), nullptr, 1, 0, t, 0}, w, o, ld, col0);
    };
    timer_(secs, [&] {
      gemm(x_codes_->get(), x_scales_->get(), dg, g, shared_h.get(), 2 * sh.width, 0);
      gemm(x_codes_->get(), x_scales_->get(), du, u, shared_h.get(), 2 * sh.width, sh.width);
      cuda::silu_mul_quant(shared_h.get(), t, sh.width, nullptr, sact.get(), sact_s.get());
      gemm(sact.get(), sact_s.get(), dd, d, shared_->get(), hidden, 0);
    });
  } else {
    DeviceArray<uint16_t> sact(size_t{t} * sh.width);
    const auto g = upload(weights_.bf16({Role::SharedGate})), u = upload(weights_.bf16({Role::SharedUp}));
    const auto d = upload(weights_.bf16({Role::SharedDown}));
    timer_(secs, [&] {
      cuda::grouped_gemm_bf16(x_->get(), shared_rows, {g.get(), nullptr, sh.width, hidden}, shared_h.get(),
                              2 * sh.width, 0);
      cuda::grouped_gemm_bf16(x_->get(), shared_rows, {u.get(), nullptr, sh.width, hidden}, shared_h.get(),
                              2 * sh.width, sh.width);
      cuda::silu_mul_bf16(shared_h.get(), t, sh.width, nullptr, sact.get());
      cuda::grouped_gemm_bf16(sact.get(), shared_rows, {d.get(), nullptr, hidden, sh.width}, shared_->get(), hidden, 0);
    });
  }
  if (sh.sigmoid_gate) {
    const auto gate = upload(weights_.bf16({Role::SharedExpertGate}));
    DeviceArray<float> gates(t);
    timer_(secs, [&] {
      cuda::shared_gate(x_->get(), gate.get(), t, hidden, gates.get());
      cuda::apply_shared_gate(shared_->get(), gates.get(), t, hidden);
    });
  }
}

void CudaBackend::combine(double& secs) {
  const uint32_t hidden = spec_.hidden;
  out_.emplace(size_t{tokens()} * hidden);
  timer_(secs, [&] {
    cuda::combine(down_->get(), shared_ ? shared_->get() : nullptr, assignment_rows_->get(), row_weights_->get(),
                  tokens(), spec_.routing.top_k, hidden, out_->get());
  });
}

void CudaBackend::finish(golden::MoeTrace& tr) {
  const uint32_t t = tokens(), hidden = spec_.hidden, width = spec_.expert_width;
  const uint32_t experts = spec_.routing.experts, k = spec_.routing.top_k;
  tr.logits = MatrixF(t, experts);
  logits_->download(tr.logits.data());
  tr.topk = {golden::MatrixI32(t, k), MatrixF(t, k)};
  ids_->download(tr.topk.ids.data());
  topk_weights_->download(tr.topk.weights.data());
  if (fp8()) {
    const Index hb = golden::blocks_of(hidden), wb = golden::blocks_of(width);
    tr.x_q = {MatrixU8(t, hidden), MatrixF(t, hb)};
    x_codes_->download(tr.x_q.codes.data());
    x_scales_->download(tr.x_q.scales.data());
    tr.permuted_fp8 = {MatrixU8(rows_, hidden), MatrixF(rows_, hb)};
    permuted_codes_->download(tr.permuted_fp8.codes.data());
    permuted_scales_->download(tr.permuted_fp8.scales.data());
    tr.act_fp8 = {MatrixU8(rows_, width), MatrixF(rows_, wb)};
    act_codes_->download(tr.act_fp8.codes.data());
    act_scales_->download(tr.act_fp8.scales.data());
  } else {
    tr.permuted_bf16 = MatrixU16(rows_, hidden);
    permuted_bf16_->download(tr.permuted_bf16.data());
    tr.act_bf16 = MatrixU16(rows_, width);
    act_bf16_->download(tr.act_bf16.data());
  }
  tr.gate_up = MatrixU16(rows_, 2 * width);
  gate_up_->download(tr.gate_up.data());
  tr.down = MatrixU16(rows_, hidden);
  down_->download(tr.down.data());
  if (shared_) {
    tr.shared = MatrixU16(t, hidden);
    shared_->download(tr.shared.data());
  }
  tr.out = MatrixU16(t, hidden);
  out_->download(tr.out.data());
}

}  // namespace

bool built_with_cuda() { return true; }

int cuda_device_count() {
  int n = 0;
  // No driver or no device both mean: nothing to run on.
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

KernelRun run_cuda(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, model::Precision precision,
                   const CudaOptions& options, uint32_t block) {
  if (options.layout == model::GemmLayout::Dense)
    throw std::invalid_argument("run_cuda: the routed experts' GEMMs are grouped: contiguous or masked, not dense");
  if (block % cuda::kMmaTileRows != 0)
    throw std::invalid_argument(fmt::format("run_cuda: align's block {} is not a multiple of {}", block, cuda::kMmaTileRows));
  if (cuda_device_count() == 0) throw std::runtime_error("no GPU: no CUDA device is present");
  check(cudaSetDevice(0), "cudaSetDevice");
  const golden::LayerRun layer{spec, weights, precision, block};
  KernelRun run;
  CudaBackend backend(layer, options, run.seconds);
  run.trace = golden::run_layer(layer, backend);
  return run;
}

}  // namespace cadre::kernels
