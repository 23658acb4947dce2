// `cadre disasm` run as a user runs it: output, JSON and exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "common/run_command.h"

namespace {

using cadre::test::run_command;

const std::string kCadre = CADRE_BINARY;
const std::filesystem::path kCorpus = CADRE_ELF_CORPUS;

std::string disasm(const std::string& args) { return kCadre + " disasm " + args; }

TEST(CadreDisasm, ListsTheSampleProgramWithLabels) {
  const auto r = run_command(disasm((kCorpus / "sample.elf").string() + " 2>&1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected : {"Disassembly of section .text:", "0000000080000000 <main>:",
                               "0000000080000108 <_start>:", " <fib>:", " <classify>:", "\tecall\n",
                               "csrrs a5,cycle,zero", "csrrwi zero,mscratch,5", "fence.tso"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
  EXPECT_EQ(r.output.find("illegal"), std::string::npos) << r.output;
}

TEST(CadreDisasm, JsonHasOneEntryPerWord) {
  const auto r = run_command(disasm("--json " + (kCorpus / "sample.elf").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto json = nlohmann::json::parse(r.output);
  ASSERT_TRUE(json.is_array());
  ASSERT_GT(json.size(), 300u);
  EXPECT_EQ(json[0]["address"], 0x80000000u);
  EXPECT_EQ(json[0]["symbol"], "main");
  EXPECT_TRUE(json[0]["word"].is_number());
  EXPECT_TRUE(json[0]["text"].is_string());
}

TEST(CadreDisasm, RawBinaryFromABase) {
  const auto dir = cadre::test::scratch_dir("cadre_disasm_raw");
  // addi a0,zero,5; cdma.ld.cfg a0; a zero word; one stray byte.
  cadre::test::write_bytes(dir / "code.bin", {0x13, 0x05, 0x50, 0x00, 0x0b, 0x00, 0x05, 0x00, 0, 0, 0, 0, 0x01});
  const auto r = run_command(disasm("--raw --base 0x1000 " + (dir / "code.bin").string() + " 2>&1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("    1000:\t00500513\taddi a0,zero,5\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    1004:\t0005000b\tcdma.ld.cfg a0\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    1008:\t00000000\t.4byte 0x0 # illegal: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(".byte 0x01"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

TEST(CadreDisasm, CorruptElfIsBadInput) {
  const auto r = run_command(disasm((kCorpus / "class32.elf").string() + " 2>&1"));
  EXPECT_EQ(r.exit_code, 3) << r.output;  // kExitBadInput
  EXPECT_NE(r.output.find("class32.elf: ELF class 1 is not ELFCLASS64"), std::string::npos) << r.output;
  const auto huge = run_command(disasm((kCorpus / "huge-phnum.elf").string() + " 2>&1"));
  EXPECT_EQ(huge.exit_code, 3) << huge.output;
  EXPECT_NE(huge.output.find("program headers"), std::string::npos) << huge.output;
}

TEST(CadreDisasm, MissingFileIsAnIoError) {
  const auto r = run_command(disasm("/nonexistent/prog.elf 2>&1"));
  EXPECT_EQ(r.exit_code, 4) << r.output;  // kExitIo
  EXPECT_NE(r.output.find("/nonexistent/prog.elf: cannot open"), std::string::npos) << r.output;
  const auto raw = run_command(disasm("--raw /nonexistent/code.bin 2>&1"));
  EXPECT_EQ(raw.exit_code, 4) << raw.output;
}

TEST(CadreDisasm, BaseNeedsRawAndAnAddress) {
  EXPECT_EQ(run_command(disasm("--base 0x10 x.bin 2>&1")).exit_code, 2);  // kExitUsage
  EXPECT_EQ(run_command(disasm("--raw --base zz x.bin 2>&1")).exit_code, 2);
}

}  // namespace
