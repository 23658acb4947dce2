#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <memory>
#include <span>

#include "cadre/golden/layer_weights.h"

namespace cadre::golden {
namespace {

using weights::DType;
using weights::Role;
using weights::TensorRef;

// The block scales of "...up_proj.weight" are "...up_proj.weight_scale_inv".
std::string scale_name(const std::string& weight_name) { return weight_name + "_scale_inv"; }

// One scale per 128 x 128 block of an FP8 weight.
weights::Shape scale_shape(weights::Shape weight) { return {(weight.rows + 127) / 128, (weight.cols + 127) / 128}; }

template <class M>
M copy_matrix(const weights::TensorView& v, weights::Shape s) {
  M m(static_cast<Index>(s.rows), static_cast<Index>(s.cols));
  // Safetensors data is little-endian, as every host Cadre builds for.
  std::memcpy(m.data(), v.bytes.data(), v.bytes.size());
  return m;
}

template <class M>
std::span<const std::byte> bytes_of(const M& m) {
  return std::as_bytes(std::span(m.data(), static_cast<size_t>(m.size())));
}

bool is_expert_matrix(Role r) {
  return r == Role::ExpertGate || r == Role::ExpertUp || r == Role::ExpertDown || r == Role::SharedGate ||
         r == Role::SharedUp || r == Role::SharedDown;
}

}  // namespace

std::vector<TensorRef> layer_tensors(const model::MoeLayerSpec& spec) {
  std::vector<TensorRef> refs = {{Role::Input}, {Role::RouterWeight}};
  if (spec.routing.selection_bias) refs.push_back({Role::RouterBias});
  if (spec.shared.sigmoid_gate) refs.push_back({Role::SharedExpertGate});
  if (spec.shared.width > 0) refs.insert(refs.end(), {{Role::SharedGate}, {Role::SharedUp}, {Role::SharedDown}});
  for (uint32_t e = 0; e < spec.routing.experts; ++e)
    refs.insert(refs.end(), {{Role::ExpertGate, e}, {Role::ExpertUp, e}, {Role::ExpertDown, e}});
  return refs;
}

CheckpointWeights::CheckpointWeights(const model::MoeLayerSpec& spec, const std::vector<std::string>& files,
                                     std::string prefix)
    : spec_(spec), prefix_(std::move(prefix)) {
  if (files.empty()) throw CheckpointError("checkpoint: no safetensors files given");
  for (const std::string& f : files) files_.push_back(weights::SafetensorsFile::open(f));
  // The token count comes from the input; its shape is then checked as any other tensor's.
  uint64_t tokens = 0;
  for (const weights::SafetensorsFile& f : files_)
    if (const weights::TensorView* in = f.find("input"); in && in->shape.size() == 2) tokens = in->shape[0];
  if (tokens == 0 || tokens > UINT32_MAX)
    throw CheckpointError(fmt::format("{}: no 2-D tensor 'input' [tokens, {}] with 1 to {} tokens",
                                      files_.front().source(), spec_.hidden, UINT32_MAX));
  tokens_ = static_cast<uint32_t>(tokens);
  tensor("input", DType::BF16, tensor_shape(spec_, tokens_, {Role::Input}));
}

std::string CheckpointWeights::name_of(TensorRef t) const {
  return t.role == Role::Input ? "input" : prefix_ + weights::checkpoint_name(spec_.family, t);
}

const weights::TensorView& CheckpointWeights::tensor(const std::string& name, DType dtype,
                                                     weights::Shape shape) const {
  for (const weights::SafetensorsFile& f : files_) {
    const weights::TensorView* v = f.find(name);
    if (!v) continue;
    if (v->dtype != dtype)
      throw CheckpointError(fmt::format("{}: tensor '{}' is {}, expected {}", f.source(), name,
                                        weights::dtype_name(v->dtype), weights::dtype_name(dtype)));
    // A vector [n] is accepted for [1, n]: the DeepSeek-V3 checkpoint stores its bias that way.
    const bool matches = (v->shape.size() == 2 && v->shape[0] == shape.rows && v->shape[1] == shape.cols) ||
                         (v->shape.size() == 1 && shape.rows == 1 && v->shape[0] == shape.cols);
    if (!matches)
      throw CheckpointError(fmt::format("{}: tensor '{}' has shape [{}], expected [{}, {}]", f.source(), name,
                                        fmt::join(v->shape, ", "), shape.rows, shape.cols));
    return *v;
  }
  std::vector<std::string> sources;
  for (const weights::SafetensorsFile& f : files_) sources.push_back(f.source());
  throw CheckpointError(fmt::format("{}: no tensor '{}'", fmt::join(sources, ", "), name));
}

MatrixU16 CheckpointWeights::bf16(TensorRef t) const {
  const weights::Shape s = tensor_shape(spec_, tokens_, t);
  return copy_matrix<MatrixU16>(tensor(name_of(t), DType::BF16, s), s);
}

MatrixF CheckpointWeights::fp32(TensorRef t) const {
  const weights::Shape s = tensor_shape(spec_, tokens_, t);
  return copy_matrix<MatrixF>(tensor(name_of(t), DType::F32, s), s);
}

void CheckpointWeights::check_all(model::Precision precision) const {
  for (const TensorRef t : layer_tensors(spec_)) {
    const weights::Shape s = tensor_shape(spec_, tokens_, t);
    const std::string name = name_of(t);
    if (t.role == Role::RouterBias) {
      tensor(name, DType::F32, s);
    } else if (is_expert_matrix(t.role) && precision == model::Precision::Fp8) {
      tensor(name, DType::F8_E4M3, s);
      tensor(scale_name(name), DType::F32, scale_shape(s));
    } else {
      tensor(name, DType::BF16, s);
    }
  }
}

Fp8Weight CheckpointWeights::fp8(TensorRef t) const {
  const weights::Shape s = tensor_shape(spec_, tokens_, t);
  const weights::Shape block_shape = scale_shape(s);
  const std::string name = name_of(t);
  return {copy_matrix<MatrixU8>(tensor(name, DType::F8_E4M3, s), s),
          copy_matrix<MatrixF>(tensor(scale_name(name), DType::F32, block_shape), block_shape)};
}

void write_synthetic_checkpoint(const std::string& path, const weights::SyntheticLayer& layer,
                                model::Precision precision) {
  const model::MoeLayerSpec& spec = layer.spec();
  const SyntheticWeights source(layer);
  const std::vector<TensorRef> refs = layer_tensors(spec);

  // The matrices must outlive the byte spans the writer reads; node-stable storage.
  std::vector<std::unique_ptr<MatrixU16>> bf16s;
  std::vector<std::unique_ptr<MatrixF>> fp32s;
  std::vector<std::unique_ptr<Fp8Weight>> fp8s;
  std::vector<weights::TensorToWrite> out;
  auto shape_of = [](Index rows, Index cols) {
    return std::vector<uint64_t>{static_cast<uint64_t>(rows), static_cast<uint64_t>(cols)};
  };
  for (const TensorRef t : refs) {
    const std::string name = weights::checkpoint_name(spec.family, t);
    if (t.role == Role::RouterBias) {
      // As the DeepSeek-V3 checkpoint stores it: a vector [experts].
      const auto& m = *fp32s.emplace_back(std::make_unique<MatrixF>(source.fp32(t)));
      out.push_back({name, DType::F32, {static_cast<uint64_t>(m.cols())}, bytes_of(m)});
    } else if (is_expert_matrix(t.role) && precision == model::Precision::Fp8) {
      const auto& w = *fp8s.emplace_back(std::make_unique<Fp8Weight>(source.fp8(t)));
      out.push_back({name, DType::F8_E4M3, shape_of(w.codes.rows(), w.codes.cols()), bytes_of(w.codes)});
      out.push_back({scale_name(name), DType::F32, shape_of(w.scales.rows(), w.scales.cols()), bytes_of(w.scales)});
    } else {
      const auto& m = *bf16s.emplace_back(std::make_unique<MatrixU16>(source.bf16(t)));
      out.push_back({name, DType::BF16, shape_of(m.rows(), m.cols()), bytes_of(m)});
    }
  }
  weights::write_safetensors(path, out, {{"format", "pt"}});
}

}  // namespace cadre::golden
