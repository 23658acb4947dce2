// The ELF reader on a real program built by the cross compiler (the seed in
// fuzz/corpus/elf) and on corrupt variants of it made here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "cadre/elf/elf_program.h"
#include "common/run_command.h"

namespace cadre::elf {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kCorpus = CADRE_ELF_CORPUS;

std::vector<uint8_t> sample() { return test::read_bytes(kCorpus / "sample.elf"); }

template <typename T>
void poke(std::vector<uint8_t>& bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

template <typename T>
T peek(const std::vector<uint8_t>& bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

std::string hex(uint64_t v) {
  char text[20];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(v));
  return text;
}

// The message of the ElfError that loading `bytes` throws ("" when it loads).
std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    load_elf(bytes, "prog.elf");
  } catch (const ElfError& e) {
    return e.what();
  }
  return "";
}

// Offsets in the ELF64 header and program headers.
constexpr size_t kPhoff = 32, kShoff = 40, kPhnum = 56, kShnum = 60, kPhdrSize = 56;

TEST(Elf, LoadsTheSampleProgram) {
  const std::vector<uint8_t> bytes = sample();
  ASSERT_FALSE(bytes.empty()) << "missing seed " << (kCorpus / "sample.elf");
  const Program p = load_elf(bytes, "sample.elf");
  ASSERT_EQ(p.code_sections.size(), 1u);
  EXPECT_EQ(p.code_sections[0].name, ".text");
  EXPECT_EQ(p.code_sections[0].address, 0x80000000u);
  EXPECT_EQ(p.code_sections[0].bytes.size() % 4, 0u);
  bool found_start = false, found_fib = false;
  for (const Symbol& s : p.symbols) {
    if (s.name == "_start") {
      found_start = true;
      EXPECT_EQ(s.value, p.entry);
    }
    if (s.name == "fib") {
      found_fib = true;
      EXPECT_EQ(s.type, SymbolType::Func);
      EXPECT_GT(s.size, 0u);
    }
  }
  EXPECT_TRUE(found_start);
  EXPECT_TRUE(found_fib);
  ASSERT_FALSE(p.segments.empty());
  bool entry_in_exec = false;
  for (const Segment& s : p.segments) {
    EXPECT_LE(s.bytes.size(), s.memsz);
    if ((s.flags & kSegmentExec) && p.entry >= s.vaddr && p.entry < s.vaddr + s.memsz) entry_in_exec = true;
  }
  EXPECT_TRUE(entry_in_exec);
}

TEST(Elf, StrippedProgramHasSegmentsButNoSymbols) {
  const Program p = load_elf_file(kCorpus / "tiny-stripped.elf");
  EXPECT_TRUE(p.symbols.empty());
  EXPECT_FALSE(p.segments.empty());
}

TEST(Elf, TruncatedFiles) {
  const std::vector<uint8_t> bytes = sample();
  EXPECT_THAT(error_of({}), HasSubstr("prog.elf: not an ELF file"));
  EXPECT_THAT(error_of({bytes.begin(), bytes.begin() + 40}),
              HasSubstr("prog.elf: truncated ELF header: the file has 40 bytes, the header needs 64"));
  EXPECT_THAT(error_of({bytes.begin(), bytes.begin() + 100}),
              HasSubstr("program headers [0x40, +0xa8) extend past the end of the file (size 0x64)"));
  EXPECT_THAT(error_of({bytes.begin(), bytes.begin() + 0x1000}), HasSubstr("extend past the end of the file"));
  // Every cut either fails cleanly or (past the last needed byte) loads.
  for (size_t n = 0; n < bytes.size(); n += 13) {
    const std::string e = error_of({bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)});
    EXPECT_THAT(e, HasSubstr("prog.elf: ")) << n;
  }
}

TEST(Elf, WrongClassEndiannessMachineOrType) {
  std::vector<uint8_t> b = sample();
  b[4] = 1;  // ELFCLASS32
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: ELF class 1 is not ELFCLASS64"));
  b = sample();
  b[5] = 2;  // ELFDATA2MSB
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: ELF data encoding 2 is not little endian"));
  b = sample();
  poke<uint16_t>(b, 18, 62);  // EM_X86_64
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: e_machine 62 is not EM_RISCV (243)"));
  b = sample();
  poke<uint16_t>(b, 16, 1);  // ET_REL
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: e_type 1 is not ET_EXEC"));
  b = sample();
  b[0] = 'X';
  EXPECT_THAT(error_of(b), HasSubstr("not an ELF file"));
}

TEST(Elf, HugeHeaderCounts) {
  std::vector<uint8_t> b = sample();
  poke<uint16_t>(b, kPhnum, 0xfff0);
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: 65520 program headers [0x40, +0x37fc80) extend past the end of the file"));
  b = sample();
  poke<uint16_t>(b, kPhnum, 0xffff);
  EXPECT_THAT(error_of(b), HasSubstr("extended program header numbering"));
  b = sample();
  poke<uint16_t>(b, kShnum, 0x7fff);
  EXPECT_THAT(error_of(b), HasSubstr("32767 section headers"));
  b = sample();
  poke<uint64_t>(b, kShoff, b.size() - 8);
  EXPECT_THAT(error_of(b), HasSubstr("section headers [0x"));
  b = sample();
  poke<uint64_t>(b, kPhoff, ~uint64_t{0} - 8);
  EXPECT_THAT(error_of(b), HasSubstr("program headers [0xfffffffffffffff7, +0xa8) extend past the end"));
}

TEST(Elf, SegmentsOutsideTheFile) {
  const std::vector<uint8_t> base = sample();
  const auto ph = static_cast<size_t>(peek<uint64_t>(base, kPhoff));
  // Find a PT_LOAD with contents to damage.
  size_t load = 0;
  while (peek<uint32_t>(base, ph + load * kPhdrSize) != 1 || peek<uint64_t>(base, ph + load * kPhdrSize + 32) == 0) ++load;
  const size_t at = ph + load * kPhdrSize;
  const uint64_t vaddr = peek<uint64_t>(base, at + 16);
  std::vector<uint8_t> b = base;
  poke<uint64_t>(b, at + 32, 0x100000);  // p_filesz
  poke<uint64_t>(b, at + 40, 0x100000);  // p_memsz
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: program header " + std::to_string(load) + ": segment [0x" +
                                     hex(vaddr) + ", +0x100000) at file offset"));
  EXPECT_THAT(error_of(b), HasSubstr("extends past the end of the file (size 0x" + hex(b.size()) + ")"));
  b = base;
  poke<uint64_t>(b, at + 8, ~uint64_t{0} - 16);  // p_offset: offset + size overflows
  EXPECT_THAT(error_of(b), HasSubstr("extends past the end of the file"));
  b = base;
  poke<uint64_t>(b, at + 40, peek<uint64_t>(b, at + 32) - 1);  // p_memsz < p_filesz
  EXPECT_THAT(error_of(b), HasSubstr("larger than its memory size"));
  b = base;
  poke<uint64_t>(b, at + 16, ~uint64_t{0} - 4);  // p_vaddr near the top
  EXPECT_THAT(error_of(b), HasSubstr("wraps around the address space"));
  b = base;
  poke<uint64_t>(b, 24, 0x10);  // e_entry
  EXPECT_THAT(error_of(b), HasSubstr("entry point 0x10 is not inside an executable segment"));
}

TEST(Elf, BadSectionAndSymbolNames) {
  const std::vector<uint8_t> base = sample();
  const auto sh = static_cast<size_t>(peek<uint64_t>(base, kShoff));
  std::vector<uint8_t> b = base;
  poke<uint32_t>(b, sh + 64, 0xffffff);  // section 1's sh_name
  EXPECT_THAT(error_of(b), HasSubstr("prog.elf: section 1: name offset 0xffffff is outside the section name table"));
}

TEST(Elf, UnreadableFileIsAReadError) {
  EXPECT_THROW(load_elf_file("/nonexistent/prog.elf"), ElfReadError);
  try {
    load_elf_file("/nonexistent/prog.elf");
  } catch (const ElfReadError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/prog.elf: cannot open"));
  }
}

TEST(Elf, DevicesDirectoriesAndHugeFilesAreRefusedBeforeReading) {
  // /dev/zero would never end; it is refused by what it is, not read.
  EXPECT_THROW(load_elf_file("/dev/zero"), ElfReadError);
  EXPECT_THROW(load_elf_file(std::filesystem::temp_directory_path()), ElfReadError);
  // A sparse file just over the limit: refused by its size, as malformed input.
  const std::filesystem::path big = std::filesystem::temp_directory_path() / ("cadre_big_" + std::to_string(::getpid()) + ".elf");
  { std::FILE* f = std::fopen(big.c_str(), "w"); std::fclose(f); }
  std::filesystem::resize_file(big, kMaxElfFileBytes + 1);
  try {
    load_elf_file(big);
    ADD_FAILURE() << "accepted";
  } catch (const ElfReadError& e) {
    ADD_FAILURE() << "a read error: " << e.what();
  } catch (const ElfError& e) {
    EXPECT_THAT(e.what(), HasSubstr("1073741825 bytes: larger than the 1073741824 bytes this input may have"));
  }
  std::filesystem::remove(big);
}

TEST(Elf, EveryCorpusSeedLoadsOrFailsWithItsName) {
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    try {
      load_elf_file(entry.path());
    } catch (const ElfError& e) {
      EXPECT_THAT(e.what(), HasSubstr(entry.path().string() + ": ")) << e.what();
    }
  }
}

}  // namespace
}  // namespace cadre::elf
