// Reading RV64 ELF executables into plain data: what the simulator loads and
// the disassembler reads. Every field is checked; a file that is not a sound
// little-endian RV64 ET_EXEC gives an ElfError saying what is wrong and where.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cadre::elf {

// The file is malformed; the message names the file, the place and the problem.
class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file could not be read at all (missing, unreadable).
class ElfReadError : public ElfError {
 public:
  using ElfError::ElfError;
};

// Segment permission bits, as in p_flags.
inline constexpr uint32_t kSegmentExec = 1, kSegmentWrite = 2, kSegmentRead = 4;

// A PT_LOAD segment: `bytes` (p_filesz of them) go to vaddr, the rest of memsz is zero.
struct Segment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  std::vector<uint8_t> bytes;
  uint32_t flags = 0;
};

enum class SymbolType : uint8_t { NoType, Object, Func, Section, File, Other };

struct Symbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  SymbolType type = SymbolType::NoType;
};

// An allocated section of instructions (SHF_ALLOC | SHF_EXECINSTR, with contents).
struct CodeSection {
  std::string name;
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
};

// A section of contents that is not loaded (SHT_PROGBITS without SHF_ALLOC),
// such as the compiler's argument block `.cadre.args`.
struct DataSection {
  std::string name;
  std::vector<uint8_t> bytes;
};

struct Program {
  uint64_t entry = 0;
  std::vector<Segment> segments;         // in program header order
  std::vector<Symbol> symbols;           // from .symtab, without the null symbol
  std::vector<CodeSection> code_sections;  // in section header order
  std::vector<DataSection> data_sections;  // in section header order
  // The data section of this name, or nullptr.
  const DataSection* data_section(std::string_view name) const;
};

// `name` is what error messages call the input (usually its path).
Program load_elf(std::span<const uint8_t> bytes, std::string_view name);

// The largest ELF file read: the chip's RAM window is 2 GiB, and a program
// image is a small part of it.
inline constexpr uint64_t kMaxElfFileBytes = uint64_t{1} << 30;

// Reads the file; ElfReadError when it cannot be read or is not a regular
// file, ElfError when it is larger than kMaxElfFileBytes (checked before reading).
Program load_elf_file(const std::filesystem::path& path);

}  // namespace cadre::elf
