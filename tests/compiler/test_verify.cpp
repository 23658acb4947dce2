// The verifier names what is wrong with a module, and the pass pipeline names
// the pass after which it went wrong.
#include <gtest/gtest.h>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"
#include "cadre/compiler/verify.h"

namespace cadre::compiler {
namespace {

std::string verify_error(const std::string& body, const std::string& decls = "") {
  const Module m = parse_module("module \"m\"\nprogram {\n" + decls + "  body {\n" + body + "  }\n}\n", "v.ir");
  try {
    verify(m, nullptr);
  } catch (const IrError& e) {
    return e.what();
  }
  return "";
}

TEST(Verify, FindsProgramsThatCannotRun) {
  EXPECT_NE(verify_error("    let %x = %y + 1\n").find("%y is not defined"), std::string::npos);
  EXPECT_NE(verify_error("    cdma.ld hbm = 0, local = 0, rows = 1\n").find("field 'row_bytes' is missing"), std::string::npos);
  EXPECT_NE(verify_error("    cdma.ld hbm = 0, local = 0, rows = 1, row_bytes = 1, cols = 2\n").find("no operand field 'cols'"),
            std::string::npos);
  EXPECT_NE(verify_error("    cdma.ld hbm = 0, local = 0, rows = 70000, row_bytes = 1\n").find("rows = 70000 does not fit its 16 bits"),
            std::string::npos);
  EXPECT_NE(verify_error("    cx.status select = 1\n").find("returns a value"), std::string::npos);
  EXPECT_NE(verify_error("    let %x = 1\n    set %x = 2\n").find("not a var"), std::string::npos);
  EXPECT_NE(verify_error("    let %x = @nowhere\n").find("@nowhere is not declared"), std::string::npos);
  EXPECT_NE(verify_error("    let %x = @t[1]\n", "  hbm @t : i32[4]\n").find("it has no slots"), std::string::npos);
  EXPECT_NE(verify_error("    for %i = 0 to 4 step 0 {\n    }\n").find("must be positive"), std::string::npos);
  EXPECT_NE(verify_error("    let %x = 1\n    let %x = 2\n").find("already defined"), std::string::npos);
  EXPECT_EQ(verify_error("    var %x = 1\n    for %i = 0 to 4 step 1 {\n      set %x = %x + %i\n    }\n    let %s = cx.status select = 32\n"), "");
}

TEST(Verify, ChecksPlacementsAgainstTheArchitecture) {
  const arch::ArchConfig small = arch::load_arch("small");
  const Module m = parse_module(
      "module \"m\"\nprogram {\n  buffer @b : scratchpad[65536] x 2 at 0x20000000\n  sem @s x 4 at 14\n  body {\n  }\n}\n", "p.ir");
  try {
    verify(m, &small);
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("buffer @b [0x20000000, 0x20020000) is outside the scratchpad"), std::string::npos) << e.what();
  }
}

TEST(Verify, ASemaphoreRangeNearTwoTo32DoesNotWrapIntoTheTile) {
  const arch::ArchConfig small = arch::load_arch("small");
  const Module m = parse_module("module \"m\"\nprogram {\n  sem @s x 2 at 4294967295\n  body {\n  }\n}\n", "s.ir");
  try {
    verify(m, &small);
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("semaphore @s (numbers 4294967295..4294967296) is beyond"), std::string::npos) << e.what();
  }
}

TEST(PassPipeline, ParsesOptionsAndRefusesWhatItDoesNotKnow) {
  const std::vector<PassRun> runs = parse_pipeline("quantize-fp8, choose-tiling{rows=16, k_chunk=256},distribute{placement=static}");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[1].options.get_int("rows", 0), 16);
  EXPECT_EQ(print_pipeline(runs), "quantize-fp8,choose-tiling{k_chunk=256,rows=16},distribute{placement=static}");
  EXPECT_THROW(parse_pipeline("quantise-fp8"), IrError);
  EXPECT_THROW(parse_pipeline("choose-tiling{rows}"), IrError);
  EXPECT_THROW(parse_pipeline("choose-tiling{rows=1"), IrError);

  const arch::ArchConfig small = arch::load_arch("small");
  LayerRequest r;
  const std::vector<model::Override> sets = {{"hidden_size", "256"}, {"intermediate_size", "256"}};
  r.spec = model::load_model("mixtral-8x7b", sets);
  r.tokens = 4;
  Module m = build_layer(r);
  try {
    run_pipeline(parse_pipeline("multi-buffer{depht=3}"), m, PassContext{small});
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("multi-buffer"), std::string::npos) << e.what();
  }
  try {
    run_pipeline(parse_pipeline("quantize-fp8,fuse-experts,lower-routing"), m, PassContext{small});
    FAIL();
  } catch (const IrError& e) {
    EXPECT_NE(std::string(e.what()).find("pass lower-routing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cadre::compiler
