#include "tile_builder.h"

#include <fmt/format.h>

namespace cadre::compiler {

Expr TileBuilder::hbm(const std::string& name, const TensorType& type, Attrs attrs) {
  if (const HbmDecl* d = p_.tensor(name)) {
    if (d->type != type) throw IrError(fmt::format("@{} is declared twice with different types", name));
    return Expr::symbol(name);
  }
  p_.tensors.push_back({name, type, std::move(attrs), std::nullopt});
  return Expr::symbol(name);
}

Expr TileBuilder::buffer(const std::string& name, Memory memory, uint64_t bytes, Attrs attrs) {
  if (BufferDecl* d = p_.buffer(name)) {
    if (d->memory != memory) throw IrError(fmt::format("buffer @{} is declared in two memories", name));
    d->bytes = std::max(d->bytes, bytes);
    return Expr::symbol(name);
  }
  p_.buffers.push_back({name, memory, bytes, 1, std::move(attrs), std::nullopt});
  return Expr::symbol(name);
}

Expr TileBuilder::sem(const std::string& name) {
  if (!p_.semaphore(name)) p_.semaphores.push_back({name, 1, std::nullopt});
  return Expr::symbol(name);
}

void TileBuilder::cmd(isa::Op op, std::vector<Field> fields) {
  Stmt s;
  s.node = CommandStmt{op, std::move(fields), ""};
  append(std::move(s));
}

Expr TileBuilder::let(const std::string& name, Expr value) {
  append(Stmt{LetStmt{name, std::move(value), false}, 0});
  return Expr::value(name);
}

Expr TileBuilder::var(const std::string& name, Expr value) {
  append(Stmt{LetStmt{name, std::move(value), true}, 0});
  return Expr::value(name);
}

void TileBuilder::set(const std::string& name, Expr value) { append(Stmt{SetStmt{name, std::move(value)}, 0}); }

Expr TileBuilder::load_word(const std::string& name, Expr address) {
  append(Stmt{LoadStmt{name, Width::Word, std::move(address)}, 0});
  return Expr::value(name);
}

void TileBuilder::store_word(Expr address, Expr value) {
  append(Stmt{StoreStmt{Width::Word, std::move(address), std::move(value)}, 0});
}

void TileBuilder::barrier() { append(Stmt{BarrierStmt{}, 0}); }
void TileBuilder::kernel(model::Kernel kernel) { append(Stmt{KernelStmt{kernel}, 0}); }

void TileBuilder::fence(uint64_t queues) { cmd(isa::Op::Fence, {{"queues", Expr::lit(static_cast<int64_t>(queues))}}); }

void TileBuilder::loop(const std::string& var, Expr lo, Expr hi, Expr step, Attrs attrs,
                       const std::function<void(Expr)>& body) {
  ForStmt f{var, std::move(lo), std::move(hi), std::move(step), std::move(attrs), {}};
  blocks_.push_back(&f.body);
  body(Expr::value(var));
  blocks_.pop_back();
  append(Stmt{std::move(f), 0});
}

void TileBuilder::when(Expr lhs, Cmp cmp, Expr rhs, const std::function<void()>& then_body,
                       const std::function<void()>& else_body) {
  IfStmt i{std::move(lhs), cmp, std::move(rhs), {}, {}};
  blocks_.push_back(&i.then_body);
  then_body();
  blocks_.pop_back();
  if (else_body) {
    blocks_.push_back(&i.else_body);
    else_body();
    blocks_.pop_back();
  }
  append(Stmt{std::move(i), 0});
}

void TileBuilder::signal(isa::Queue queue, Expr sem) {
  static constexpr isa::Op kOps[] = {isa::Op::SignalLoad, isa::Op::SignalCompute, isa::Op::SignalStore,
                                     isa::Op::SignalCore};
  cmd(kOps[static_cast<size_t>(queue)], {{"sem", std::move(sem)}});
}

void TileBuilder::wait(isa::Queue queue, Expr sem) {
  static constexpr isa::Op kOps[] = {isa::Op::WaitLoad, isa::Op::WaitCompute, isa::Op::WaitStore, isa::Op::WaitCore};
  cmd(kOps[static_cast<size_t>(queue)], {{"sem", std::move(sem)}});
}

}  // namespace cadre::compiler
