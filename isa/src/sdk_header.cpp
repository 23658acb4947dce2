#include "cadre/isa/sdk_header.h"

#include <fmt/format.h>

#include <cctype>

#include "cadre/isa/xcadre.h"
#include "cadre/numerics/format.h"

namespace cadre::isa {
namespace {

// "TileWithScales" -> "tile_with_scales"
std::string snake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      if (i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// "cvec.silumul.q" -> "cvec_silumul_q"
std::string c_name(std::string_view mnemonic) {
  std::string out(mnemonic);
  for (char& c : out)
    if (c == '.') c = '_';
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

uint32_t major_opcode(Major m) {
  // The custom major opcodes of the RISC-V base encoding.
  switch (m) {
    case Major::Custom0: return 0x0B;
    case Major::Custom1: return 0x2B;
    case Major::Custom2: return 0x5B;
    case Major::Custom3: return 0x7B;
  }
  return 0;
}

std::string layout_packer(const LayoutInfo& l) {
  std::string params, body;
  for (const Field& f : l.fields) {
    params += fmt::format("{}uint64_t {}", params.empty() ? "" : ", ", f.name);
    const std::string mask = f.width == 64 ? "~0ull" : fmt::format("{:#x}ull", (uint64_t{1} << f.width) - 1);
    body += fmt::format("{}(({} & {}) << {})", body.empty() ? "" : " | ", f.name, mask, f.lsb);
  }
  std::string out = fmt::format("/* {}: {}. */\n", l.name, l.meaning);
  out += fmt::format("static inline uint64_t cx_{}({}) {{ return {}; }}\n", snake(l.name), params, body);
  return out;
}

std::string insn_wrapper(const InsnInfo& i) {
  const bool has_rd = i.rd != Layout::None, has_rs1 = i.rs1 != Layout::None, has_rs2 = i.rs2 != Layout::None;
  std::string params;
  if (has_rs1) params += fmt::format("uint64_t {}", snake(info(i.rs1).name));
  if (has_rs2) params += fmt::format("{}uint64_t {}", params.empty() ? "" : ", ", snake(info(i.rs2).name));
  if (params.empty()) params = "void";
  // Operand numbers: the output (if any) first, then the inputs in order.
  int next = has_rd ? 1 : 0;
  const std::string rs1 = has_rs1 ? fmt::format("%{}", next++) : "x0";
  const std::string rs2 = has_rs2 ? fmt::format("%{}", next++) : "x0";
  std::string inputs;
  if (has_rs1) inputs += fmt::format("\"r\"({})", snake(info(i.rs1).name));
  if (has_rs2) inputs += fmt::format("{}\"r\"({})", inputs.empty() ? "" : ", ", snake(info(i.rs2).name));
  const std::string insn =
      fmt::format(".insn r {:#04x}, {}, {}, {}, {}, {}", major_opcode(i.major), i.funct3, i.funct7,
                  has_rd ? "%0" : "x0", rs1, rs2);
  std::string out = fmt::format("/* {} ({} queue): {}. */\n", i.mnemonic, name(i.queue), i.summary);
  if (has_rd) {
    out += fmt::format("static inline uint64_t {}({}) {{\n  uint64_t rd;\n", c_name(i.mnemonic), params);
    out += fmt::format("  __asm__ volatile(\"{}\" : \"=r\"(rd) : {} : \"memory\");\n  return rd;\n}}\n", insn, inputs);
  } else {
    out += fmt::format("static inline void {}({}) {{\n", c_name(i.mnemonic), params);
    out += fmt::format("  __asm__ volatile(\"{}\" : : {} : \"memory\");\n}}\n", insn, inputs);
  }
  return out;
}

}  // namespace

std::string sdk_c_header() {
  std::string out =
      "/* The Xcadre instructions for C programs on a Cadre tile's control core.\n"
      "   Generated from isa/include/cadre/isa/xcadre*.def by gen_sdk_header: do not\n"
      "   edit; `cmake --build --preset release --target sdk-header` rewrites it and\n"
      "   the test sdk_header_current fails while it is stale. Semantics:\n"
      "   docs/isa.md. Each cx_<layout>() packs one register operand (fields are\n"
      "   masked to their width); each instruction is a function named after its\n"
      "   mnemonic, dots as underscores. */\n"
      "#ifndef CADRE_XCADRE_H\n#define CADRE_XCADRE_H\n\n#include <stdint.h>\n\n"
      "/* Element format codes (operand fields named *_fmt). */\n";
  for (const num::FormatInfo& f : num::kFormats) out += fmt::format("#define CX_FMT_{} {}\n", upper(f.name), f.code);
  out += "\n/* cx.status selectors (add the queue or semaphore number where the meaning says so). */\n";
  for (const StatusInfo& s : status_table())
    out += fmt::format("#define CX_STATUS_{} {:#04x} /* {} */\n", upper(snake(s.name)), s.selector, s.meaning);
  out += "\n";
  for (const LayoutInfo& l : layout_table())
    if (!l.fields.empty() && l.layout != Layout::Value) out += layout_packer(l);
  out += "\n";
  for (const InsnInfo& i : xcadre_table()) out += insn_wrapper(i);
  out += "\n#endif\n";
  return out;
}

}  // namespace cadre::isa
