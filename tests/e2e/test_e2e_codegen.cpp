// The code generator's arithmetic on the control core: constants of every
// shape, and the expression operators, computed by the simulated core and
// read back from HBM against what Expr says they are.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "cadre/arch/arch_json.h"
#include "cadre/compiler/compiler.h"
#include "cadre/elf/elf_program.h"
#include "cadre/sim/chip.h"
#include "cadre/sim/simulate.h"

namespace cadre {
namespace {

using compiler::Expr;

TEST(CoreArithmetic, ConstantsAndOperatorsComputeWhatTheIrSays) {
  const std::vector<int64_t> constants = {0, 1, -1, 2047, -2048, 2048, -2049, 0x7FFF'F800, 0x7FFF'FFFF, INT32_MIN,
                                          0x8000'0000, 0x1'0000'0000, 0x1'0000'1234, -0x1'0000'0001,
                                          0x1234'5678'9ABC'DEF0, INT64_MAX, INT64_MIN, -0xFFFF'FFFF};
  std::string body = "    var %v = 12345\n";
  std::vector<int64_t> want;
  for (size_t i = 0; i < constants.size(); ++i) {
    body += fmt::format("    store.d @out + {}, {}\n", 8 * want.size(), compiler::print(Expr::lit(constants[i])));
    want.push_back(constants[i]);
  }
  // Operators on a run-time value (%v = 12345), against their constant folding.
  const Expr v = Expr::value("v");
  const std::vector<Expr> exprs = {v * 3 + 7, v - 5000, v / 7, v % Expr::lit(7), (v << Expr::lit(40)), Expr::binary(Expr::Kind::Shr, v, Expr::lit(3)),
                                   v & Expr::lit(0xFF), Expr::binary(Expr::Kind::Or, v, Expr::lit(0x1'0000'0000)), min(v, Expr::lit(99)),
                                   max(v, Expr::lit(99)), min(Expr::lit(-3), v), v * Expr::lit(0x1'0000'0001), v / Expr::lit(-12)};
  for (const Expr& e : exprs) {
    body += fmt::format("    store.d @out + {}, {}\n", 8 * want.size(), compiler::print(e));
    const Expr folded = compiler::fold(compiler::rewrite(e, [](const Expr& n) -> std::optional<Expr> {
      if (n.kind == Expr::Kind::Value) return Expr::lit(12345);
      return std::nullopt;
    }));
    want.push_back(folded.constant);
  }
  // A loop and a condition: sum of 0..9 where odd.
  body += "    var %sum = 0\n    for %i = 0 to 10 step 1 {\n      if %i % 2 == 1 {\n        set %sum = %sum + %i\n      }\n    }\n";
  body += fmt::format("    store.d @out + {}, %sum\n", 8 * want.size());
  want.push_back(25);

  const std::string text =
      fmt::format("module \"arith\" {{arch = \"small\"}}\nprogram {{\n  hbm @out : i32[{}]\n  body {{\n{}  }}\n}}\n", 2 * want.size(), body);
  compiler::Module m = compiler::parse_module(text, "arith.ir");
  const arch::ArchConfig a = arch::load_arch("small");
  compiler::run_pipeline(compiler::parse_pipeline("allocate"), m, compiler::PassContext{a});
  const compiler::MachineCode code = compiler::generate(m, a);
  const elf::Program program = elf::load_elf(code.elf, "arith");
  std::vector<int64_t> got(want.size());
  sim::SimOptions so;
  so.echo_output = false;
  so.inspect = [&](sim::Chip& chip) {
    chip.hbm().read(*m.program->tensor("out")->address, {reinterpret_cast<uint8_t*>(got.data()), got.size() * 8});
  };
  const sim::SimResult r = sim::simulate(a, program, so);
  ASSERT_FALSE(r.error) << r.error->message;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "value " << i;
}

}  // namespace
}  // namespace cadre
