#include "cadre/elf/elf_program.h"

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include "cadre/common/read_file.h"

namespace cadre::elf {
namespace {

// [offset, offset + size) lies inside a file of file_size bytes; written so
// that offset + size cannot overflow.
bool in_file(uint64_t offset, uint64_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

bool wraps(uint64_t start, uint64_t size) { return size > ~uint64_t{0} - start; }

SymbolType symbol_type(unsigned char info) {
  switch (ELF64_ST_TYPE(info)) {
    case STT_NOTYPE: return SymbolType::NoType;
    case STT_OBJECT: return SymbolType::Object;
    case STT_FUNC: return SymbolType::Func;
    case STT_SECTION: return SymbolType::Section;
    case STT_FILE: return SymbolType::File;
    default: return SymbolType::Other;
  }
}

// One parse: libelf reads the structures (byte order, string tables), and each
// value is checked here before it is used, against the file's real size.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, std::string_view name)
      : image_(bytes.begin(), bytes.end()), name_(name) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() {
    if (elf_) elf_end(elf_);
  }

  Program read() {
    check_ident();
    // elf_version must be called once before any other libelf call.
    static const unsigned version = elf_version(EV_CURRENT);
    if (version == EV_NONE) fail("libelf: {}", elf_errmsg(-1));
    elf_ = elf_memory(image_.data(), image_.size());
    if (!elf_) fail("libelf: {}", elf_errmsg(-1));
    Program program;
    const GElf_Ehdr eh = header();
    program.entry = eh.e_entry;
    read_segments(eh, program);
    read_sections(eh, program);
    return program;
  }

 private:
  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
    throw ElfError(fmt::format("{}: {}", name_, fmt::format(format, std::forward<Args>(args)...)));
  }

  uint64_t size() const { return image_.size(); }

  void check_ident() const {
    if (size() < SELFMAG || std::memcmp(image_.data(), ELFMAG, SELFMAG) != 0)
      fail("not an ELF file (no \\x7fELF magic at offset 0)");
    if (size() < sizeof(Elf64_Ehdr))
      fail("truncated ELF header: the file has {} bytes, the header needs {}", size(), sizeof(Elf64_Ehdr));
    const auto ident = [&](int i) { return static_cast<unsigned char>(image_[static_cast<size_t>(i)]); };
    if (ident(EI_CLASS) != ELFCLASS64) fail("ELF class {} is not ELFCLASS64 (a 32-bit or unknown ELF)", ident(EI_CLASS));
    if (ident(EI_DATA) != ELFDATA2LSB) fail("ELF data encoding {} is not little endian", ident(EI_DATA));
    if (ident(EI_VERSION) != EV_CURRENT) fail("ELF version {} is not EV_CURRENT", ident(EI_VERSION));
  }

  // libelf hands out pointers into the file where it can, unaligned when the
  // file says so; the gelf_ calls copy into aligned structures instead.
  GElf_Ehdr header() const {
    GElf_Ehdr header;
    if (!gelf_getehdr(elf_, &header)) fail("ELF header: {}", elf_errmsg(-1));
    const GElf_Ehdr* eh = &header;
    if (eh->e_type != ET_EXEC)
      fail("e_type {} is not ET_EXEC (only linked executables are loaded, not objects or shared libraries)",
           eh->e_type);
    if (eh->e_machine != EM_RISCV) fail("e_machine {} is not EM_RISCV ({})", eh->e_machine, EM_RISCV);
    if (eh->e_ehsize != sizeof(Elf64_Ehdr)) fail("e_ehsize {} is not {}", eh->e_ehsize, sizeof(Elf64_Ehdr));
    if (eh->e_phnum == 0) fail("no program headers: nothing to load");
    if (eh->e_phnum == PN_XNUM) fail("extended program header numbering (e_phnum = 0xffff) is not supported");
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
      fail("e_phentsize {} is not {}", eh->e_phentsize, sizeof(Elf64_Phdr));
    const uint64_t ph_bytes = uint64_t{eh->e_phnum} * sizeof(Elf64_Phdr);
    if (!in_file(eh->e_phoff, ph_bytes, size()))
      fail("{} program headers [0x{:x}, +0x{:x}) extend past the end of the file (size 0x{:x})", eh->e_phnum,
           eh->e_phoff, ph_bytes, size());
    if (eh->e_shoff != 0) {
      if (eh->e_shnum == 0) fail("extended section numbering (e_shnum = 0) is not supported");
      if (eh->e_shentsize != sizeof(Elf64_Shdr))
        fail("e_shentsize {} is not {}", eh->e_shentsize, sizeof(Elf64_Shdr));
      const uint64_t sh_bytes = uint64_t{eh->e_shnum} * sizeof(Elf64_Shdr);
      if (!in_file(eh->e_shoff, sh_bytes, size()))
        fail("{} section headers [0x{:x}, +0x{:x}) extend past the end of the file (size 0x{:x})", eh->e_shnum,
             eh->e_shoff, sh_bytes, size());
      if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
        fail("section name table index {} is not a section (there are {})", eh->e_shstrndx, eh->e_shnum);
    }
    return header;
  }

  void read_segments(const GElf_Ehdr& eh, Program& program) const {
    std::vector<GElf_Phdr> ph(eh.e_phnum);
    for (size_t i = 0; i < ph.size(); ++i)
      if (!gelf_getphdr(elf_, static_cast<int>(i), &ph[i])) fail("program header {}: {}", i, elf_errmsg(-1));
    std::vector<size_t> loaded;  // program header numbers of the PT_LOAD segments
    for (size_t i = 0; i < ph.size(); ++i) {
      const GElf_Phdr& p = ph[i];
      if (p.p_type != PT_LOAD) continue;
      if (p.p_filesz > p.p_memsz)
        fail("program header {}: segment at 0x{:x} has file size 0x{:x} larger than its memory size 0x{:x}", i,
             p.p_vaddr, p.p_filesz, p.p_memsz);
      if (!in_file(p.p_offset, p.p_filesz, size()))
        fail("program header {}: segment [0x{:x}, +0x{:x}) at file offset 0x{:x} extends past the end of the "
             "file (size 0x{:x})",
             i, p.p_vaddr, p.p_filesz, p.p_offset, size());
      if (wraps(p.p_vaddr, p.p_memsz))
        fail("program header {}: segment [0x{:x}, +0x{:x}) wraps around the address space", i, p.p_vaddr,
             p.p_memsz);
      for (size_t j : loaded) {
        const GElf_Phdr& q = ph[j];
        if (p.p_vaddr < q.p_vaddr + q.p_memsz && q.p_vaddr < p.p_vaddr + p.p_memsz)
          fail("program header {}: segment [0x{:x}, +0x{:x}) overlaps program header {} [0x{:x}, +0x{:x})", i,
               p.p_vaddr, p.p_memsz, j, q.p_vaddr, q.p_memsz);
      }
      loaded.push_back(i);
      const auto* begin = reinterpret_cast<const uint8_t*>(image_.data()) + p.p_offset;
      program.segments.push_back({p.p_vaddr, p.p_memsz, std::vector<uint8_t>(begin, begin + p.p_filesz),
                                  static_cast<uint32_t>(p.p_flags & (PF_R | PF_W | PF_X))});
    }
    if (loaded.empty()) fail("no PT_LOAD segment: nothing to load");
    for (const Segment& s : program.segments)
      if ((s.flags & kSegmentExec) && program.entry >= s.vaddr && program.entry - s.vaddr < s.memsz) return;
    fail("entry point 0x{:x} is not inside an executable segment", program.entry);
  }

  void read_sections(const GElf_Ehdr& eh, Program& program) const {
    if (eh.e_shoff == 0) return;  // a stripped file: no symbols, code from the segments only
    for (size_t i = 1; i < eh.e_shnum; ++i) {
      Elf_Scn* scn = elf_getscn(elf_, i);
      GElf_Shdr shdr;
      if (!scn || !gelf_getshdr(scn, &shdr)) fail("section {}: {}", i, elf_errmsg(-1));
      const GElf_Shdr* sh = &shdr;
      const char* name = elf_strptr(elf_, eh.e_shstrndx, sh->sh_name);
      if (!name) fail("section {}: name offset 0x{:x} is outside the section name table", i, sh->sh_name);
      if (sh->sh_type != SHT_NOBITS && !in_file(sh->sh_offset, sh->sh_size, size()))
        fail("section {} ({}): contents [0x{:x}, +0x{:x}) extend past the end of the file (size 0x{:x})", i, name,
             sh->sh_offset, sh->sh_size, size());
      if (sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_ALLOC) && (sh->sh_flags & SHF_EXECINSTR)) {
        if (wraps(sh->sh_addr, sh->sh_size))
          fail("section {} ({}): [0x{:x}, +0x{:x}) wraps around the address space", i, name, sh->sh_addr,
               sh->sh_size);
        const auto* begin = reinterpret_cast<const uint8_t*>(image_.data()) + sh->sh_offset;
        program.code_sections.push_back({name, sh->sh_addr, std::vector<uint8_t>(begin, begin + sh->sh_size)});
      }
      if (sh->sh_type == SHT_PROGBITS && !(sh->sh_flags & SHF_ALLOC)) {
        const auto* begin = reinterpret_cast<const uint8_t*>(image_.data()) + sh->sh_offset;
        program.data_sections.push_back({name, std::vector<uint8_t>(begin, begin + sh->sh_size)});
      }
      if (sh->sh_type == SHT_SYMTAB) read_symbols(eh, i, name, scn, *sh, program);
    }
  }

  void read_symbols(const GElf_Ehdr& eh, size_t index, const char* name, Elf_Scn* scn, const GElf_Shdr& sh,
                    Program& program) const {
    if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_size % sizeof(Elf64_Sym) != 0)
      fail("section {} ({}): symbol table of 0x{:x} bytes is not a whole number of {}-byte entries (entsize {})",
           index, name, sh.sh_size, sizeof(Elf64_Sym), sh.sh_entsize);
    if (sh.sh_link == SHN_UNDEF || sh.sh_link >= eh.e_shnum)
      fail("section {} ({}): string table index {} is not a section", index, name, sh.sh_link);
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || data->d_size != sh.sh_size) fail("section {} ({}): {}", index, name, elf_errmsg(-1));
    const size_t count = sh.sh_size / sizeof(Elf64_Sym);
    for (size_t k = 1; k < count; ++k) {  // entry 0 is the null symbol
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(k), &sym)) fail("symbol {}: {}", k, elf_errmsg(-1));
      const char* sym_name = elf_strptr(elf_, sh.sh_link, sym.st_name);
      if (!sym_name)
        fail("symbol {}: name offset 0x{:x} is outside string table section {}", k, sym.st_name, sh.sh_link);
      program.symbols.push_back({sym_name, sym.st_value, sym.st_size, symbol_type(sym.st_info)});
    }
  }

  std::vector<char> image_;  // elf_memory takes a writable buffer and keeps pointing into it
  std::string name_;
  Elf* elf_ = nullptr;
};

}  // namespace

const DataSection* Program::data_section(std::string_view n) const {
  for (const DataSection& d : data_sections)
    if (d.name == n) return &d;
  return nullptr;
}

Program load_elf(std::span<const uint8_t> bytes, std::string_view name) { return Reader(bytes, name).read(); }

Program load_elf_file(const std::filesystem::path& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = common::read_file(path.string(), kMaxElfFileBytes);
  } catch (const common::FileReadError& e) {
    if (e.kind == common::FileReadError::Kind::TooLarge) throw ElfError(e.what());
    throw ElfReadError(e.what());
  }
  return load_elf(bytes, path.string());
}

}  // namespace cadre::elf
