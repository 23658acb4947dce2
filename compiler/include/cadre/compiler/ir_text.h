// The text form of Cadre's IR: print(parse(print(m))) == print(m) for every
// module, so a pass can be run alone on a file (`cadre opt`) and tests can
// FileCheck its output. The grammar is in docs/compiler.md.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "cadre/compiler/ir.h"

namespace cadre::compiler {

std::string print(const Module& module);
std::string print(const Expr& expr);

// A text the parser refused: where (1-based line and column) and what it expected.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string source, int line, int column, std::string message);
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_, column_;
};

// `source` names the text in errors ("FILE:LINE:COLUMN: ...").
Module parse_module(std::string_view text, std::string_view source);

}  // namespace cadre::compiler
