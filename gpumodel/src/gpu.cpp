#include "cadre/gpumodel/gpu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "cadre/common/json_text.h"
#include "embedded_text.h"

namespace cadre::gpumodel {
namespace {

// One field of the description: how to read it into a Gpu.
struct Field {
  std::string_view name;
  std::function<void(Gpu&, const nlohmann::json&, const std::function<void(std::string_view)>&)> read;
};

// Reads a number that must be finite and positive.
auto positive(double Gpu::*member) {
  return [member](Gpu& gpu, const nlohmann::json& v, const std::function<void(std::string_view)>& fail) {
    if (!v.is_number()) fail("expected a number");
    const double x = v.get<double>();
    if (!std::isfinite(x) || x <= 0) fail("must be positive");
    gpu.*member = x;
  };
}

auto positive_count(uint32_t Gpu::*member) {
  return [member](Gpu& gpu, const nlohmann::json& v, const std::function<void(std::string_view)>& fail) {
    if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > UINT32_MAX)
      fail("expected a positive integer");
    gpu.*member = static_cast<uint32_t>(v.get<int64_t>());
  };
}

auto text(std::string Gpu::*member) {
  return [member](Gpu& gpu, const nlohmann::json& v, const std::function<void(std::string_view)>& fail) {
    if (!v.is_string() || v.get<std::string>().empty()) fail("expected a non-empty string");
    gpu.*member = v.get<std::string>();
  };
}

const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      {"name", text(&Gpu::name)},
      {"fp8_dense_tflops", positive(&Gpu::fp8_dense_tflops)},
      {"bf16_dense_tflops", positive(&Gpu::bf16_dense_tflops)},
      {"hbm_type", text(&Gpu::hbm_type)},
      {"hbm_capacity_gb", positive(&Gpu::hbm_capacity_gb)},
      {"hbm_bandwidth_gbs", positive(&Gpu::hbm_bandwidth_gbs)},
      {"sms", positive_count(&Gpu::sms)},
      {"boost_clock_mhz", positive(&Gpu::boost_clock_mhz)},
      {"l2_mb", positive(&Gpu::l2_mb)},
      {"smem_per_block_kib", positive_count(&Gpu::smem_per_block_kib)},
      {"tdp_w", positive(&Gpu::tdp_w)},
      {"die_mm2", positive(&Gpu::die_mm2)},
      {"transistors_billion", positive(&Gpu::transistors_billion)},
      {"process", text(&Gpu::process)},
      {"nvlink_gbs", positive(&Gpu::nvlink_gbs)},
  };
  return table;
}

}  // namespace

Gpu parse_gpu_json(std::string_view json_text, std::string_view source) {
  const nlohmann::json doc = common::parse_json<GpuConfigError>(json_text, source);
  if (!doc.is_object()) throw GpuConfigError(fmt::format("{}: expected a JSON object of GPU figures", source));

  std::vector<std::string_view> names;
  for (const Field& f : fields()) names.push_back(f.name);
  for (const auto& [key, value] : doc.items()) {
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    const std::string_view near = common::closest_name(key, names);
    throw GpuConfigError(fmt::format("{}: /{}: unknown field{}", source, common::escape_pointer_token(key),
                                     near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near)));
  }

  Gpu gpu;
  for (const Field& f : fields()) {
    const auto fail = [&](std::string_view why) {
      throw GpuConfigError(fmt::format("{}: /{}: {}", source, f.name, why));
    };
    if (!doc.contains(f.name)) fail("missing");
    f.read(gpu, doc.at(std::string(f.name)), fail);
  }
  return gpu;
}

std::span<const Gpu> bundled_gpus() {
  static const std::vector<Gpu> gpus = [] {
    std::vector<Gpu> out;
    for (const detail::EmbeddedText& t : detail::gpu_texts()) {
      Gpu gpu = parse_gpu_json(t.text, fmt::format("configs/gpu/{}.json", t.name));
      gpu.key = std::string(t.name);
      out.push_back(std::move(gpu));
    }
    std::sort(out.begin(), out.end(), [](const Gpu& a, const Gpu& b) { return a.key < b.key; });
    return out;
  }();
  return gpus;
}

const Gpu& find_gpu(std::string_view key) {
  std::vector<std::string_view> keys;
  for (const Gpu& gpu : bundled_gpus()) {
    if (gpu.key == key) return gpu;
    keys.push_back(gpu.key);
  }
  throw GpuConfigError(fmt::format("unknown GPU \"{}\" (known: {})", key, fmt::join(keys, ", ")));
}

}  // namespace cadre::gpumodel
