// A shrunk DeepSeek-V3 layer compared in process (docs/compare.md): the
// kernels' Cadre times and the control time add up to the layer's cycles,
// their energies to the layer's, their work to the chip's counters; the GPU's
// layer is the sum of its kernels; every output checked; the report's CSV
// files against the column table and docs/compare.md, the JSON's fields
// against docs/compare.md.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "cadre/compiler/compiler.h"
#include "cadre/gpumodel/gpu.h"
#include "cadre/report/tables.h"
#include "cadre/runtime/comparison.h"
#include "compiler_test_util.h"

namespace cadre {
namespace {

using model::Kernel;

struct Compared {
  runtime::LayerRun run;
  runtime::Comparison comparison;
};

// DeepSeek-V3 shrunk, 16 tokens of decode on the default preset (4 tiles), checked.
const Compared& compared() {
  static const Compared c = [] {
    const test::ShrunkLayer layer = test::shrunk_layers()[0];
    const compiler::LayerRequest request = test::shrunk_request(layer, "decode", 16, "fp8", "default");
    const arch::ArchConfig arch = arch::load_arch("default");
    const compiler::Compiled compiled = compiler::compile_layer(request, arch);
    const elf::Program program = elf::load_elf(compiled.code.elf, layer.name);
    const compiler::ArgumentBlock block = runtime::read_argument_block(program, layer.name);
    const golden::SyntheticWeights weights(weights::SyntheticLayer(request.spec, 3, request.tokens));
    const golden::MoeTrace golden = golden::run_golden(request.spec, weights, model::Precision::Fp8, 1);
    sim::SimOptions so;
    so.echo_output = false;
    Compared out;
    out.run = runtime::run_layer(program, block, arch, weights, &golden, so);
    const runtime::CompareInputs in{request.spec, request.tokens, request.phase, model::Precision::Fp8, arch,
                                    gpumodel::find_gpu("h800"), out.run, false, true, std::nullopt, "synthetic", std::nullopt};
    out.comparison = runtime::compare_layer(in);
    return out;
  }();
  return c;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The part of a document from the heading `from` to the next heading of its level.
std::string section(const std::string& doc, const std::string& from) {
  const size_t at = doc.find(from);
  if (at == std::string::npos) return "";
  const std::string level = from.substr(0, from.find(' ') + 1);
  const size_t end = doc.find("\n" + level, at + from.size());
  return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

TEST(Comparison, KernelTimesAndControlAddUpToTheLayer) {
  const runtime::Comparison& c = compared().comparison;
  ASSERT_FALSE(compared().run.sim.error);
  double cadre_us = c.control_us, gpu_us = 0, cadre_j = c.control_energy_j;
  for (const runtime::KernelComparison& k : c.kernels) {
    if (k.cadre) {
      cadre_us += k.cadre->time_us;
      cadre_j += k.cadre->energy_j;
      EXPECT_GE(k.cadre->span_us, 0.0);
      EXPECT_GT(k.cadre->commands, 0u) << model::name(k.kernel);
    }
    if (k.gpu) gpu_us += k.gpu->time_us;
  }
  EXPECT_NEAR(cadre_us, c.cadre_layer.time_us, 1e-6 * c.cadre_layer.time_us);
  EXPECT_NEAR(c.cadre_layer.time_us, static_cast<double>(c.cycles) / (c.clock_ghz * 1e3), 1e-9);
  EXPECT_NEAR(cadre_j, c.cadre_layer.energy_j, 1e-9 * c.cadre_layer.energy_j);
  EXPECT_NEAR(c.cadre_energy.total_j(), c.cadre_layer.energy_j, 1e-12);
  EXPECT_NEAR(gpu_us, c.gpu_layer.time_us, 1e-9);
  EXPECT_NEAR(c.gpu_layer.energy_j, 700 * gpu_us * 1e-6, 1e-12);
  EXPECT_DOUBLE_EQ(c.gpu_layer.area_mm2, 814);
  EXPECT_NEAR(c.cadre_layer.tokens_per_s(), 16 / (c.cadre_layer.time_us * 1e-6), 1e-6);
}

TEST(Comparison, EveryKernelOfTheLayerIsOnBothMachines) {
  const runtime::Comparison& c = compared().comparison;
  std::set<Kernel> kernels;
  for (const runtime::KernelComparison& k : c.kernels) {
    EXPECT_TRUE(k.gpu) << model::name(k.kernel);
    EXPECT_TRUE(k.cadre) << model::name(k.kernel);
    kernels.insert(k.kernel);
  }
  // DeepSeek-V3 in FP8 runs every kernel of kernels.def.
  EXPECT_EQ(kernels.size(), model::kKernelCount);
  // The GEMMs have FLOPs on both; the chip's expert GEMMs do the GPU model's MACs (decode: no padding).
  for (const runtime::KernelComparison& k : c.kernels) {
    if (k.kernel == Kernel::GateUpGemm || k.kernel == Kernel::DownGemm) {
      EXPECT_DOUBLE_EQ(k.cadre->flops, k.gpu->flops) << model::name(k.kernel);
    }
    if (k.kernel == Kernel::RouterGemm) {
      EXPECT_GT(k.cadre->flops, 0.0);
    }
    if (k.kernel == Kernel::TopK) {
      EXPECT_EQ(k.cadre->flops, 0.0);
    }
  }
}

TEST(Comparison, TheKernelsWorkIsAllTheChipDid) {
  const Compared& x = compared();
  uint64_t macs = 0, dma = 0;
  for (const sim::TileResult& t : x.run.sim.tiles) {
    macs += t.accelerator.matrix.macs;
    dma += t.accelerator.dma.bytes_read + t.accelerator.dma.bytes_written;
  }
  double flops = 0, bytes = 0;
  for (const runtime::KernelComparison& k : x.comparison.kernels)
    if (k.cadre) flops += k.cadre->flops, bytes += k.cadre->hbm_bytes;
  EXPECT_DOUBLE_EQ(flops, 2.0 * static_cast<double>(macs));
  EXPECT_DOUBLE_EQ(bytes, static_cast<double>(dma));
}

TEST(Comparison, ChecksNameEachKernelsVerdict) {
  const runtime::Comparison& c = compared().comparison;
  EXPECT_TRUE(c.checked);
  EXPECT_TRUE(c.bit_exact);
  for (const runtime::KernelComparison& k : c.kernels) {
    const bool fused = k.kernel == Kernel::Permute || k.kernel == Kernel::GateUpGemm ||
                       k.kernel == Kernel::SiluMulQuant || k.kernel == Kernel::DownGemm;
    EXPECT_EQ(k.check, fused ? "fused (checked through combine)" : "bit-exact") << model::name(k.kernel);
  }
  EXPECT_EQ(runtime::check_of(Kernel::TopK, compared().run, false), "not checked");
  runtime::LayerRun wrong = compared().run;
  for (runtime::TensorCheck& t : wrong.checks)
    if (t.role == "topk.ids") t.mismatches = 3;
  EXPECT_EQ(runtime::check_of(Kernel::TopK, wrong, true), fmt::format("3 of {} differ", 16 * 4 * 2));
}

TEST(Comparison, TheAssumptionsAreStated) {
  const runtime::Comparison& c = compared().comparison;
  std::set<std::string> topics;
  for (const runtime::Assumption& a : c.assumptions) topics.insert(a.topic);
  for (const char* t : {"gpu_time", "gpu_energy", "gpu_area", "cadre_time", "cadre_energy", "cadre_area", "routing", "weights"})
    EXPECT_TRUE(topics.count(t)) << t;
  EXPECT_NE(c.assumptions[0].text.find("no GPU was used"), std::string::npos);
  EXPECT_NE(c.assumptions[1].text.find("board-level upper bound"), std::string::npos);
}

TEST(Comparison, CsvFilesFollowTheColumnTableAndTheDocs) {
  const runtime::Comparison& c = compared().comparison;
  const std::string doc = read_text(std::string(CADRE_SOURCE_DIR) + "/docs/compare.md");
  ASSERT_FALSE(doc.empty());
  const std::pair<std::string, std::string> files[] = {
      {"kernels", report::kernels_csv(c)}, {"layer", report::layer_csv(c)}, {"utilisation", report::utilisation_csv(c)}};
  for (const auto& [file, text] : files) {
    std::string header;
    size_t columns = 0;
    for (const report::CsvColumn& col : report::csv_columns()) {
      if (col.file != file) continue;
      header += fmt::format("{}{}", header.empty() ? "" : ",", col.name);
      ++columns;
      EXPECT_NE(doc.find(fmt::format("| `{}` | {} |", col.name, col.meaning)), std::string::npos)
          << "docs/compare.md does not document " << file << ".csv column " << col.name << " as the table says";
    }
    std::istringstream lines(text);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, header) << file;
    size_t rows = 0;
    while (std::getline(lines, line)) {
      EXPECT_EQ(static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1, columns) << file << ": " << line;
      ++rows;
    }
    EXPECT_GT(rows, 0u) << file;
  }
  // Kernels: each machine's kernels and Cadre's control.
  EXPECT_EQ(static_cast<size_t>(std::count(files[0].second.begin(), files[0].second.end(), '\n')),
            1 + 2 * c.kernels.size() + 1);
}

// Every key of the JSON, at any depth, with `prefix` naming where it sits.
void keys_of(const nlohmann::ordered_json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
      keys_of(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) keys_of(v, out);
  }
}

// Whether `key` appears in the text as a field: after ` or . and before ` . [ or ,.
bool documented(const std::string& text, const std::string& key) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
    const char before = at > 0 ? text[at - 1] : ' ', after = at + key.size() < text.size() ? text[at + key.size()] : ' ';
    if ((before == '`' || before == '.') && (after == '`' || after == '.' || after == '[' || after == ',')) return true;
  }
  return false;
}

TEST(Comparison, EveryJsonFieldIsDocumented) {
  const std::string fields =
      section(read_text(std::string(CADRE_SOURCE_DIR) + "/docs/compare.md"), "### JSON fields");
  ASSERT_FALSE(fields.empty()) << "docs/compare.md has no JSON fields section";
  std::set<std::string> keys;
  keys_of(runtime::to_json(compared().comparison), keys);
  EXPECT_GT(keys.size(), 50u);
  for (const std::string& k : keys) EXPECT_TRUE(documented(fields, k)) << "docs/compare.md lacks JSON field " << k;
}

}  // namespace
}  // namespace cadre
