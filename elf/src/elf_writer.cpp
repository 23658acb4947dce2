#include "cadre/elf/elf_writer.h"

#include <elf.h>

#include <cstring>

namespace cadre::elf {
namespace {

constexpr uint64_t kPage = 0x1000;

uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

template <class T>
void put(std::vector<uint8_t>& out, uint64_t offset, const T& value) {
  if (out.size() < offset + sizeof(T)) out.resize(offset + sizeof(T));
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

void put_bytes(std::vector<uint8_t>& out, uint64_t offset, const std::vector<uint8_t>& bytes) {
  if (out.size() < offset + bytes.size()) out.resize(offset + bytes.size());
  if (!bytes.empty()) std::memcpy(out.data() + offset, bytes.data(), bytes.size());
}

// A string table: "\0name\0name\0...", offsets by insertion.
struct StringTable {
  std::vector<uint8_t> bytes{0};
  uint32_t add(const std::string& s) {
    const auto at = static_cast<uint32_t>(bytes.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    bytes.push_back(0);
    return at;
  }
};

}  // namespace

std::vector<uint8_t> write_elf(const ExecutableImage& image) {
  std::vector<uint8_t> out;
  StringTable shstr, str;

  // Sections: null, .text, data sections, .symtab, .strtab, .shstrtab.
  struct Section {
    Elf64_Shdr header{};
    std::vector<uint8_t> bytes;
  };
  std::vector<Section> sections(1);
  Section text;
  text.header.sh_name = shstr.add(image.text.name.empty() ? ".text" : image.text.name);
  text.header.sh_type = SHT_PROGBITS;
  text.header.sh_flags = SHF_ALLOC | SHF_EXECINSTR;
  text.header.sh_addr = image.text.address;
  text.header.sh_addralign = 4;
  text.bytes = image.text.bytes;
  sections.push_back(text);
  for (const DataSection& d : image.data_sections) {
    Section s;
    s.header.sh_name = shstr.add(d.name);
    s.header.sh_type = SHT_PROGBITS;
    s.header.sh_addralign = 1;
    s.bytes = d.bytes;
    sections.push_back(s);
  }
  Section symtab, strtab;
  symtab.header.sh_name = shstr.add(".symtab");
  symtab.header.sh_type = SHT_SYMTAB;
  symtab.header.sh_entsize = sizeof(Elf64_Sym);
  symtab.header.sh_addralign = 8;
  symtab.header.sh_info = 1;  // index of the first non-local symbol
  const auto symtab_index = static_cast<uint32_t>(sections.size());
  symtab.header.sh_link = symtab_index + 1;
  symtab.bytes.resize(sizeof(Elf64_Sym));  // the null symbol
  for (const Symbol& sym : image.symbols) {
    Elf64_Sym e{};
    e.st_name = str.add(sym.name);
    const unsigned char type = sym.type == SymbolType::Func ? STT_FUNC : sym.type == SymbolType::Object ? STT_OBJECT : STT_NOTYPE;
    e.st_info = static_cast<unsigned char>(ELF64_ST_INFO(STB_GLOBAL, type));
    e.st_shndx = static_cast<uint16_t>(sym.type == SymbolType::Func ? 1 : SHN_ABS);
    e.st_value = sym.value;
    e.st_size = sym.size;
    const size_t at = symtab.bytes.size();
    symtab.bytes.resize(at + sizeof e);
    std::memcpy(symtab.bytes.data() + at, &e, sizeof e);
  }
  sections.push_back(symtab);
  strtab.header.sh_name = shstr.add(".strtab");
  strtab.header.sh_type = SHT_STRTAB;
  strtab.header.sh_addralign = 1;
  strtab.bytes = str.bytes;
  sections.push_back(strtab);
  Section shstrtab;
  shstrtab.header.sh_name = shstr.add(".shstrtab");
  shstrtab.header.sh_type = SHT_STRTAB;
  shstrtab.header.sh_addralign = 1;
  shstrtab.bytes = shstr.bytes;
  const auto shstrndx = static_cast<uint16_t>(sections.size());
  sections.push_back(shstrtab);

  // Layout: headers, the code on a page boundary (p_offset = p_vaddr mod page), the rest after it.
  uint64_t offset = align(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), kPage);
  for (size_t i = 1; i < sections.size(); ++i) {
    Section& s = sections[i];
    const uint64_t a = std::max<uint64_t>(s.header.sh_addralign, 1);
    offset = i == 1 ? offset : align(offset, a);
    s.header.sh_offset = offset;
    s.header.sh_size = s.bytes.size();
    put_bytes(out, offset, s.bytes);
    offset += s.bytes.size();
  }
  const uint64_t shoff = align(offset, 8);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_version = EV_CURRENT;
  eh.e_entry = image.entry;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_shoff = shoff;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = static_cast<uint16_t>(sections.size());
  eh.e_shstrndx = shstrndx;
  put(out, 0, eh);

  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_offset = sections[1].header.sh_offset;
  ph.p_vaddr = ph.p_paddr = image.text.address;
  ph.p_filesz = ph.p_memsz = image.text.bytes.size();
  ph.p_align = kPage;
  put(out, sizeof(Elf64_Ehdr), ph);

  for (size_t i = 0; i < sections.size(); ++i) put(out, shoff + i * sizeof(Elf64_Shdr), sections[i].header);
  return out;
}

}  // namespace cadre::elf
