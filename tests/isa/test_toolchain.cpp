// The ISA agrees with the GNU RISC-V toolchain: Xcadre encodings with what
// `as` makes of `.insn r` lines, and the disassembler with
// `objdump -d -M no-aliases`. Each test skips, naming the tool, when the
// cross toolchain is not installed.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <random>
#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "cadre/elf/elf_program.h"
#include "cadre/isa/disasm.h"
#include "cadre/isa/registers.h"
#include "cadre/isa/rv64.h"
#include "cadre/isa/xcadre.h"
#include "common/run_command.h"

namespace cadre::isa {
namespace {

using test::run_command;
using test::tool_missing;

const std::string kAs = CADRE_RISCV_AS;
const std::string kObjdump = CADRE_RISCV_OBJDUMP;
const std::string kSampleElf = CADRE_SAMPLE_ELF;  // empty when the cross gcc is missing

#define SKIP_WITHOUT(tool, what) \
  if (tool_missing(tool)) GTEST_SKIP() << what << " not found: install binutils-riscv64-unknown-elf"

// objdump text and ours in one form: single spaces, no `<sym+off>` labels and
// no `# ...` comments (objdump's computed addresses, our illegal marker).
std::string normalise(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '#') break;
    if (c == '<') {  // a label: drop it and the space before it
      const size_t close = text.find('>', i);
      if (close == std::string_view::npos) break;
      i = close;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool all_hex(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

struct ObjdumpLine {
  uint32_t word;
  std::string text;
};

// address -> instruction, from `objdump -d` output lines "  addr:\tword \ttext".
std::map<uint64_t, ObjdumpLine> parse_objdump(const std::string& output) {
  std::map<uint64_t, ObjdumpLine> lines;
  std::istringstream in(output);
  for (std::string l; std::getline(in, l);) {
    // "  ADDR:\tWORD \tTEXT"
    const size_t colon = l.find(':');
    if (colon == std::string::npos) continue;
    const size_t start = l.find_first_not_of(" \t");
    const std::string_view address = std::string_view(l).substr(start, colon - start);
    const size_t word_at = l.find_first_not_of(" \t", colon + 1);
    if (!all_hex(address) || word_at == std::string::npos || l.size() < word_at + 9) continue;
    const std::string_view word = std::string_view(l).substr(word_at, 8);
    if (!all_hex(word) || !std::isspace(static_cast<unsigned char>(l[word_at + 8]))) continue;
    lines[std::stoull(std::string(address), nullptr, 16)] = {static_cast<uint32_t>(std::stoul(std::string(word), nullptr, 16)),
                                                            normalise(std::string_view(l).substr(word_at + 8))};
  }
  return lines;
}

// `.insn r` lines for every Xcadre entry with varied registers (x0 where the
// table says the field is unused), assembled by GNU as, equal encode().
TEST(Toolchain, XcadreEncodingsMatchGnuAs) {
  SKIP_WITHOUT(kAs, "riscv64-unknown-elf-as (CADRE_RISCV_AS)");
  SKIP_WITHOUT(kObjdump, "riscv64-unknown-elf-objdump (CADRE_RISCV_OBJDUMP)");
  const auto dir = test::scratch_dir("xcadre_as");
  std::vector<uint32_t> expected;
  std::ofstream s(dir / "xcadre.s");
  s << ".text\n";
  for (const InsnInfo& i : xcadre_table()) {
    for (unsigned r = 1; r < 32; r += 6) {
      const auto pick = [](Layout l, unsigned reg) { return l == Layout::None ? uint8_t{0} : static_cast<uint8_t>(reg % 32); };
      const XcadreInsn insn{i.op, pick(i.rd, r), pick(i.rs1, r * 7 + 3), pick(i.rs2, 31 - r)};
      s << fmt::format(".insn r 0x{:02x}, {}, {}, {}, {}, {}  # {}\n", static_cast<int>(i.major), i.funct3, i.funct7,
                       register_name(insn.rd), register_name(insn.rs1), register_name(insn.rs2), i.mnemonic);
      expected.push_back(encode(insn));
    }
  }
  s.close();
  const auto as = run_command(fmt::format("{} -march=rv64im -o {} {} 2>&1", kAs, (dir / "xcadre.o").string(),
                                          (dir / "xcadre.s").string()));
  ASSERT_EQ(as.exit_code, 0) << as.output;
  // The bytes of .text, as `objdump -s` dumps them: offset, then up to 16 bytes in hex.
  const auto dump = run_command(fmt::format("{} -s -j .text {} 2>&1", kObjdump, (dir / "xcadre.o").string()));
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  std::vector<uint8_t> bytes;
  // Rows are " OFFSET HEX HEX HEX HEX  ASCII", the hex area padded to 35 columns.
  std::istringstream in(dump.output);
  for (std::string l; std::getline(in, l);) {
    if (l.size() < 2 || l[0] != ' ' || !std::isxdigit(static_cast<unsigned char>(l[1]))) continue;
    const size_t hex_at = l.find(' ', 1) + 1;
    std::string hex;
    for (char c : std::string_view(l).substr(hex_at, 35))
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
    for (size_t k = 0; k + 1 < hex.size(); k += 2)
      bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(k, 2), nullptr, 16)));
  }
  ASSERT_EQ(bytes.size(), expected.size() * 4);
  for (size_t k = 0; k < expected.size(); ++k) {
    const uint32_t word = uint32_t{bytes[4 * k]} | uint32_t{bytes[4 * k + 1]} << 8 | uint32_t{bytes[4 * k + 2]} << 16 |
                          uint32_t{bytes[4 * k + 3]} << 24;
    EXPECT_EQ(word, expected[k]) << "entry " << k << ": " << disassemble_word(expected[k], 0);
  }
  std::filesystem::remove_all(dir);
}

// The compiled sample program, instruction by instruction.
TEST(Toolchain, DisassemblyOfCompiledProgramMatchesObjdump) {
  if (kSampleElf.empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found (CADRE_RISCV_GCC): no sample program";
  SKIP_WITHOUT(kObjdump, "riscv64-unknown-elf-objdump (CADRE_RISCV_OBJDUMP)");
  const auto dump = run_command(fmt::format("{} -d -M no-aliases {} 2>&1", kObjdump, kSampleElf));
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  const auto reference = parse_objdump(dump.output);
  const elf::Program program = elf::load_elf_file(kSampleElf);
  ASSERT_FALSE(program.code_sections.empty());
  size_t compared = 0;
  for (const elf::CodeSection& section : program.code_sections) {
    ASSERT_EQ(section.bytes.size() % 4, 0u) << section.name;
    for (size_t off = 0; off < section.bytes.size(); off += 4) {
      const uint64_t pc = section.address + off;
      const uint32_t word = uint32_t{section.bytes[off]} | uint32_t{section.bytes[off + 1]} << 8 |
                            uint32_t{section.bytes[off + 2]} << 16 | uint32_t{section.bytes[off + 3]} << 24;
      const Rv64Insn d = decode_rv64(word);
      ASSERT_NE(d.op, Rv64Op::Illegal) << std::hex << pc << ": " << word << " " << describe(d.illegal);
      EXPECT_EQ(encode_rv64(d), word) << std::hex << pc;
      const auto it = reference.find(pc);
      ASSERT_NE(it, reference.end()) << "objdump has no instruction at " << std::hex << pc;
      EXPECT_EQ(it->second.word, word) << std::hex << pc;
      EXPECT_EQ(normalise(disassemble_word(word, pc)), it->second.text) << std::hex << pc << ": " << word;
      ++compared;
    }
  }
  EXPECT_EQ(compared, reference.size());
  EXPECT_GT(compared, 300u);
  RecordProperty("instructions_compared", static_cast<int>(compared));
  std::printf("compared %zu instructions with objdump\n", compared);
}

// objdump on raw words: random fillings of every table row, random words, and
// every CSR number, so all operand forms and names are checked, not only those
// GCC happens to emit.
TEST(Toolchain, RandomWordsAndEveryCsrMatchObjdump) {
  SKIP_WITHOUT(kObjdump, "riscv64-unknown-elf-objdump (CADRE_RISCV_OBJDUMP)");
  std::mt19937 rng(2024);
  std::vector<uint32_t> words;
  for (const Rv64Info& row : rv64_table())
    for (int k = 0; k < 300; ++k) words.push_back(row.match | (static_cast<uint32_t>(rng()) & ~row.mask));
  // Random 32-bit encodings: bits 1:0 = 11, bits 4:2 != 111 (longer ones would desync the listing).
  while (words.size() < rv64_table().size() * 300 + 30000)
    if (const uint32_t w = static_cast<uint32_t>(rng()) | 3; (w & 0x1c) != 0x1c) words.push_back(w);
  for (uint32_t csr = 0; csr < 4096; ++csr) words.push_back(csr << 20 | 2u << 12 | 10u << 7 | 0x73);  // csrrs a0,csr,zero
  const auto dir = test::scratch_dir("random_words");
  std::vector<uint8_t> bytes;
  for (uint32_t w : words)
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<uint8_t>(w >> (8 * b)));
  test::write_bytes(dir / "words.bin", bytes);
  const uint64_t base = 0x80000000;
  const auto dump = run_command(fmt::format("{} -D -b binary -m riscv:rv64 -M no-aliases --adjust-vma=0x{:x} {} 2>&1",
                                            kObjdump, base, (dir / "words.bin").string()));
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  const auto reference = parse_objdump(dump.output);
  ASSERT_EQ(reference.size(), words.size());
  std::set<std::string_view> ours;
  for (const Rv64Info& row : rv64_table()) ours.insert(row.mnemonic);
  size_t compared = 0, failures = 0;
  for (size_t k = 0; k < words.size() && failures < 20; ++k) {
    const uint64_t pc = base + 4 * k;
    const ObjdumpLine& ref = reference.at(pc);
    const std::string mnemonic = ref.text.substr(0, ref.text.find(' '));
    const Rv64Insn d = decode_rv64(words[k]);
    const bool legal = d.op != Rv64Op::Illegal;
    // Words of extensions we do not implement (F, D, A, C...) are objdump's business only.
    if (!legal && !ours.contains(mnemonic)) continue;
    const std::string text = normalise(disassemble_word(words[k], pc));
    // Without symbols (a raw binary) objdump writes a target as 0x...; in an
    // ELF, which is what we follow, as a bare hex address before its <label>.
    std::string expected = ref.text;
    if (legal && (info(d.op).format == Rv64Format::Branch || info(d.op).format == Rv64Format::Jump))
      if (const size_t comma = expected.rfind(",0x"); comma != std::string::npos) expected.erase(comma + 1, 2);
    if (text != expected) {
      ADD_FAILURE() << std::hex << words[k] << " at " << pc << ": ours '" << text << "', objdump '" << expected << "'";
      ++failures;
    }
    ++compared;
  }
  EXPECT_GT(compared, 30000u);
  std::printf("compared %zu raw words with objdump\n", compared);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cadre::isa
