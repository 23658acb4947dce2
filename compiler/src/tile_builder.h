// Building tile programs from lowering code: declarations, and statements
// appended to the block being built, with nested blocks opened by lambdas.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cadre/compiler/ir.h"

namespace cadre::compiler {

// A size or offset as an IR literal.
inline Expr I(uint64_t v) { return Expr::lit(static_cast<int64_t>(v)); }

class TileBuilder {
 public:
  explicit TileBuilder(Program& program) : p_(program), blocks_{&program.body} {}

  Program& program() { return p_; }

  // Declarations (returning the symbol). A second declaration of the same
  // name must agree on memory; a buffer grows to the larger size.
  Expr hbm(const std::string& name, const TensorType& type, Attrs attrs);
  Expr buffer(const std::string& name, Memory memory, uint64_t bytes, Attrs attrs = {});
  Expr sem(const std::string& name);

  // Statements.
  void cmd(isa::Op op, std::vector<Field> fields);
  Expr let(const std::string& name, Expr value);
  Expr var(const std::string& name, Expr value);
  void set(const std::string& name, Expr value);
  Expr load_word(const std::string& name, Expr address);
  void store_word(Expr address, Expr value);
  void barrier();
  void kernel(model::Kernel kernel);  // the commands that follow belong to `kernel`
  void fence(uint64_t queues);  // bit 0 load, 1 compute, 2 store
  void loop(const std::string& var, Expr lo, Expr hi, Expr step, Attrs attrs, const std::function<void(Expr)>& body);
  void when(Expr lhs, Cmp cmp, Expr rhs, const std::function<void()>& then_body,
            const std::function<void()>& else_body = {});
  void append(Stmt s) { blocks_.back()->push_back(std::move(s)); }

  // Queue ordering: `signal(q, s)` in queue q (Load, Compute, Store, or Core), `wait(q, s)`.
  void signal(isa::Queue queue, Expr sem);
  void wait(isa::Queue queue, Expr sem);

 private:
  Program& p_;
  std::vector<Block*> blocks_;
};

}  // namespace cadre::compiler
