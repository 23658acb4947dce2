#include "cadre/compiler/ir.h"

#include <fmt/format.h>

namespace cadre::compiler {

const AttrValue* Attrs::find(std::string_view key) const {
  for (const Attr& a : items)
    if (a.key == key) return &a.value;
  return nullptr;
}

int64_t Attrs::get_int(std::string_view key) const {
  const AttrValue* v = find(key);
  if (!v) throw IrError(fmt::format("attribute '{}' is missing", key));
  if (const auto* i = std::get_if<int64_t>(v)) return *i;
  throw IrError(fmt::format("attribute '{}' must be an integer", key));
}

double Attrs::get_float(std::string_view key) const {
  const AttrValue* v = find(key);
  if (!v) throw IrError(fmt::format("attribute '{}' is missing", key));
  if (const auto* d = std::get_if<double>(v)) return *d;
  if (const auto* i = std::get_if<int64_t>(v)) return static_cast<double>(*i);
  throw IrError(fmt::format("attribute '{}' must be a number", key));
}

const std::string& Attrs::get_string(std::string_view key) const {
  const AttrValue* v = find(key);
  if (!v) throw IrError(fmt::format("attribute '{}' is missing", key));
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  throw IrError(fmt::format("attribute '{}' must be a string", key));
}

int64_t Attrs::get_int(std::string_view key, int64_t fallback) const { return has(key) ? get_int(key) : fallback; }

std::string Attrs::get_string(std::string_view key, std::string_view fallback) const {
  return has(key) ? get_string(key) : std::string(fallback);
}

void Attrs::set(std::string key, AttrValue value) {
  for (Attr& a : items)
    if (a.key == key) {
      a.value = std::move(value);
      return;
    }
  items.push_back({std::move(key), std::move(value)});
}

void Attrs::erase(std::string_view key) {
  std::erase_if(items, [&](const Attr& a) { return a.key == key; });
}

namespace {
struct GraphOpInfo {
  GraphOpKind kind;
  std::string_view name;
};
constexpr GraphOpInfo kGraphOps[] = {
#define GRAPH_OP(E, name, summary) {GraphOpKind::E, name},
#include "cadre/compiler/graph_ops.def"
};
}  // namespace

std::string_view name(GraphOpKind kind) { return kGraphOps[static_cast<size_t>(kind)].name; }

std::optional<GraphOpKind> graph_op_from_name(std::string_view n) {
  for (const GraphOpInfo& i : kGraphOps)
    if (i.name == n) return i.kind;
  return std::nullopt;
}

uint64_t TensorType::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

uint64_t TensorType::bytes() const { return elements() * num::info(dtype).bytes; }

std::string_view name(Memory memory) { return memory == Memory::Scratchpad ? "scratchpad" : "accumulator"; }

uint64_t slot_stride(const BufferDecl& b) { return (b.bytes + 63) / 64 * 64; }

const char* spelling(Cmp cmp) {
  switch (cmp) {
    case Cmp::Eq: return "==";
    case Cmp::Ne: return "!=";
    case Cmp::Lt: return "<";
    case Cmp::Ge: return ">=";
    case Cmp::Gt: return ">";
    case Cmp::Le: return "<=";
  }
  return "";
}

const Expr* CommandStmt::field(std::string_view n) const {
  for (const Field& f : fields)
    if (f.name == n) return &f.value;
  return nullptr;
}

namespace {
template <class Vec>
auto find_named(Vec& v, std::string_view n) -> decltype(&v.front()) {
  for (auto& x : v)
    if (x.name == n) return &x;
  return nullptr;
}
}  // namespace

const HbmDecl* Program::tensor(std::string_view n) const { return find_named(tensors, n); }
const BufferDecl* Program::buffer(std::string_view n) const { return find_named(buffers, n); }
const SemDecl* Program::semaphore(std::string_view n) const { return find_named(semaphores, n); }
HbmDecl* Program::tensor(std::string_view n) { return find_named(tensors, n); }
BufferDecl* Program::buffer(std::string_view n) { return find_named(buffers, n); }
SemDecl* Program::semaphore(std::string_view n) { return find_named(semaphores, n); }

}  // namespace cadre::compiler
