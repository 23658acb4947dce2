// The register operands of the Xcadre instructions as typed structs, one per
// layout of xcadre_layouts.def and made from that table: a uint64_t member per
// field, its bit range as the constant <field>_field, decode() to read a
// register and encode() to build one. A misspelt field is a compile error.
// A layout without fields (None) is an empty struct.
//
//   const auto t = isa::operands::Transfer::decode(rs2);   // t.local, t.rows, t.row_bytes
//   const uint64_t reg = isa::operands::Transfer{.local = a, .rows = 4, .row_bytes = 64}.encode();
#pragma once

#include <cstdint>

#include "cadre/isa/xcadre.h"

namespace cadre::isa::operands {
namespace detail {

// Throws std::out_of_range naming the layout, the field and the value.
[[noreturn]] void throw_does_not_fit(Layout layout, const Field& field, uint64_t value);

// `value` shifted to its field of a register.
inline uint64_t place(Layout layout, const Field& field, uint64_t value) {
  if (field.width < 64 && value >> field.width != 0) throw_does_not_fit(layout, field, value);
  return value << field.lsb;
}

}  // namespace detail

// Each struct: kLayout, then per field its Field constant and its value.
#define XCADRE_FIELD(name, lsb, width)                      \
  static constexpr Field name##_field{#name, lsb, width}; \
  uint64_t name = 0;
#define XCADRE_LAYOUT(E, meaning, ...)                                          \
  struct E {                                                                    \
    static constexpr Layout kLayout = Layout::E;                                \
    __VA_ARGS__                                                                 \
    /* Unchecked extraction of every field. */                                  \
    static constexpr E decode(uint64_t reg);                                    \
    /* The register; throws std::out_of_range when a value does not fit. */    \
    uint64_t encode() const;                                                    \
    /* f(const Field&, uint64_t) or f(const Field&, uint64_t&), fields in */   \
    /* table order. */                                                          \
    template <class F>                                                          \
    constexpr void for_each_field(F&& f) const;                                 \
    template <class F>                                                          \
    constexpr void for_each_field(F&& f);                                       \
    bool operator==(const E&) const = default;                                  \
  };
#include "cadre/isa/xcadre_layouts.def"

#define XCADRE_FIELD(name, lsb, width) out.name = bits(reg, name##_field);
#define XCADRE_LAYOUT(E, meaning, ...)                          \
  constexpr E E::decode([[maybe_unused]] uint64_t reg) {        \
    E out;                                                      \
    __VA_ARGS__                                                 \
    return out;                                                 \
  }
#include "cadre/isa/xcadre_layouts.def"

#define XCADRE_FIELD(name, lsb, width) reg |= detail::place(kLayout, name##_field, name);
#define XCADRE_LAYOUT(E, meaning, ...) \
  inline uint64_t E::encode() const {  \
    uint64_t reg = 0;                  \
    __VA_ARGS__                        \
    return reg;                        \
  }
#include "cadre/isa/xcadre_layouts.def"

#define XCADRE_FIELD(name, lsb, width) f(name##_field, name);
#define XCADRE_LAYOUT(E, meaning, ...)                                   \
  template <class F>                                                     \
  constexpr void E::for_each_field([[maybe_unused]] F&& f) const {       \
    __VA_ARGS__                                                          \
  }                                                                      \
  template <class F>                                                     \
  constexpr void E::for_each_field([[maybe_unused]] F&& f) {             \
    __VA_ARGS__                                                          \
  }
#include "cadre/isa/xcadre_layouts.def"

}  // namespace cadre::isa::operands
