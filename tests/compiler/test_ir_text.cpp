// The text form of the IR: every module the compiler makes, at every stage of
// the default pipeline, prints and parses back to the same module and text;
// bad text gets an error with its line and column.
#include <gtest/gtest.h>

#include "cadre/compiler/compiler.h"
#include "compiler_test_util.h"

namespace cadre::compiler {
namespace {

void expect_round_trip(const Module& m, const std::string& where) {
  const std::string text = print(m);
  const Module back = parse_module(text, where);
  EXPECT_EQ(print(back), text) << where;
  EXPECT_TRUE(back == m) << where << ": the parsed module differs from the printed one";
}

class RoundTrip : public testing::TestWithParam<test::ShrunkLayer> {};

TEST_P(RoundTrip, EveryStageOfThePipelinePrintsAndParsesBack) {
  for (const std::string precision : {"fp8", "bf16"})
    for (const std::string arch_name : {"small", "default"}) {
      const arch::ArchConfig arch = arch::load_arch(arch_name);
      Module m = build_layer(test::shrunk_request(GetParam(), "decode", 8, precision, arch_name));
      expect_round_trip(m, "frontend");
      for (const PassRun& run : default_pipeline(m)) {
        run_pass(run, m, PassContext{arch});
        expect_round_trip(m, std::string(pass_table()[static_cast<size_t>(run.id)].name) + " " + precision + " " + arch_name);
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Families, RoundTrip, testing::ValuesIn(test::shrunk_layers()),
                         [](const auto& p) { return p.param.name; });

TEST(ExprText, PrecedenceAndParenthesesSurviveARoundTrip) {
  const Expr a = Expr::value("a"), b = Expr::value("b"), c = Expr::value("c");
  const std::vector<Expr> cases = {
      Expr::binary(Expr::Kind::Sub, a, Expr::binary(Expr::Kind::Sub, b, c)),
      Expr::binary(Expr::Kind::Mul, Expr::binary(Expr::Kind::Add, a, b), c),
      Expr::binary(Expr::Kind::Shr, Expr::binary(Expr::Kind::Add, a, b), Expr::lit(7)),
      Expr::binary(Expr::Kind::Or, Expr::binary(Expr::Kind::And, a, Expr::lit(0xFFFF'FFFF)), Expr::lit(-5)),
      min(a + Expr::lit(-1), Expr::symbol("w", b % Expr::lit(2))),
      Expr::binary(Expr::Kind::Div, a, Expr::binary(Expr::Kind::Div, b, c)),
      Expr::lit(-0x1'0000'0000),
  };
  for (const Expr& e : cases) {
    Module m;
    m.name = "e";
    m.program = Program{};
    m.program->body.push_back(Stmt{LetStmt{"x", e, false}, 0});
    m.program->tensors.push_back({"w", {num::Format::I32, {4}}, {}, std::nullopt});
    const Module back = parse_module(print(m), "expr");
    EXPECT_EQ(std::get<LetStmt>(back.program->body[0].node).value, e) << print(e);
  }
  EXPECT_EQ(print(Expr::binary(Expr::Kind::Sub, Expr::value("a"), Expr::binary(Expr::Kind::Sub, Expr::value("b"), Expr::lit(1)))),
            "%a - (%b - 1)");
}

TEST(ExprText, TheMostNegativeIntegerPrintsAndParsesBack) {
  Module m;
  m.name = "e";
  m.attrs.set("least", INT64_MIN);
  m.program = Program{};
  m.program->body.push_back(Stmt{LetStmt{"x", Expr::lit(INT64_MIN), false}, 0});
  const std::string text = print(m);
  const Module back = parse_module(text, "expr");
  EXPECT_EQ(std::get<LetStmt>(back.program->body[0].node).value, Expr::lit(INT64_MIN)) << text;
  EXPECT_EQ(print(back), text);
  EXPECT_TRUE(back == m) << text;
}

TEST(ExprText, ConstantsFoldAsTheCoreComputes) {
  EXPECT_EQ(apply(Expr::Kind::Div, 7, 0), -1);
  EXPECT_EQ(apply(Expr::Kind::Rem, 7, 0), 7);
  EXPECT_EQ(apply(Expr::Kind::Div, INT64_MIN, -1), INT64_MIN);
  EXPECT_EQ(apply(Expr::Kind::Shr, -1, 60), 15);
  EXPECT_EQ(fold(Expr::lit(3) * Expr::value("x") + Expr::binary(Expr::Kind::Add, Expr::lit(2), Expr::lit(5))),
            Expr::binary(Expr::Kind::Add, Expr::binary(Expr::Kind::Mul, Expr::lit(3), Expr::value("x")), Expr::lit(7)));
}

// The placement's walks divide by constants with a multiply and a shift:
// exact at every divisor up to 5000 at the edges of each quotient and of the range.
TEST(ExprText, DivideSmallIsExactOverItsRange) {
  constexpr int64_t kTop = (int64_t{1} << 31) - 1;
  for (int64_t d = 1; d <= 5000; ++d) {
    std::vector<int64_t> xs = {0, 1, d - 1, d, d + 1, kTop, kTop - 1, kTop / d * d, kTop / d * d - 1};
    for (int64_t k = 2; k < 70000; k = k * 3 + 1) xs.insert(xs.end(), {k * d - 1, k * d, k * d + 1});
    for (const int64_t x : xs) {
      if (x < 0 || x > kTop) continue;
      const Expr q = fold(divide_small(Expr::lit(x), d));
      ASSERT_TRUE(q.is_const());
      ASSERT_EQ(q.constant, x / d) << x << " / " << d;
    }
  }
  EXPECT_EQ(divide_small(Expr::value("x"), 1), Expr::value("x"));
  EXPECT_EQ(divide_small(Expr::value("x"), 64), Expr::binary(Expr::Kind::Shr, Expr::value("x"), Expr::lit(6)));
}

struct BadText {
  const char* text;
  int line, column;
  const char* says;
};

class ParseErrors : public testing::TestWithParam<BadText> {};

TEST_P(ParseErrors, NameTheLineTheColumnAndWhatWasExpected) {
  try {
    parse_module(GetParam().text, "bad.ir");
    FAIL() << "parsed: " << GetParam().text;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), GetParam().line) << e.what();
    EXPECT_EQ(e.column(), GetParam().column) << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam().says), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.ir:", 0), 0u) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseErrors,
    testing::Values(BadText{"modul \"m\"", 1, 1, "expected 'module'"},
                    BadText{"module m", 1, 8, "the module's name"},
                    BadText{"module \"m\"\ngraph {\n  %x = nosuch() : bf16[1]\n}", 3, 8, "'nosuch' is not a graph op"},
                    BadText{"module \"m\"\ngraph {\n  %x = param() {role = } : bf16[1]\n}", 3, 24, "attribute value"},
                    BadText{"module \"m\"\ngraph {\n  %x = param() : bf17[1]\n}", 3, 18, "not an element type"},
                    BadText{"module \"m\"\nprogram {\n  body {\n    let %x = 1 +\n  }\n}", 5, 3, "expected an expression"},
                    BadText{"module \"m\"\nprogram {\n  body {\n    cdma.nope a = 1\n  }\n}", 4, 5, "not a statement"},
                    BadText{"module \"m\"\nprogram {\n  body {\n    for %i = 0 to 4 {\n    }\n  }\n}", 4, 21, "expected 'step'"},
                    BadText{"module \"m\"\nprogram {\n  sem @s\n  sem @s\n  body {\n  }\n}", 4, 3, "declared twice"},
                    BadText{"module \"m\"\nprogram {\n  body {\n    let %x = 99999999999999999999\n  }\n}", 4, 14, "does not fit"},
                    BadText{"module \"m\" {a = \"x}", 1, 17, "unterminated string"},
                    // Found by fuzz_ir: the argument block's JSON threw on it.
                    BadText{"module \"m\" {a = \"x\xff\"}", 1, 17, "the string is not UTF-8 text"},
                    BadText{"module \"m\"\nprogram {\n  body {\n    let %x = 1 ? 2\n  }\n}", 4, 16, "unexpected character"},
                    BadText{"module \"m\"\nprogram {\n  body {\n    kernel gate_gemm\n  }\n}", 4, 12,
                            "'gate_gemm' is not a kernel of model/kernels.def"},
                    // Sizes that would wrap: a tensor's bytes, a buffer's slots, slot and semaphore counts.
                    BadText{"module \"m\"\ngraph {\n  %x = param() : bf16[4294967296, 2147483648]\n}", 3, 18,
                            "a tensor of shape [4294967296, 2147483648] has more bytes than 64 bits count"},
                    BadText{"module \"m\"\nprogram {\n  hbm @t : e4m3[16] at 0xfffffffffffffff8\n  body {\n  }\n}", 3, 24,
                            "more than the 18446744073709551599 allowed for an HBM address"},
                    BadText{"module \"m\"\nprogram {\n  buffer @b : scratchpad[4294967297]\n  body {\n  }\n}", 3, 26,
                            "more than the 4294967296 allowed for a buffer's size in bytes"},
                    BadText{"module \"m\"\nprogram {\n  buffer @b : scratchpad[4294967296] x 4294967295\n  body {\n  }\n}",
                            3, 40, "4294967295 slots of 4294967296 bytes span more than the 4294967296 bytes"},
                    BadText{"module \"m\"\nprogram {\n  buffer @b : scratchpad[64] x 4294967297\n  body {\n  }\n}", 3, 32,
                            "more than the 4294967295 allowed for a slot count"},
                    BadText{"module \"m\"\nprogram {\n  sem @s at 4294967296\n  body {\n  }\n}", 3, 13,
                            "more than the 4294967295 allowed for a semaphore number"}),
    [](const auto& p) { return "Case" + std::to_string(p.index); });

}  // namespace
}  // namespace cadre::compiler
