// Cadre's IR: one module holds a layer at two levels, both plain data that
// print and parse back identically (ir_text.h).
//
// - The graph: the kernels of one MoE layer (graph_ops.def) on typed tensors,
//   as the frontend builds it from a model config; graph passes quantise and
//   fuse it and choose its tiling.
// - The tile program: what every tile of the chip runs. HBM tensors, local
//   buffers and semaphores are declared; the body is structured control code
//   (loops, conditions, scalars, loads and stores of the control core,
//   barriers) around Xcadre commands whose operand fields are expressions.
//   Lowering passes move graph ops into it; tile passes distribute, buffer,
//   allocate and schedule it; the code generator turns it into RISC-V.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cadre/compiler/expr.h"
#include "cadre/isa/xcadre.h"
#include "cadre/model/kernels.h"
#include "cadre/numerics/format.h"

namespace cadre::compiler {

// --- Attributes: `{key = value, ...}` on modules, ops, loops and declarations.

using AttrValue = std::variant<int64_t, double, std::string>;
struct Attr {
  std::string key;
  AttrValue value;
  bool operator==(const Attr&) const = default;
};
struct Attrs {
  std::vector<Attr> items;  // in the order they were set
  const AttrValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Typed reads; a missing key or a value of another type throws IrError.
  int64_t get_int(std::string_view key) const;
  double get_float(std::string_view key) const;  // an integer reads as a float too
  const std::string& get_string(std::string_view key) const;
  int64_t get_int(std::string_view key, int64_t fallback) const;
  std::string get_string(std::string_view key, std::string_view fallback) const;
  void set(std::string key, AttrValue value);  // replaces a key's value in place, or appends
  void erase(std::string_view key);
  bool operator==(const Attrs&) const = default;
};

// An error in an IR module (a verifier finding, a bad attribute, a pass that
// cannot apply); the message names the op, line or symbol.
class IrError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- Graph level.

enum class GraphOpKind : uint8_t {
#define GRAPH_OP(E, name, summary) E,
#include "cadre/compiler/graph_ops.def"
};
std::string_view name(GraphOpKind kind);
std::optional<GraphOpKind> graph_op_from_name(std::string_view name);

struct TensorType {
  num::Format dtype = num::Format::FP32;
  std::vector<uint64_t> shape;
  uint64_t elements() const;
  uint64_t bytes() const;
  bool operator==(const TensorType&) const = default;
};

struct GraphValue {
  std::string name;  // without the %
  TensorType type;
  bool operator==(const GraphValue&) const = default;
};

struct GraphOp {
  GraphOpKind kind = GraphOpKind::Param;
  std::vector<GraphValue> results;
  std::vector<std::string> operands;  // value names
  Attrs attrs;
  int line = 0;  // where the parser found it (0: made by a pass)
  bool operator==(const GraphOp& o) const { return kind == o.kind && results == o.results && operands == o.operands && attrs == o.attrs; }
};

struct Graph {
  std::vector<GraphOp> ops;
  std::vector<std::string> outputs;  // `return(...)`
  bool operator==(const Graph&) const = default;
};

// --- Tile level.

enum class Memory : uint8_t { Scratchpad, Accumulator };
std::string_view name(Memory memory);

// A tensor in HBM. The runtime finds it by name and role (the argument block,
// docs/compiler.md); `address` is set by the allocate pass.
struct HbmDecl {
  std::string name;
  TensorType type;
  Attrs attrs;  // role, io = input | weight | output | scratch
  std::optional<uint64_t> address;
  bool operator==(const HbmDecl&) const = default;
};

// A buffer in a tile's local memory, `slots` copies of `bytes` each.
struct BufferDecl {
  std::string name;
  Memory memory = Memory::Scratchpad;
  uint64_t bytes = 0;
  uint32_t slots = 1;
  Attrs attrs;  // full/empty (semaphores guarding a streamed buffer), counter
  std::optional<uint64_t> address;  // local address of slot 0
  bool operator==(const BufferDecl&) const = default;
};
// Slots start on 64-byte boundaries.
uint64_t slot_stride(const BufferDecl& b);

struct SemDecl {
  std::string name;
  uint32_t slots = 1;
  std::optional<uint32_t> number;  // of slot 0, set by the allocate pass
  bool operator==(const SemDecl&) const = default;
};

enum class Cmp : uint8_t { Eq, Ne, Lt, Ge, Gt, Le };
const char* spelling(Cmp cmp);

struct Stmt;
using Block = std::vector<Stmt>;

struct ForStmt {
  std::string var;
  Expr lo, hi, step;  // var = lo; while var < hi (signed); var += step (positive; read once, at entry)
  Attrs attrs;        // parallel = experts | tokens | columns (split over tiles by distribute)
  Block body;
  bool operator==(const ForStmt&) const = default;
};
struct IfStmt {
  Expr lhs;
  Cmp cmp = Cmp::Ne;
  Expr rhs;
  Block then_body, else_body;
  bool operator==(const IfStmt&) const = default;
};
// `let %x = e` (immutable) or `var %x = e` (mutable, changed by `set`).
struct LetStmt {
  std::string var;
  Expr value;
  bool is_mutable = false;
  bool operator==(const LetStmt&) const = default;
};
struct SetStmt {
  std::string var;
  Expr value;
  bool operator==(const SetStmt&) const = default;
};
// A load or store of the control core: `let %x = load.w addr`, `store.d addr, value`.
enum class Width : uint8_t { Word, Double };  // 32 bits (sign-extended), 64 bits
struct LoadStmt {
  std::string var;
  Width width = Width::Word;
  Expr address;
  bool operator==(const LoadStmt&) const = default;
};
struct StoreStmt {
  Width width = Width::Word;
  Expr address, value;
  bool operator==(const StoreStmt&) const = default;
};
// Every tile waits here until all tiles arrive (queues drained first).
struct BarrierStmt {
  bool operator==(const BarrierStmt&) const = default;
};
// `kernel NAME`: the commands after it in program order, up to the next
// kernel statement, belong to the layer's kernel NAME (model/kernels.def).
// The code generator writes the kernel's tag (kernel_tags.h) into the command
// tag CSR, so the simulator counts each kernel's work apart.
struct KernelStmt {
  model::Kernel kernel = model::Kernel::RouterGemm;
  bool operator==(const KernelStmt&) const = default;
};
// One Xcadre instruction; its operand fields by the names of xcadre_layouts.def.
struct Field {
  std::string name;
  Expr value;
  bool operator==(const Field&) const = default;
};
struct CommandStmt {
  isa::Op op = isa::Op::Fence;
  std::vector<Field> fields;  // rs1's fields, then rs2's, in table order
  std::string result;         // the value rd defines (cx.status), else empty
  const Expr* field(std::string_view name) const;
  bool operator==(const CommandStmt&) const = default;
};

struct Stmt {
  std::variant<ForStmt, IfStmt, LetStmt, SetStmt, LoadStmt, StoreStmt, BarrierStmt, KernelStmt, CommandStmt> node;
  int line = 0;
  bool operator==(const Stmt& o) const { return node == o.node; }
};

struct Program {
  std::vector<HbmDecl> tensors;
  std::vector<BufferDecl> buffers;
  std::vector<SemDecl> semaphores;
  Block body;
  const HbmDecl* tensor(std::string_view name) const;
  const BufferDecl* buffer(std::string_view name) const;
  const SemDecl* semaphore(std::string_view name) const;
  HbmDecl* tensor(std::string_view name);
  BufferDecl* buffer(std::string_view name);
  SemDecl* semaphore(std::string_view name);
  bool operator==(const Program&) const = default;
};

// Values every tile program starts with.
inline constexpr std::string_view kTileValue = "tile", kTilesValue = "tiles";

struct Module {
  std::string name;
  Attrs attrs;  // model, family, phase, tokens, precision, arch, ...
  std::optional<Graph> graph;
  std::optional<Program> program;
  bool operator==(const Module&) const = default;
};

}  // namespace cadre::compiler
