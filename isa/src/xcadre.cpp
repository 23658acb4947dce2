#include "cadre/isa/xcadre.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cadre/isa/registers.h"
#include "cadre/isa/xcadre_operands.h"

namespace cadre::isa {
namespace {

// One array of fields per layout, named after the layout.
#define XCADRE_FIELD(n, lsb, width) Field{#n, lsb, width},
#define XCADRE_LAYOUT(E, meaning, ...) constexpr Field k##E##Fields[] = {Field{"", 0, 0}, __VA_ARGS__};
#include "cadre/isa/xcadre_layouts.def"

// The leading empty field above lets a layout have no fields; drop it here.
#define XCADRE_FIELD(...)
#define XCADRE_LAYOUT(E, meaning, ...) \
  LayoutInfo{Layout::E, #E, meaning, std::span<const Field>(k##E##Fields).subspan(1)},
constexpr LayoutInfo kLayouts[] = {
#include "cadre/isa/xcadre_layouts.def"
};

constexpr InsnInfo kInsns[] = {
#define XCADRE_INSN(E, mn, major, f3, f7, queue, unit, rd, rs1, rs2, summary) \
  {Op::E, mn, Major::major, f3, f7, Queue::queue, Unit::unit, Layout::rd, Layout::rs1, Layout::rs2, summary},
#include "cadre/isa/xcadre.def"
};

constexpr StatusInfo kStatusWords[] = {
#define XCADRE_STATUS(E, selector, meaning) {StatusWord::E, #E, selector, meaning},
#include "cadre/isa/xcadre_status.def"
};

// Table invariants, checked when the table is compiled rather than at run time.
constexpr bool encodings_are_unique() {
  for (size_t i = 0; i < std::size(kInsns); ++i) {
    if (kInsns[i].funct3 > 7 || kInsns[i].funct7 > 127) return false;
    if (static_cast<size_t>(kInsns[i].op) != i) return false;
    for (size_t j = i + 1; j < std::size(kInsns); ++j)
      if (kInsns[i].major == kInsns[j].major && kInsns[i].funct3 == kInsns[j].funct3 &&
          kInsns[i].funct7 == kInsns[j].funct7)
        return false;
  }
  return true;
}
static_assert(encodings_are_unique(), "xcadre.def: two entries share (major, funct3, funct7)");

constexpr bool fields_fit() {
  for (const LayoutInfo& l : kLayouts) {
    uint64_t used = 0;
    for (const Field& f : l.fields) {
      if (f.width == 0 || f.lsb + f.width > 64) return false;
      const uint64_t mask = f.width == 64 ? ~uint64_t{0} : ((uint64_t{1} << f.width) - 1) << f.lsb;
      if (used & mask) return false;  // overlapping fields
      used |= mask;
    }
  }
  return true;
}
static_assert(fields_fit(), "xcadre_layouts.def: a field does not fit its register");

// A unit serves one queue: the DMA units their own, the matrix engine and the
// vector unit the compute queue; Sync commands go to every queue and the core.
constexpr bool units_match_queues() {
  for (const InsnInfo& i : kInsns) {
    const bool ok = i.unit == Unit::Sync || (i.unit == Unit::DmaIn && i.queue == Queue::Load) ||
                    (i.unit == Unit::DmaOut && i.queue == Queue::Store) ||
                    ((i.unit == Unit::Matrix || i.unit == Unit::Vector) && i.queue == Queue::Compute);
    if (!ok) return false;
  }
  return true;
}
static_assert(units_match_queues(), "xcadre.def: a unit column does not match its queue");

}  // namespace

std::span<const InsnInfo> xcadre_table() { return kInsns; }
std::span<const LayoutInfo> layout_table() { return kLayouts; }
std::span<const StatusInfo> status_table() { return kStatusWords; }
const InsnInfo& info(Op op) { return kInsns[static_cast<size_t>(op)]; }
const LayoutInfo& info(Layout layout) { return kLayouts[static_cast<size_t>(layout)]; }

std::string_view name(Queue queue) {
  switch (queue) {
    case Queue::Load: return "load";
    case Queue::Compute: return "compute";
    case Queue::Store: return "store";
    case Queue::Core: return "core";
  }
  return "?";
}

std::string_view name(Unit unit) {
  switch (unit) {
    case Unit::DmaIn: return "dma-in";
    case Unit::Matrix: return "matrix";
    case Unit::Vector: return "vector";
    case Unit::DmaOut: return "dma-out";
    case Unit::Sync: return "sync";
  }
  return "?";
}

std::string_view name(Major major) {
  switch (major) {
    case Major::Custom0: return "custom-0";
    case Major::Custom1: return "custom-1";
    case Major::Custom2: return "custom-2";
    case Major::Custom3: return "custom-3";
  }
  return "?";
}

std::optional<Op> op_from_mnemonic(std::string_view mnemonic) {
  for (const InsnInfo& i : kInsns)
    if (i.mnemonic == mnemonic) return i.op;
  return std::nullopt;
}

uint32_t encode(const XcadreInsn& insn) {
  const InsnInfo& i = info(insn.op);
  return static_cast<uint32_t>(i.funct7) << 25 | static_cast<uint32_t>(insn.rs2 & 31) << 20 |
         static_cast<uint32_t>(insn.rs1 & 31) << 15 | static_cast<uint32_t>(i.funct3) << 12 |
         static_cast<uint32_t>(insn.rd & 31) << 7 | static_cast<uint32_t>(i.major);
}

bool is_custom_major(uint32_t word) {
  const uint32_t major = word & 0x7F;
  return major == 0x0B || major == 0x2B || major == 0x5B || major == 0x7B;
}

XcadreDecode decode_xcadre(uint32_t word) {
  if (!is_custom_major(word))
    return {std::nullopt, fmt::format("0x{:08x} is not in a custom major opcode", word)};
  const auto major = static_cast<Major>(word & 0x7F);
  const auto funct3 = static_cast<uint8_t>((word >> 12) & 7);
  const auto funct7 = static_cast<uint8_t>((word >> 25) & 127);
  const XcadreInsn insn{Op{}, static_cast<uint8_t>((word >> 7) & 31),
                        static_cast<uint8_t>((word >> 15) & 31), static_cast<uint8_t>((word >> 20) & 31)};
  for (const InsnInfo& i : kInsns) {
    if (i.major != major || i.funct3 != funct3 || i.funct7 != funct7) continue;
    const auto unused_nonzero = [](Layout l, uint8_t reg) { return l == Layout::None && reg != 0; };
    if (unused_nonzero(i.rd, insn.rd) || unused_nonzero(i.rs1, insn.rs1) || unused_nonzero(i.rs2, insn.rs2))
      return {std::nullopt,
              fmt::format("0x{:08x} is {} with a register in an unused field (must be x0)", word, i.mnemonic)};
    XcadreInsn found = insn;
    found.op = i.op;
    return {found, {}};
  }
  return {std::nullopt, fmt::format("0x{:08x}: no Xcadre instruction has {} funct3={} funct7={}", word,
                                    name(major), funct3, funct7)};
}

namespace operands::detail {

void throw_does_not_fit(Layout layout, const Field& field, uint64_t value) {
  throw std::out_of_range(fmt::format("{} operand: value {} does not fit field {} ({} bits)", info(layout).name,
                                      value, field.name, field.width));
}

}  // namespace operands::detail

std::string disassemble(const XcadreInsn& insn) {
  const InsnInfo& i = info(insn.op);
  std::string text(i.mnemonic);
  const char* sep = " ";
  const auto operand = [&](Layout l, uint8_t reg) {
    if (l == Layout::None) return;
    text += sep;
    text += register_name(reg);
    sep = ", ";
  };
  operand(i.rd, insn.rd);
  operand(i.rs1, insn.rs1);
  operand(i.rs2, insn.rs2);
  return text;
}

}  // namespace cadre::isa
