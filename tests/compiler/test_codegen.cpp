// The code generator: its ELF reads back, carries the argument block, and its
// code bytes are what the cross assembler makes of its assembly.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cadre/compiler/argument_block.h"
#include "cadre/compiler/compiler.h"
#include "cadre/elf/elf_program.h"
#include "compiler_test_util.h"
#include "common/run_command.h"

namespace cadre::compiler {
namespace {

class Codegen : public testing::TestWithParam<test::ShrunkLayer> {};

Compiled compile(const test::ShrunkLayer& l, const std::string& arch, const std::string& precision = "fp8") {
  return compile_layer(test::shrunk_request(l, "decode", 8, precision, arch), arch::load_arch(arch));
}

TEST_P(Codegen, TheElfReadsBackWithItsArgumentBlock) {
  const Compiled c = compile(GetParam(), "default");
  const elf::Program p = elf::load_elf(c.code.elf, "compiled");
  EXPECT_EQ(p.entry, c.code.address);
  ASSERT_EQ(p.code_sections.size(), 1u);
  EXPECT_EQ(p.code_sections[0].bytes, c.code.code);
  const elf::DataSection* args = p.data_section(kArgsSection);
  ASSERT_TRUE(args);
  const ArgumentBlock block = parse_argument_block(std::string(args->bytes.begin(), args->bytes.end()));
  EXPECT_EQ(block.tensors.size(), c.module.program->tensors.size());
  ASSERT_TRUE(block.find("combine"));
  EXPECT_EQ(block.find("combine")->io, "output");
  EXPECT_EQ(block.find("input")->dtype, num::Format::BF16);
}

TEST_P(Codegen, CodeBytesEqualTheCrossAssemblers) {
  if (test::tool_missing(CADRE_RISCV_AS) || test::tool_missing(CADRE_RISCV_OBJCOPY))
    GTEST_SKIP() << "riscv64-unknown-elf-as or -objcopy not installed";
  for (const std::string precision : {"fp8", "bf16"}) {
    const Compiled c = compile(GetParam(), "small", precision);
    const auto dir = test::scratch_dir("codegen_" + GetParam().name + precision);
    const std::string s = (dir / "layer.s").string(), o = (dir / "layer.o").string(), bin = (dir / "layer.bin").string();
    test::write_bytes(s, std::vector<uint8_t>(c.code.assembly.begin(), c.code.assembly.end()));
    const test::CommandResult as = test::run_command(std::string(CADRE_RISCV_AS) + " -march=rv64im -o " + o + " " + s + " 2>&1");
    ASSERT_EQ(as.exit_code, 0) << as.output;
    const test::CommandResult oc = test::run_command(std::string(CADRE_RISCV_OBJCOPY) + " -O binary -j .text " + o + " " + bin + " 2>&1");
    ASSERT_EQ(oc.exit_code, 0) << oc.output;
    EXPECT_EQ(test::read_bytes(bin), c.code.code) << precision;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, Codegen, testing::ValuesIn(test::shrunk_layers()),
                         [](const auto& p) { return p.param.name; });

// The message parse_argument_block refuses `text` with, or "accepted".
std::string argument_block_error(const std::string& text) {
  try {
    parse_argument_block(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ArgumentBlockErrors, EveryFieldIsReadWithItsOwnType) {
  // Found by the fuzz target fuzz_argument_block: a format that is not a string
  // threw nlohmann's type_error, a fractional shape beyond 2^64 was undefined
  // behaviour, and a negative address was read as 2^64 - 1.
  const std::string tensor = R"("name": "x", "role": "input", "io": "input", "dtype": "fp32")";
  const auto block = [&](const std::string& fields) {
    return R"({"format": "cadre.args/1", "tensors": [{)" + tensor + ", " + fields + "}]}";
  };
  EXPECT_EQ(argument_block_error(R"({"format": 1, "tensors": []})"), ".cadre.args: not a cadre.args/1 argument block");
  EXPECT_EQ(argument_block_error(R"({"format": "cadre.args/1", "tensors": [1]})"), ".cadre.args: tensors/0: not an object");
  EXPECT_EQ(argument_block_error(block(R"("shape": [4, 256], "address": -1)")),
            ".cadre.args: tensors/0/address: not a non-negative integer");
  EXPECT_EQ(argument_block_error(block(R"("shape": [1e30], "address": 0)")),
            ".cadre.args: tensors/0/shape/0: not a non-negative integer");
  EXPECT_EQ(argument_block_error(block(R"("shape": [4294967296, 4294967296], "address": 0)")),
            ".cadre.args: tensor x: its shape's bytes overflow 64 bits");
  EXPECT_EQ(argument_block_error(block(R"("shape": "4", "address": 0)")), ".cadre.args: tensors/0/shape: not an array");
  EXPECT_EQ(argument_block_error(R"({"format": "cadre.args/1", "tensors": [{"name": "x"}]})"),
            ".cadre.args: tensors/0: no role");
  const ArgumentBlock good = parse_argument_block(block(R"("shape": [4, 256], "address": 4096)"));
  ASSERT_EQ(good.tensors.size(), 1u);
  EXPECT_EQ(good.tensors[0].bytes(), 4u * 256 * 4);
  EXPECT_EQ(good.tensors[0].address, 4096u);
}

TEST(CodegenErrors, SayWhichPassIsMissing) {
  Module m = build_layer(test::shrunk_request(test::shrunk_layers()[2], "decode", 8, "fp8", "default"));
  const arch::ArchConfig a = arch::load_arch("default");
  run_pipeline(parse_pipeline("quantize-fp8,fuse-experts,choose-tiling,lower-routing,lower-experts"), m, PassContext{a});
  try {
    generate(m, a);
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("run"), std::string::npos) << e.what();
  }
}

// Values read once give their registers back after their last reader: 40
// of them in a row need no more than a few registers at a time, and a value
// read inside a later loop keeps its register until that loop is done.
TEST(CodegenRegisters, AValueFreesItsRegisterAfterItsLastReader) {
  std::string body;
  for (int i = 0; i < 40; ++i) body += fmt::format("    let %v{0} = %tile + {0}\n    store.w @t + 4, %v{0}\n", i);
  const std::string text = fmt::format(R"(module "registers" {{arch = "default"}}
program {{
  hbm @t : i32[64]
  body {{
    let %kept = %tile * 3
{}    for %i = 0 to 4 step 1 {{
      store.w @t + %i * 4, %kept
    }}
  }}
}}
)",
                                       body);
  Module m = parse_module(text, "registers.ir");
  const arch::ArchConfig a = arch::load_arch("default");
  run_pipeline(parse_pipeline("allocate"), m, PassContext{a});
  const MachineCode code = generate(m, a);
  // %kept (%tile * 3), the first value, holds the pool's first register (t0)
  // to the loop's end; each of the 40 after it takes and gives back the next (t1).
  EXPECT_NE(code.assembly.find("addi t1, s0, 0\n"), std::string::npos) << code.assembly;
  EXPECT_NE(code.assembly.find("addi t1, s0, 39\n"), std::string::npos) << code.assembly;
  EXPECT_NE(code.assembly.find("sw t0, 0("), std::string::npos) << code.assembly;
}

}  // namespace
}  // namespace cadre::compiler
