// The typed operand structs of xcadre_operands.h against the layout table:
// the same fields in the same places, encode and decode inverse to each
// other, and a value too wide for its field refused with a message naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/isa/xcadre.h"
#include "cadre/isa/xcadre_operands.h"

namespace cadre::isa {
namespace {

using ::testing::HasSubstr;

// A misspelt or foreign field does not compile: Transfer has row_bytes and
// no cols, RowUpdate the other way round.
template <class T>
concept HasRowBytes = requires(T t) { t.row_bytes; };
template <class T>
concept HasCols = requires(T t) { t.cols; };
static_assert(HasRowBytes<operands::Transfer> && !HasCols<operands::Transfer>);
static_assert(HasCols<operands::RowUpdate> && !HasRowBytes<operands::RowUpdate>);
// Decoding needs no run time.
static_assert(operands::Transfer::decode(uint64_t{3} << 48 | uint64_t{2} << 32 | 0x20000040).row_bytes == 3);
static_assert(operands::Transfer::rows_field.lsb == 32 && operands::Transfer::rows_field.width == 16);

// The largest value each field holds.
uint64_t all_ones(const Field& f) { return f.width == 64 ? ~uint64_t{0} : (uint64_t{1} << f.width) - 1; }

template <class T>
std::vector<Field> fields_of() {
  std::vector<Field> out;
  T{}.for_each_field([&](const Field& f, uint64_t) { out.push_back(f); });
  return out;
}

template <class T>
void fields_agree_with_the_table(size_t& layouts_seen) {
  const LayoutInfo& info_of = info(T::kLayout);
  EXPECT_EQ(static_cast<size_t>(T::kLayout), layouts_seen) << info_of.name;
  ++layouts_seen;
  const std::vector<Field> fields = fields_of<T>();
  ASSERT_EQ(fields.size(), info_of.fields.size()) << info_of.name;
  for (size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(fields[i].name, info_of.fields[i].name) << info_of.name;
    EXPECT_EQ(fields[i].lsb, info_of.fields[i].lsb) << info_of.name << "." << fields[i].name;
    EXPECT_EQ(fields[i].width, info_of.fields[i].width) << info_of.name << "." << fields[i].name;
  }
}

template <class T>
void round_trips() {
  const std::string_view layout = info(T::kLayout).name;
  // Every field full, every field alone with a pattern, and all zero.
  T full;
  full.for_each_field([](const Field& f, uint64_t& v) { v = all_ones(f); });
  uint64_t expected = 0;
  full.for_each_field([&](const Field& f, uint64_t v) { expected |= v << f.lsb; });
  EXPECT_EQ(full.encode(), expected) << layout;
  EXPECT_EQ(T::decode(full.encode()), full) << layout;
  for (size_t which = 0; which < fields_of<T>().size(); ++which) {
    T one;
    size_t i = 0;
    one.for_each_field([&](const Field& f, uint64_t& v) {
      if (i++ == which) v = 0x5A5A'5A5A'5A5A'5A5Aull & all_ones(f);
    });
    EXPECT_EQ(T::decode(one.encode()), one) << layout << " field " << which;
  }
  EXPECT_EQ(T{}.encode(), 0u) << layout;
  EXPECT_EQ(T::decode(0), T{}) << layout;
}

template <class T>
void too_wide_values_name_their_field() {
  const std::string_view layout = info(T::kLayout).name;
  for (const Field& f : fields_of<T>()) {
    if (f.width == 64) continue;
    T t;
    t.for_each_field([&](const Field& g, uint64_t& v) {
      if (g.name == f.name) v = uint64_t{1} << f.width;
    });
    try {
      (void)t.encode();
      ADD_FAILURE() << layout << "." << f.name << ": no error";
    } catch (const std::out_of_range& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string(layout))) << f.name;
      EXPECT_THAT(e.what(), HasSubstr("field " + std::string(f.name) + " ")) << layout;
      EXPECT_THAT(e.what(), HasSubstr(std::to_string(uint64_t{1} << f.width))) << layout << "." << f.name;
    }
  }
}

TEST(XcadreOperands, FieldsAreTheLayoutTables) {
  size_t seen = 0;
#define XCADRE_FIELD(...)
#define XCADRE_LAYOUT(E, ...) fields_agree_with_the_table<operands::E>(seen);
#include "cadre/isa/xcadre_layouts.def"
  EXPECT_EQ(seen, layout_table().size());
}

TEST(XcadreOperands, EveryLayoutRoundTrips) {
#define XCADRE_FIELD(...)
#define XCADRE_LAYOUT(E, ...) round_trips<operands::E>();
#include "cadre/isa/xcadre_layouts.def"
}

TEST(XcadreOperands, ValuesTooWideForTheirFieldAreRefused) {
#define XCADRE_FIELD(...)
#define XCADRE_LAYOUT(E, ...) too_wide_values_name_their_field<operands::E>();
#include "cadre/isa/xcadre_layouts.def"
}

TEST(XcadreOperands, TheMessageSaysLayoutFieldAndValue) {
  try {
    (void)operands::Align{.tokens = 1, .k = 300, .experts = 8, .block = 16}.encode();
    FAIL() << "no error";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "Align operand: value 300 does not fit field k (8 bits)");
  }
}

TEST(XcadreOperands, FieldsSitWhereTheTableSays) {
  const operands::TopK t{.rows = 7, .cols = 256, .k = 8};
  EXPECT_EQ(t.encode(), uint64_t{8} << 48 | uint64_t{256} << 32 | 7);
  const auto a = operands::Align::decode(uint64_t{64} << 48 | uint64_t{256} << 32 | uint64_t{8} << 24 | 4096);
  EXPECT_EQ(a.tokens, 4096u);
  EXPECT_EQ(a.k, 8u);
  EXPECT_EQ(a.experts, 256u);
  EXPECT_EQ(a.block, 64u);
}

}  // namespace
}  // namespace cadre::isa
