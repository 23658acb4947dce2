// The Xcadre custom instructions as plain data (from xcadre.def and
// xcadre_layouts.def), with their encoder and decoder.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cadre::isa {

// RISC-V major opcodes reserved for custom extensions.
enum class Major : uint8_t { Custom0 = 0x0B, Custom1 = 0x2B, Custom2 = 0x5B, Custom3 = 0x7B };

// Where a command goes: the three decoupled queues, or the command interface
// itself (the core waits until it is done).
enum class Queue : uint8_t { Load, Compute, Store, Core };
inline constexpr int kQueueCount = 3;  // Load, Compute, Store are queues; Core is not

// The command tag: a read/write CSR of the control core whose value every
// Xcadre command carries into its queue and unit, so that a unit's work is
// counted per tag (docs/isa.md, "The command tag"). Compiled layers write the
// kernel each command belongs to. Tags 0 to kTagCount - 1; 0 at reset.
inline constexpr uint16_t kTagCsr = 0x800;
inline constexpr uint32_t kTagCount = 64;

// What carries a command out: the load queue's DMA, the matrix engine, the
// vector unit, the store queue's DMA, or the queues and the command interface
// themselves (semaphores, fences, status).
enum class Unit : uint8_t { DmaIn, Matrix, Vector, DmaOut, Sync };

enum class Layout : uint8_t {
#define XCADRE_FIELD(...)
#define XCADRE_LAYOUT(E, ...) E,
#include "cadre/isa/xcadre_layouts.def"
};

struct Field {
  std::string_view name;
  uint8_t lsb;
  uint8_t width;
};

struct LayoutInfo {
  Layout layout;
  std::string_view name;
  std::string_view meaning;
  std::span<const Field> fields;
};

enum class Op : uint8_t {
#define XCADRE_INSN(E, ...) E,
#include "cadre/isa/xcadre.def"
};

struct InsnInfo {
  Op op;
  std::string_view mnemonic;
  Major major;
  uint8_t funct3;
  uint8_t funct7;
  Queue queue;
  Unit unit;
  Layout rd, rs1, rs2;
  std::string_view summary;
};

std::span<const InsnInfo> xcadre_table();
std::span<const LayoutInfo> layout_table();
const InsnInfo& info(Op op);
const LayoutInfo& info(Layout layout);
std::string_view name(Queue queue);
std::string_view name(Unit unit);
std::string_view name(Major major);
std::optional<Op> op_from_mnemonic(std::string_view mnemonic);

// One decoded Xcadre instruction: the operation and its register numbers.
struct XcadreInsn {
  Op op;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;
  bool operator==(const XcadreInsn&) const = default;
};

uint32_t encode(const XcadreInsn& insn);

// A decode either names the instruction or says why the word is not one.
struct XcadreDecode {
  std::optional<XcadreInsn> insn;
  std::string error;  // empty when insn is set
};

bool is_custom_major(uint32_t word);
XcadreDecode decode_xcadre(uint32_t word);

// The value of field `f` in a register, unchecked. Typed operands:
// xcadre_operands.h.
constexpr uint64_t bits(uint64_t reg, const Field& f) {
  return f.width == 64 ? reg : (reg >> f.lsb) & ((uint64_t{1} << f.width) - 1);
}

// Status words read by cx.status (xcadre_status.def).
enum class StatusWord : uint8_t {
#define XCADRE_STATUS(E, selector, meaning) E = (selector),
#include "cadre/isa/xcadre_status.def"
};
struct StatusInfo {
  StatusWord word;
  std::string_view name;
  uint16_t selector;
  std::string_view meaning;
};
std::span<const StatusInfo> status_table();

// "cdma.ld a0, a1" style text; register names are ABI names.
std::string disassemble(const XcadreInsn& insn);

}  // namespace cadre::isa
