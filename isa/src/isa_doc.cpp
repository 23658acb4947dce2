#include <cctype>
#include "cadre/isa/isa_doc.h"

#include <fmt/format.h>

#include "cadre/isa/xcadre.h"

namespace cadre::isa {
namespace {

std::string layout_link(Layout l) {
  if (l == Layout::None) return "-";
  const std::string_view n = info(l).name;
  std::string anchor(n);
  for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return fmt::format("[{}](#layout-{})", n, anchor);
}

}  // namespace

std::string instruction_reference_markdown() {
  std::string md;
  md += "| mnemonic | major | funct3 | funct7 | queue | unit | rd | rs1 | rs2 | does |\n";
  md += "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const InsnInfo& i : xcadre_table())
    md += fmt::format("| `{}` | {} (0x{:02X}) | {} | {} | {} | {} | {} | {} | {} | {} |\n", i.mnemonic,
                      name(i.major), static_cast<int>(i.major), i.funct3, i.funct7, name(i.queue), name(i.unit),
                      layout_link(i.rd), layout_link(i.rs1), layout_link(i.rs2), i.summary);
  md += "\n### Operand layouts\n\n";
  md += "Bit ranges of the 64-bit register an operand is packed into (lsb first).\n";
  for (const LayoutInfo& l : layout_table()) {
    if (l.layout == Layout::None) continue;
    std::string anchor(l.name);
    for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    md += fmt::format("\n<a id=\"layout-{}\"></a>**{}**: {}.\n\n", anchor, l.name, l.meaning);
    md += "| field | bits |\n| --- | --- |\n";
    for (const Field& f : l.fields)
      md += fmt::format("| `{}` | {}..{} |\n", f.name, f.lsb + f.width - 1, f.lsb);
  }
  md += "\n### Status words\n\n";
  md += "What `cx.status` reads, by the selector in rs1.\n\n";
  md += "| selector | name | value |\n| --- | --- | --- |\n";
  for (const StatusInfo& s : status_table())
    md += fmt::format("| 0x{:02X} | {} | {} |\n", s.selector, s.name, s.meaning);
  return md;
}

}  // namespace cadre::isa
