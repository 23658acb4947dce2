// runtime/sdk/cadre_xcadre.h against the ISA table: sdk_every_insn.c calls
// every instruction's function once, in table order; the words the cross
// compiler emitted must decode, in that order, to exactly the table's
// instructions with its operand registers (a None operand encodes x0, which
// decode_xcadre checks). Its operand packers, compiled for the host, build
// the same registers as the typed operand structs.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "cadre/elf/elf_program.h"
#include "cadre/isa/xcadre.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre_xcadre.h"

namespace cadre::test {
namespace {

TEST(SdkHeader, EveryFunctionEmitsItsInstruction) {
  if (std::string(CADRE_SDK_EVERY_INSN_ELF).empty()) GTEST_SKIP() << "riscv64-unknown-elf-gcc not found: not built";
  const elf::Program program = elf::load_elf_file(CADRE_SDK_EVERY_INSN_ELF);
  std::vector<isa::XcadreInsn> found;
  for (const elf::CodeSection& section : program.code_sections)
    for (size_t at = 0; at + 4 <= section.bytes.size(); at += 4) {
      uint32_t word = 0;
      std::memcpy(&word, &section.bytes[at], 4);
      if (!isa::is_custom_major(word)) continue;
      const isa::XcadreDecode d = isa::decode_xcadre(word);
      ASSERT_TRUE(d.insn) << "word " << std::hex << word << " at +" << at << ": " << d.error;
      found.push_back(*d.insn);
    }
  const auto table = isa::xcadre_table();
  ASSERT_EQ(found.size(), table.size()) << "sdk_every_insn.c must call each instruction of the table once";
  for (size_t k = 0; k < table.size(); ++k) {
    EXPECT_EQ(found[k].op, table[k].op) << k << ": expected " << table[k].mnemonic;
    EXPECT_EQ(found[k].rd != 0, table[k].rd != isa::Layout::None) << table[k].mnemonic;
    EXPECT_NE(found[k].rs1, 0) << table[k].mnemonic;
    EXPECT_EQ(found[k].rs2 != 0, table[k].rs2 != isa::Layout::None) << table[k].mnemonic;
  }
}

// The packer of layout T called with a different value in each field (each
// field's low bits set, so the values fit), against T's encode().
template <class T, class... Args, size_t... I>
void packer_agrees(uint64_t (*packer)(Args...), std::index_sequence<I...>) {
  T t;
  std::array<uint64_t, sizeof...(Args)> values{};
  size_t i = 0;
  t.for_each_field([&](const isa::Field& f, uint64_t& v) {
    ASSERT_LT(i, values.size()) << isa::info(T::kLayout).name << ": the packer has fewer parameters than fields";
    v = f.width == 64 ? 0x0123'4567'89AB'CDEFull : ((uint64_t{1} << f.width) - 1) ^ (i & 1);
    values[i++] = v;
  });
  EXPECT_EQ(i, values.size()) << isa::info(T::kLayout).name << ": fields and packer parameters differ in number";
  EXPECT_EQ(packer(values[I]...), t.encode()) << isa::info(T::kLayout).name;
}
template <class T, class... Args>
void packer_agrees(uint64_t (*packer)(Args...), size_t& checked) {
  packer_agrees<T>(packer, std::index_sequence_for<Args...>{});
  ++checked;
}

TEST(SdkHeader, PackersBuildWhatTheTypedOperandsEncode) {
  namespace ops = isa::operands;
  size_t n = 0;
  packer_agrees<ops::HbmAddr>(cx_hbm_addr, n);
  packer_agrees<ops::Strides>(cx_strides, n);
  packer_agrees<ops::Transfer>(cx_transfer, n);
  packer_agrees<ops::RowUpdate>(cx_row_update, n);
  packer_agrees<ops::IndexList>(cx_index_list, n);
  packer_agrees<ops::WeightList>(cx_weight_list, n);
  packer_agrees<ops::FormatPair>(cx_format_pair, n);
  packer_agrees<ops::TileWithScales>(cx_tile_with_scales, n);
  packer_agrees<ops::MatrixFormats>(cx_matrix_formats, n);
  packer_agrees<ops::OperandStrides>(cx_operand_strides, n);
  packer_agrees<ops::WeightShape>(cx_weight_shape, n);
  packer_agrees<ops::MatmulOut>(cx_matmul_out, n);
  packer_agrees<ops::SrcDst>(cx_src_dst, n);
  packer_agrees<ops::SrcPair>(cx_src_pair, n);
  packer_agrees<ops::DstCount>(cx_dst_count, n);
  packer_agrees<ops::Count>(cx_count, n);
  packer_agrees<ops::CountScalar>(cx_count_scalar, n);
  packer_agrees<ops::Convert>(cx_convert, n);
  packer_agrees<ops::RowsCols>(cx_rows_cols, n);
  packer_agrees<ops::QuantConfig>(cx_quant_config, n);
  packer_agrees<ops::RouteConfig>(cx_route_config, n);
  packer_agrees<ops::RouteGroups>(cx_route_groups, n);
  packer_agrees<ops::TopK>(cx_top_k, n);
  packer_agrees<ops::ExpertCount>(cx_expert_count, n);
  packer_agrees<ops::Align>(cx_align, n);
  packer_agrees<ops::Semaphore>(cx_semaphore, n);
  packer_agrees<ops::QueueMask>(cx_queue_mask, n);
  packer_agrees<ops::StatusSelect>(cx_status_select, n);
  // Every layout that packs an operand (not None, not the returned Value) is checked.
  size_t packed = 0;
  for (const isa::LayoutInfo& l : isa::layout_table()) packed += !l.fields.empty() && l.layout != isa::Layout::Value;
  EXPECT_EQ(n, packed);
}

}  // namespace
}  // namespace cadre::test
