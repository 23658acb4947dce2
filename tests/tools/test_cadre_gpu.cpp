// `cadre gpu` run as a user runs it: --check on every bundled family shrunk,
// exit codes for bad input, --json, --dump.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cadre/weights/safetensors.h"
#include "common/run_command.h"
#include "shrunk_models.h"

namespace {

using cadre::test::run_command;

const std::string kGpu = std::string(CADRE_BINARY) + " gpu ";

std::string sets(const cadre::golden::test::ShrunkModel& m) {
  std::string s;
  for (const auto& o : m.overrides) s += " --set " + o.key + "=" + o.value;
  return s;
}

TEST(CadreGpu, CheckPassesOnEveryBundledFamilyShrunk) {
  for (const auto& m : cadre::golden::test::shrunk_models()) {
    for (const char* args : {" --phase decode --tokens 4", " --phase prefill --tokens 16 --precision bf16"}) {
      const auto r = run_command(kGpu + m.bundled + sets(m) + args + " --check 2>&1");
      EXPECT_EQ(r.exit_code, 0) << m.label << args << "\n" << r.output;
      EXPECT_NE(r.output.find("every kernel bit-identical"), std::string::npos) << r.output;
    }
  }
}

TEST(CadreGpu, SaysWhenTheCudaRunIsSkipped) {
  const auto r = run_command(kGpu + "mixtral-8x7b --set hidden_size=256 --set intermediate_size=256 --phase decode "
                                    "--tokens 2 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("combine"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("h100 us"), std::string::npos) << r.output;
  const bool skipped = r.output.find("no GPU: CUDA run skipped") != std::string::npos;
  const bool timed = r.output.find("GPU ms") != std::string::npos;
  EXPECT_NE(skipped, timed) << r.output;
}

TEST(CadreGpu, JsonHasEveryKernelWithChecksAndModelTimes) {
  const auto r = run_command(kGpu + "qwen1.5-moe-a2.7b --set hidden_size=256 --set num_experts=16 "
                                    "--set moe_intermediate_size=256 --set shared_expert_intermediate_size=512 "
                                    "--phase decode --tokens 3 --check --json --gpu h800");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["gpu"], "h800");
  EXPECT_EQ(j["mismatches"], 0);
  ASSERT_EQ(j["kernels"].size(), 10u);  // every kernel, shared expert included
  for (const auto& k : j["kernels"]) {
    EXPECT_EQ(k["check"], "bit-exact") << k.dump();
    EXPECT_GT(k["model_us"].get<double>(), 0.0) << k.dump();
  }
  EXPECT_EQ(j["kernels"][9]["kernel"], "combine");
  EXPECT_EQ(j["kernels"][9]["output"], "[3, 256]");
}

TEST(CadreGpu, DumpWritesReadableSafetensorsPerKernel) {
  const std::string dir = ::testing::TempDir() + "cadre_gpu_dump";
  std::filesystem::remove_all(dir);
  const auto r = run_command(kGpu + "deepseek-v3 --set hidden_size=256 --set n_routed_experts=32 "
                                    "--set moe_intermediate_size=256 --phase decode --tokens 2 --dump " + dir + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"input", "router_gemm", "topk", "align", "input_quant", "permute", "gate_up_gemm",
                           "silu_mul_quant", "down_gemm", "shared_expert", "combine"}) {
    const auto f = cadre::weights::SafetensorsFile::open(dir + "/" + name + ".safetensors");
    EXPECT_FALSE(f.tensors().empty()) << name;
  }
  const auto out = cadre::weights::SafetensorsFile::open(dir + "/combine.safetensors");
  EXPECT_EQ(out.get("values", cadre::weights::DType::BF16).shape, (std::vector<uint64_t>{2, 256}));
  const auto in = cadre::weights::SafetensorsFile::open(dir + "/input.safetensors");
  EXPECT_NE(in.find("e_score_correction_bias"), nullptr);
  // The (small) layer's weights, in the checkpoint naming: given back as --weights, the same layer checks.
  const auto w = cadre::weights::SafetensorsFile::open(dir + "/weights.safetensors");
  EXPECT_NE(w.find("mlp.experts.31.down_proj.weight_scale_inv"), nullptr);
  const auto again = run_command(kGpu + "deepseek-v3 --set hidden_size=256 --set n_routed_experts=32 "
                                        "--set moe_intermediate_size=256 --phase decode --tokens 2 --check --weights " +
                                 dir + "/weights.safetensors 2>&1");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("every kernel bit-identical"), std::string::npos) << again.output;
}

TEST(CadreGpu, BadInputExitCodes) {
  EXPECT_EQ(run_command(kGpu + "no-such-model --phase decode --tokens 2 2>&1").exit_code, 3);
  const auto bad_set = run_command(kGpu + "mixtral-8x7b --set hidden_size --phase decode --tokens 2 2>&1");
  EXPECT_EQ(bad_set.exit_code, 3);
  EXPECT_NE(bad_set.output.find("key=value"), std::string::npos) << bad_set.output;
  const auto missing = run_command(kGpu + "mixtral-8x7b --weights /nonexistent.safetensors --phase decode --tokens 2 2>&1");
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.output.find("/nonexistent.safetensors"), std::string::npos) << missing.output;
  const std::string junk = ::testing::TempDir() + "cadre_gpu_junk.safetensors";
  { std::FILE* f = std::fopen(junk.c_str(), "w"); std::fputs("not safetensors", f); std::fclose(f); }
  EXPECT_EQ(run_command(kGpu + "mixtral-8x7b --weights " + junk + " --phase decode --tokens 2 2>&1").exit_code, 3);
  EXPECT_EQ(run_command(kGpu + "mixtral-8x7b --phase sideways --tokens 2 2>&1").exit_code, 2);
}

}  // namespace
