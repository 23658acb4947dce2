// The C header of the Xcadre instructions for programs on the control core
// (runtime/sdk/cadre_xcadre.h), made from the ISA tables.
#pragma once

#include <string>

namespace cadre::isa {

// One static inline function per instruction (`.insn r` with the table's
// encoding), one packing function per operand layout, the element format
// codes and the cx.status selectors.
std::string sdk_c_header();

}  // namespace cadre::isa
