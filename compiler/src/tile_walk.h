// Walking and rewriting tile programs: every statement in order, every
// expression of a statement, and substitution of values.
#pragma once

#include <functional>

#include "cadre/compiler/ir.h"

namespace cadre::compiler {

// Calls f on every statement, parents before their bodies.
void walk(Block& block, const std::function<void(Stmt&)>& f);
void walk(const Block& block, const std::function<void(const Stmt&)>& f);

// Calls f on every expression a statement reads (not those of nested statements).
void for_each_expr(Stmt& s, const std::function<void(Expr&)>& f);
void for_each_expr(const Stmt& s, const std::function<void(const Expr&)>& f);

// The block with %name replaced by `by` everywhere it is read.
Block substitute(Block block, const std::string& name, const Expr& by);

}  // namespace cadre::compiler
