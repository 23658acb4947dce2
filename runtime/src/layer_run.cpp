#include "cadre/runtime/layer_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "cadre/sim/chip.h"

namespace cadre::runtime {
namespace {

using weights::Role;

template <class M>
std::span<const uint8_t> bytes_of(const M& m) {
  return {reinterpret_cast<const uint8_t*>(m.data()), static_cast<size_t>(m.size()) * sizeof(typename M::Scalar)};
}
template <class T>
std::span<const uint8_t> bytes_of(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

struct WeightRole {
  std::string_view role;
  Role tensor;
  bool per_expert;
  bool scales;
};
constexpr WeightRole kWeightRoles[] = {
    {"expert_gate", Role::ExpertGate, true, false},        {"expert_up", Role::ExpertUp, true, false},
    {"expert_down", Role::ExpertDown, true, false},        {"expert_gate_scale", Role::ExpertGate, true, true},
    {"expert_up_scale", Role::ExpertUp, true, true},       {"expert_down_scale", Role::ExpertDown, true, true},
    {"shared_gate", Role::SharedGate, false, false},       {"shared_up", Role::SharedUp, false, false},
    {"shared_down", Role::SharedDown, false, false},       {"shared_gate_scale", Role::SharedGate, false, true},
    {"shared_up_scale", Role::SharedUp, false, true},      {"shared_down_scale", Role::SharedDown, false, true},
};

void write_checked(sim::SparseMemory& hbm, const compiler::TensorArg& t, uint64_t offset, std::span<const uint8_t> bytes) {
  if (offset + bytes.size() > t.bytes())
    throw LayerRunError(fmt::format("tensor {} ({}): the layer's weights have {} bytes at offset {}, the program's tensor {}",
                                    t.name, t.role, bytes.size(), offset, t.bytes()));
  hbm.write(t.address + offset, bytes);
}

// Where a weight tensor's elements lie: each expert's matrix (or its block
// scales), rows of row_elements, after the previous expert's.
struct WeightGeometry {
  uint64_t row_elements, rows, element_bytes;

  WeightGeometry(const weights::SyntheticLayer& layer, const WeightRole& r, num::Format dtype) {
    const weights::Shape shape = layer.shape({r.tensor, 0});
    row_elements = r.scales ? (shape.cols + weights::kScaleBlock - 1) / weights::kScaleBlock : shape.cols;
    rows = r.scales ? (shape.rows + weights::kScaleBlock - 1) / weights::kScaleBlock : shape.rows;
    element_bytes = r.scales ? 4 : dtype == num::Format::E4M3 ? 1 : 2;
  }
};

// Bytes [offset, offset + out.size()) of a weight tensor made by the
// generator: a full-size layer's expert weights are made as the chip reads
// them, a burst at a time, and never held whole (SparseMemory::add_made_region).
// FP8 codes are made straight into `out`; wider elements through a small
// buffer, since a burst may start or end inside one.
void make_weight_bytes(const weights::SyntheticLayer& layer, const WeightRole& r, const WeightGeometry& g,
                       uint64_t offset, std::span<uint8_t> out) {
  constexpr uint64_t kPieceElements = 256;
  uint8_t piece[kPieceElements * 4];
  uint64_t done = 0;
  while (done < out.size()) {
    const uint64_t element = (offset + done) / g.element_bytes, skip = (offset + done) % g.element_bytes;
    const uint64_t expert = element / (g.rows * g.row_elements), within = element % (g.rows * g.row_elements);
    const uint64_t row = within / g.row_elements, col = within % g.row_elements;
    const weights::TensorRef t{r.tensor, static_cast<uint32_t>(r.per_expert ? expert : 0)};
    if (g.element_bytes == 1) {
      const uint64_t n = std::min(g.row_elements - col, out.size() - done);
      layer.fp8_row(t, row, col, out.subspan(done, n));
      done += n;
      continue;
    }
    const uint64_t wanted = (skip + out.size() - done + g.element_bytes - 1) / g.element_bytes;
    const uint64_t n = std::min({g.row_elements - col, wanted, kPieceElements});
    if (r.scales) {
      for (uint64_t i = 0; i < n; ++i) {
        const float s = layer.scale_inv(t, row, col + i);
        std::memcpy(piece + 4 * i, &s, 4);
      }
    } else {
      uint16_t values[kPieceElements];
      layer.bf16_row(t, row, col, {values, n});
      std::memcpy(piece, values, n * 2);
    }
    const uint64_t take = std::min<uint64_t>(n * g.element_bytes - skip, out.size() - done);
    std::memcpy(out.data() + done, piece + skip, take);
    done += take;
  }
}

}  // namespace

bool LayerRun::bit_exact() const {
  if (sim.error) return false;
  for (const TensorCheck& c : checks)
    if (c.mismatches) return false;
  return true;
}

compiler::ArgumentBlock read_argument_block(const elf::Program& program, std::string_view name) {
  const elf::DataSection* s = program.data_section(compiler::kArgsSection);
  if (!s)
    throw LayerRunError(fmt::format("{}: no {} section: not a layer compiled by `cadre compile`", name, compiler::kArgsSection));
  try {
    return compiler::parse_argument_block(std::string_view(reinterpret_cast<const char*>(s->bytes.data()), s->bytes.size()));
  } catch (const std::invalid_argument& e) {
    throw LayerRunError(fmt::format("{}: {}", name, e.what()));
  }
}

void place_layer(sim::SparseMemory& hbm, const compiler::ArgumentBlock& block, const golden::LayerWeights& w,
                 bool expert_weights) {
  const uint32_t experts = w.spec().routing.experts;
  for (const compiler::TensorArg& t : block.tensors) {
    if (t.io != "input" && t.io != "weight") continue;
    if (t.role == "input") {
      write_checked(hbm, t, 0, bytes_of(w.bf16({Role::Input})));
    } else if (t.role == "router_weight") {
      write_checked(hbm, t, 0, bytes_of(w.bf16({Role::RouterWeight})));
    } else if (t.role == "router_bias") {
      write_checked(hbm, t, 0, bytes_of(w.fp32({Role::RouterBias})));
    } else if (t.role == "shared_expert_gate") {
      write_checked(hbm, t, 0, bytes_of(w.bf16({Role::SharedExpertGate})));
    } else if (expert_weights) {
      const auto it = std::find_if(std::begin(kWeightRoles), std::end(kWeightRoles),
                                   [&](const WeightRole& r) { return r.role == t.role; });
      if (it == std::end(kWeightRoles)) throw LayerRunError(fmt::format("tensor {}: unknown role '{}'", t.name, t.role));
      if (const auto* synthetic = dynamic_cast<const golden::SyntheticWeights*>(&w)) {
        const WeightGeometry geometry(synthetic->layer(), *it, t.dtype);
        const uint64_t want =
            geometry.rows * geometry.row_elements * geometry.element_bytes * (it->per_expert ? experts : 1);
        if (want != t.bytes())
          throw LayerRunError(fmt::format("tensor {} ({}): the layer's weights have {} bytes, the program's tensor {}", t.name,
                                          t.role, want, t.bytes()));
        hbm.add_made_region({t.address, t.bytes()},
                            [layer = &synthetic->layer(), role = *it, geometry, base = t.address](uint64_t addr, std::span<uint8_t> out) {
                              make_weight_bytes(*layer, role, geometry, addr - base, out);
                            });
        continue;
      }
      uint64_t offset = 0;
      for (uint32_t e = 0; e < (it->per_expert ? experts : 1); ++e) {
        const weights::TensorRef ref{it->tensor, e};
        std::span<const uint8_t> bytes;
        golden::Fp8Weight f;
        golden::MatrixU16 b;
        if (t.dtype == num::Format::E4M3 || it->scales) {
          f = w.fp8(ref);
          bytes = it->scales ? bytes_of(f.scales) : bytes_of(f.codes);
        } else {
          b = w.bf16(ref);
          bytes = bytes_of(b);
        }
        write_checked(hbm, t, offset, bytes);
        offset += bytes.size();
      }
    }
  }
}

std::vector<TensorCheck> check_layer(const sim::SparseMemory& hbm, const compiler::ArgumentBlock& block,
                                     const golden::MoeTrace& g) {
  std::vector<TensorCheck> out;
  const auto compare = [&](const compiler::TensorArg& t, std::span<const uint8_t> want, size_t element_bytes) {
    TensorCheck c{t.role, want.size() / element_bytes, 0, ""};
    std::vector<uint8_t> got(t.bytes());
    hbm.read(t.address, got);
    if (got.size() != want.size()) {
      c.mismatches = c.elements;
      c.first = fmt::format("the chip's tensor has {} bytes, the golden model's {}", got.size(), want.size());
      out.push_back(c);
      return;
    }
    for (size_t i = 0; i < c.elements; ++i) {
      if (std::memcmp(got.data() + i * element_bytes, want.data() + i * element_bytes, element_bytes) == 0) continue;
      if (c.mismatches++ == 0) {
        uint64_t a = 0, b = 0;
        std::memcpy(&a, got.data() + i * element_bytes, element_bytes);
        std::memcpy(&b, want.data() + i * element_bytes, element_bytes);
        c.first = fmt::format("element {}: chip {:#x}, golden {:#x}", i, a, b);
      }
    }
    out.push_back(c);
  };
  for (const compiler::TensorArg& t : block.tensors) {
    if (t.io != "output") continue;
    const std::string& r = t.role;
    if (r == "router_gemm") compare(t, bytes_of(g.logits), 4);
    else if (r == "topk.ids") compare(t, bytes_of(g.topk.ids), 4);
    else if (r == "topk.weights") compare(t, bytes_of(g.topk.weights), 4);
    else if (r == "align.offsets") compare(t, bytes_of(g.alignment.offsets), 4);
    else if (r == "align.tokens") compare(t, bytes_of(g.alignment.tokens), 4);
    else if (r == "align.row_weights") compare(t, bytes_of(g.alignment.row_weights), 4);
    else if (r == "input_quant") compare(t, bytes_of(g.x_q.codes), 1);
    else if (r == "input_quant.scales") compare(t, bytes_of(g.x_q.scales), 4);
    else if (r == "shared_expert") compare(t, bytes_of(g.shared), 2);
    else if (r == "combine") compare(t, bytes_of(g.out), 2);
    else throw LayerRunError(fmt::format("output tensor {}: no golden counterpart for role '{}'", t.name, r));
  }
  return out;
}

LayerRun run_layer(const elf::Program& program, const compiler::ArgumentBlock& block, const arch::ArchConfig& arch,
                   const golden::LayerWeights& weights, const GoldenSource& golden, sim::SimOptions options,
                   bool timing_only) {
  LayerRun run;
  const auto configure = options.configure;
  options.configure = [&](sim::Chip& chip) {
    place_layer(chip.hbm(), block, weights, !timing_only);
    for (uint32_t t = 0; t < chip.tiles(); ++t) chip.accelerator(t).matrix().set_fp8_values(!timing_only);
    if (configure) configure(chip);
  };
  const auto inspect = options.inspect;
  options.inspect = [&](sim::Chip& chip) {
    if (golden && !timing_only && !chip.error()) run.checks = check_layer(chip.hbm(), block, golden());
    if (const compiler::TensorArg* off = block.find("align.offsets"); off && !chip.error()) {
      std::vector<int32_t> offsets(off->bytes() / 4);
      chip.hbm().read(off->address, {reinterpret_cast<uint8_t*>(offsets.data()), offsets.size() * 4});
      for (size_t e = 0; e + 1 < offsets.size(); ++e)
        run.expert_rows.push_back(static_cast<uint64_t>(std::max(0, offsets[e + 1] - offsets[e])));
    }
    if (inspect) inspect(chip);
  };
  run.sim = sim::simulate(arch, program, options);
  return run;
}

}  // namespace cadre::runtime
