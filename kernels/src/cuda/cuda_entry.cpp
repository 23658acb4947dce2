// run_cuda: the layer on CUDA device 0 through the CUDA build of the kernels,
// timed per kernel with cudaEvents. Compiled only when the CUDA toolkit is found.
#include <cuda_runtime.h>
#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "../layer_check.h"
#include "cadre/kernels/launchers.h"
#include "cadre/kernels/moe_kernels.h"
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

// One layer's run on the device: buffers live as long as the run.
class CudaLayer {
 public:
  CudaLayer(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, golden::Precision precision,
            const CudaOptions& options, uint32_t block)
      : spec_(spec), weights_(weights), precision_(precision), options_(options), block_(block) {}

  KernelRun run();

 private:
  double& seconds(Kernel k) { return run_.seconds[static_cast<size_t>(k)]; }

  // The expert GEMM of `role_gate_up` roles (gate then up, or down) over the aligned
  // rows, every chosen expert's weights stacked and one grouped launch per role.
  void expert_gemm_fp8(const uint8_t* a_codes, const float* a_scales, std::initializer_list<Role> roles,
                       uint16_t* out, uint32_t ld_out, double& secs);
  void expert_gemm_bf16(const uint16_t* a, std::initializer_list<Role> roles, uint16_t* out, uint32_t ld_out,
                        double& secs);

  const model::MoeLayerSpec& spec_;
  const golden::LayerWeights& weights_;
  golden::Precision precision_;
  CudaOptions options_;
  uint32_t block_;
  KernelRun run_;
  EventTimer timer_;
  // The aligned rows on the device, and each expert's slot in the stacked weights.
  std::vector<int32_t> slots_;
  std::vector<int32_t> masked_m_;
  uint32_t rows_ = 0;
  uint32_t max_tiles_ = 0;
  const int32_t* offsets_ = nullptr;
  const int32_t* row_tokens_ = nullptr;
};

void CudaLayer::expert_gemm_fp8(const uint8_t* a_codes, const float* a_scales, std::initializer_list<Role> roles,
                                uint16_t* out, uint32_t ld_out, double& secs) {
  const uint32_t experts = spec_.routing.experts;
  const DeviceArray<int32_t> slot(slots_.data(), slots_.size());
  const DeviceArray<int32_t> masked(masked_m_.data(), masked_m_.size());
  const GemmRows rows{offsets_, row_tokens_, experts, 0, rows_};
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
        const bool is_masked = options_.layout == GemmLayout::Masked;
        const cuda::MmaRows mma{offsets_, is_masked ? masked.get() : nullptr, experts, 0, rows_, max_tiles_};
        cuda::grouped_gemm_fp8_mma(a_codes, a_scales, mma, w, out, ld_out, col0);
      }
    });
    col0 += stack.n;
  }
  timer_(secs, [&] { cuda::copy_padding_rows(rows, out, ld_out); });
}

void CudaLayer::expert_gemm_bf16(const uint16_t* a, std::initializer_list<Role> roles, uint16_t* out,
                                 uint32_t ld_out, double& secs) {
  const uint32_t experts = spec_.routing.experts;
  const DeviceArray<int32_t> slot(slots_.data(), slots_.size());
  const GemmRows rows{offsets_, row_tokens_, experts, 0, rows_};
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

KernelRun CudaLayer::run() {
  golden::MoeTrace& tr = run_.trace;
  const model::RoutingSpec& routing = spec_.routing;
  const uint32_t tokens = weights_.tokens(), hidden = spec_.hidden, experts = routing.experts, k = routing.top_k;
  const uint32_t width = spec_.expert_width;
  tr.precision = precision_;

  tr.x = weights_.bf16({Role::Input});
  const auto x = upload(tr.x);
  const auto router = upload(weights_.bf16({Role::RouterWeight}));
  DeviceArray<float> logits(size_t{tokens} * experts);
  timer_(seconds(Kernel::RouterGemm),
         [&] { cuda::router_gemm(x.get(), router.get(), logits.get(), tokens, experts, hidden); });

  const MatrixF bias_host = routing.selection_bias ? weights_.fp32({Role::RouterBias}) : MatrixF();
  const auto bias = upload(bias_host);
  const size_t scratch_size = size_t{tokens} * experts;
  DeviceArray<float> scores(scratch_size), keys(scratch_size), group_scores(scratch_size);
  DeviceArray<uint8_t> flags(scratch_size);
  DeviceArray<int32_t> ids(size_t{tokens} * k);
  DeviceArray<float> topk_weights(size_t{tokens} * k);
  timer_(seconds(Kernel::TopK), [&] {
    cuda::topk(routing, logits.get(), routing.selection_bias ? bias.get() : nullptr, tokens,
               {scores.get(), keys.get(), group_scores.get(), flags.get()}, ids.get(), topk_weights.get());
  });

  const uint64_t max_rows = align_max_rows(tokens, k, experts, block_);
  DeviceArray<int32_t> counts(experts), offsets(experts + 1), row_tokens(max_rows), assignment_rows(size_t{tokens} * k);
  DeviceArray<float> row_weights(max_rows);
  timer_(seconds(Kernel::Align), [&] {
    cuda::align(ids.get(), topk_weights.get(), tokens, k, experts, block_, counts.get(), offsets.get(),
                row_tokens.get(), row_weights.get(), assignment_rows.get());
  });
  golden::Alignment& al = tr.alignment;
  al.offsets.resize(experts + 1);
  offsets.download(al.offsets.data());
  rows_ = static_cast<uint32_t>(al.offsets[experts]);
  al.tokens.resize(max_rows);
  al.row_weights.resize(max_rows);
  row_tokens.download(al.tokens.data());
  row_weights.download(al.row_weights.data());
  al.tokens.resize(rows_);
  al.row_weights.resize(rows_);
  offsets_ = offsets.get();
  row_tokens_ = row_tokens.get();

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

  DeviceArray<uint16_t> gate_up(size_t{rows_} * 2 * width), down(size_t{rows_} * hidden);
  DeviceArray<uint16_t> shared(size_t{tokens} * hidden), out(size_t{tokens} * hidden);
  const model::SharedExpertSpec& sh = spec_.shared;
  const std::vector<int32_t> shared_offsets_host{0, static_cast<int32_t>(tokens)};
  const DeviceArray<int32_t> shared_offsets(shared_offsets_host.data(), 2);
  const GemmRows shared_rows{shared_offsets.get(), nullptr, 1, 0, tokens};
  DeviceArray<uint16_t> shared_h(size_t{tokens} * 2 * sh.width);

  if (precision_ == golden::Precision::Fp8) {
    const uint32_t hb = static_cast<uint32_t>(golden::blocks_of(hidden)), wb = static_cast<uint32_t>(golden::blocks_of(width));
    DeviceArray<uint8_t> xq(size_t{tokens} * hidden), pq(size_t{rows_} * hidden), act(size_t{rows_} * width);
    DeviceArray<float> xs(size_t{tokens} * hb), ps(size_t{rows_} * hb), act_s(size_t{rows_} * wb);
    timer_(seconds(Kernel::InputQuant), [&] { cuda::input_quant(x.get(), tokens, hidden, xq.get(), xs.get()); });
    timer_(seconds(Kernel::Permute), [&] {
      cuda::permute_fp8(xq.get(), xs.get(), hidden, row_tokens_, rows_, pq.get(), ps.get());
    });
    expert_gemm_fp8(pq.get(), ps.get(), {Role::ExpertGate, Role::ExpertUp}, gate_up.get(), 2 * width,
                    seconds(Kernel::GateUpGemm));
    timer_(seconds(Kernel::SiluMulQuant),
           [&] { cuda::silu_mul_quant(gate_up.get(), rows_, width, row_tokens_, act.get(), act_s.get()); });
    expert_gemm_fp8(act.get(), act_s.get(), {Role::ExpertDown}, down.get(), hidden, seconds(Kernel::DownGemm));
    if (sh.width != 0) {
      const uint32_t sb = static_cast<uint32_t>(golden::blocks_of(sh.width));
      DeviceArray<uint8_t> sact(size_t{tokens} * sh.width);
      DeviceArray<float> sact_s(size_t{tokens} * sb);
      Fp8Stack g, u, d;
      append(g, weights_.fp8({Role::SharedGate}));
      append(u, weights_.fp8({Role::SharedUp}));
      append(d, weights_.fp8({Role::SharedDown}));
      const DeviceFp8Weights dg(g), du(u), dd(d);
      // The shared expert takes the same GEMM kernels as the routed ones: one expert, every token.
      auto gemm = [&](const uint8_t* a, const float* s, const DeviceFp8Weights& dw, const Fp8Stack& st, uint16_t* o,
                      uint32_t ld, uint32_t col0) {
        const Fp8Weights w{dw.codes.get(), dw.scales.get(), nullptr, st.n, st.k};
        if (options_.gemm == GemmPath::Exact)
          cuda::grouped_gemm_fp8(a, s, shared_rows, w, o, ld, col0);
        else
          cuda::grouped_gemm_fp8_mma(a, s, {shared_offsets.get(), nullptr, 1, 0, tokens, 0}, w, o, ld, col0);
      };
      timer_(seconds(Kernel::SharedExpert), [&] {
        gemm(xq.get(), xs.get(), dg, g, shared_h.get(), 2 * sh.width, 0);
        gemm(xq.get(), xs.get(), du, u, shared_h.get(), 2 * sh.width, sh.width);
        cuda::silu_mul_quant(shared_h.get(), tokens, sh.width, nullptr, sact.get(), sact_s.get());
        gemm(sact.get(), sact_s.get(), dd, d, shared.get(), hidden, 0);
      });
    }
    tr.x_q = {MatrixU8(tokens, hidden), MatrixF(tokens, hb)};
    xq.download(tr.x_q.codes.data());
    xs.download(tr.x_q.scales.data());
    tr.permuted_fp8 = {MatrixU8(rows_, hidden), MatrixF(rows_, hb)};
    pq.download(tr.permuted_fp8.codes.data());
    ps.download(tr.permuted_fp8.scales.data());
    tr.act_fp8 = {MatrixU8(rows_, width), MatrixF(rows_, wb)};
    act.download(tr.act_fp8.codes.data());
    act_s.download(tr.act_fp8.scales.data());
  } else {
    DeviceArray<uint16_t> permuted(size_t{rows_} * hidden), act(size_t{rows_} * width);
    timer_(seconds(Kernel::Permute),
           [&] { cuda::permute_bf16(x.get(), hidden, row_tokens_, rows_, permuted.get()); });
    expert_gemm_bf16(permuted.get(), {Role::ExpertGate, Role::ExpertUp}, gate_up.get(), 2 * width,
                     seconds(Kernel::GateUpGemm));
    timer_(seconds(Kernel::SiluMulQuant),
           [&] { cuda::silu_mul_bf16(gate_up.get(), rows_, width, row_tokens_, act.get()); });
    expert_gemm_bf16(act.get(), {Role::ExpertDown}, down.get(), hidden, seconds(Kernel::DownGemm));
    if (sh.width != 0) {
      DeviceArray<uint16_t> sact(size_t{tokens} * sh.width);
      const auto g = upload(weights_.bf16({Role::SharedGate})), u = upload(weights_.bf16({Role::SharedUp}));
      const auto d = upload(weights_.bf16({Role::SharedDown}));
      timer_(seconds(Kernel::SharedExpert), [&] {
        cuda::grouped_gemm_bf16(x.get(), shared_rows, {g.get(), nullptr, sh.width, hidden}, shared_h.get(), 2 * sh.width, 0);
        cuda::grouped_gemm_bf16(x.get(), shared_rows, {u.get(), nullptr, sh.width, hidden}, shared_h.get(), 2 * sh.width,
                                sh.width);
        cuda::silu_mul_bf16(shared_h.get(), tokens, sh.width, nullptr, sact.get());
        cuda::grouped_gemm_bf16(sact.get(), shared_rows, {d.get(), nullptr, hidden, sh.width}, shared.get(), hidden, 0);
      });
    }
    tr.permuted_bf16 = MatrixU16(rows_, hidden);
    permuted.download(tr.permuted_bf16.data());
    tr.act_bf16 = MatrixU16(rows_, width);
    act.download(tr.act_bf16.data());
  }
  if (sh.width != 0 && sh.sigmoid_gate) {
    const auto gate = upload(weights_.bf16({Role::SharedExpertGate}));
    DeviceArray<float> gates(tokens);
    timer_(seconds(Kernel::SharedExpert), [&] {
      cuda::shared_gate(x.get(), gate.get(), tokens, hidden, gates.get());
      cuda::apply_shared_gate(shared.get(), gates.get(), tokens, hidden);
    });
  }
  timer_(seconds(Kernel::Combine), [&] {
    cuda::combine(down.get(), sh.width != 0 ? shared.get() : nullptr, assignment_rows.get(), row_weights.get(), tokens,
                  k, hidden, out.get());
  });

  tr.logits = MatrixF(tokens, experts);
  logits.download(tr.logits.data());
  tr.topk = {golden::MatrixI32(tokens, k), MatrixF(tokens, k)};
  ids.download(tr.topk.ids.data());
  topk_weights.download(tr.topk.weights.data());
  tr.gate_up = MatrixU16(rows_, 2 * width);
  gate_up.download(tr.gate_up.data());
  tr.down = MatrixU16(rows_, hidden);
  down.download(tr.down.data());
  if (sh.width != 0) {
    tr.shared = MatrixU16(tokens, hidden);
    shared.download(tr.shared.data());
  }
  tr.out = MatrixU16(tokens, hidden);
  out.download(tr.out.data());
  return run_;
}

}  // namespace

bool built_with_cuda() { return true; }

int cuda_device_count() {
  int n = 0;
  // No driver or no device both mean: nothing to run on.
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

KernelRun run_cuda(const model::MoeLayerSpec& spec, const golden::LayerWeights& weights, golden::Precision precision,
                   const CudaOptions& options, uint32_t block) {
  check_layer(spec, weights, block);
  if (cuda_device_count() == 0) throw std::runtime_error("no GPU: no CUDA device is present");
  if (block % cuda::kMmaTileRows != 0)
    throw std::invalid_argument(fmt::format("run_cuda: align's block {} is not a multiple of {}", block, cuda::kMmaTileRows));
  check(cudaSetDevice(0), "cudaSetDevice");
  return CudaLayer(spec, weights, precision, options, block).run();
}

}  // namespace cadre::kernels
