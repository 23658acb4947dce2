// The instruction reference of docs/isa.md, made from the table.
#pragma once

#include <string>

namespace cadre::isa {

// Markdown: the instruction table, then each operand layout with its fields.
std::string instruction_reference_markdown();

}  // namespace cadre::isa
