// `cadre isa` run as a user runs it: the table and its JSON name every
// instruction's queue and unit as the ISA table does.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

#include "cadre/isa/xcadre.h"
#include "common/run_command.h"

namespace {

using cadre::test::run_command;
namespace isa = cadre::isa;

const std::string kIsa = std::string(CADRE_BINARY) + " isa";

TEST(CadreIsa, JsonGivesEachInstructionsQueueAndUnit) {
  const auto r = run_command(kIsa + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto insns = nlohmann::json::parse(r.output)["instructions"];
  const auto table = isa::xcadre_table();
  ASSERT_EQ(insns.size(), table.size());
  for (size_t k = 0; k < table.size(); ++k) {
    EXPECT_EQ(insns[k]["mnemonic"], table[k].mnemonic);
    EXPECT_EQ(insns[k]["queue"], isa::name(table[k].queue)) << table[k].mnemonic;
    EXPECT_EQ(insns[k]["unit"], isa::name(table[k].unit)) << table[k].mnemonic;
  }
}

TEST(CadreIsa, TableHasAUnitColumn) {
  const auto r = run_command(kIsa);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  std::string header, line;
  std::getline(lines, header);
  EXPECT_NE(header.find(" unit "), std::string::npos) << header;
  size_t rows = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string mnemonic, opcode, funct3, funct7, queue, unit;
    words >> mnemonic >> opcode >> funct3 >> funct7 >> queue >> unit;
    const auto op = isa::op_from_mnemonic(mnemonic);
    ASSERT_TRUE(op) << line;
    EXPECT_EQ(unit, isa::name(isa::info(*op).unit)) << line;
    ++rows;
  }
  EXPECT_EQ(rows, isa::xcadre_table().size());
}

}  // namespace
