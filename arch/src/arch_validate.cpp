// Every rule a configuration must meet: the table's bounds and rules per
// field, then the rules that tie fields together.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <string>
#include <type_traits>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "field_table.h"

namespace cadre::arch {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(std::string_view path, std::string reason) const {
    throw ConfigError(std::string(source_), std::string(path), std::move(reason));
  }

  template <class T>
    requires std::is_unsigned_v<T>
  void check(std::string_view path, T value) const {
    const FieldInfo& f = detail::field_info(path);
    check_bounds(f, static_cast<double>(value), fmt::format("{}", value));
    if (f.rule == FieldRule::PowerOfTwo && !std::has_single_bit(value))
      fail(path, fmt::format("must be a power of two, got {}", value));
  }

  void check(std::string_view path, double value) const {
    check_bounds(detail::field_info(path), value, fmt::format("{}", value));
  }

  void check(std::string_view path, const std::string& value) const {
    const FieldInfo& f = detail::field_info(path);
    if (static_cast<double>(value.size()) < f.min) fail(path, "must not be empty");
    if (static_cast<double>(value.size()) > f.max) fail(path, fmt::format("must be at most {} characters", f.max));
    const auto allowed = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
             c == '-';
    };
    if (f.rule == FieldRule::Identifier && !std::ranges::all_of(value, allowed))
      fail(path, "may hold only letters, digits, '.', '_' and '-'");
  }

  template <class T>
    requires std::is_enum_v<T>
  void check(std::string_view path, T value) const {
    const auto names = ChoiceNames<T>::names;
    if (static_cast<size_t>(value) >= names.size())
      fail(path, fmt::format("value {} is none of the allowed {}", static_cast<size_t>(value),
                             detail::quoted_choices(names)));
  }

  void check(std::string_view path, const std::vector<num::Format>& formats) const {
    const FieldInfo& f = detail::field_info(path);
    if (static_cast<double>(formats.size()) < f.min) fail(path, "must list at least one format");
    for (size_t i = 0; i < formats.size(); ++i) {
      const std::string element = fmt::format("{}/{}", path, i);
      const std::string_view name = num::info(formats[i]).name;
      if (std::ranges::find(kMatrixInputFormats, formats[i]) == std::end(kMatrixInputFormats))
        fail(element, fmt::format("\"{}\" is not a matrix input format (e4m3, e5m2 or bf16)", name));
      if (std::find(formats.begin(), formats.begin() + static_cast<ptrdiff_t>(i), formats[i]) !=
          formats.begin() + static_cast<ptrdiff_t>(i))
        fail(element, fmt::format("\"{}\" is listed twice", name));
    }
  }

 private:
  void check_bounds(const FieldInfo& f, double value, const std::string& got) const {
    // Written so that NaN fails too.
    if (!(value >= f.min))
      fail(f.path, f.min > 0 && value <= 0 ? fmt::format("must be positive, got {}", got)
                                           : fmt::format("must be at least {}, got {}", f.min, got));
    if (!(value <= f.max)) fail(f.path, fmt::format("must be at most {}, got {}", f.max, got));
  }

  std::string_view source_;
};

}  // namespace

void validate_arch(const ArchConfig& cfg, std::string_view source_name) {
  const Checker checker(source_name);
#define CADRE_ARCH_OBJECT(path, description)
#define CADRE_ARCH_FIELD(member, path, ...) checker.check(path, cfg.member);
#include "cadre/arch/arch_fields.def"

  if (cfg.matrix.preload_rows_per_cycle > cfg.matrix.rows)
    checker.fail("/matrix/preload_rows_per_cycle",
                 fmt::format("{} rows a cycle is more than the array's {} rows", cfg.matrix.preload_rows_per_cycle,
                             cfg.matrix.rows));
  // The array streams one operand tile while the next is loaded, so the
  // scratchpad holds two; the accumulator holds one output tile.
  const uint64_t operands = 2 * operand_tile_bytes(cfg);
  if (operands > cfg.scratchpad.bytes)
    checker.fail("/scratchpad/bytes",
                 fmt::format("{} bytes cannot hold the {}x{} array's double-buffered operand tile ({} bytes: "
                             "2 x {} x {} x {}-byte elements)",
                             cfg.scratchpad.bytes, cfg.matrix.rows, cfg.matrix.cols, operands, cfg.matrix.rows,
                             cfg.matrix.cols, widest_input_bytes(cfg)));
  if (cfg.scratchpad.bytes % cfg.scratchpad.banks != 0)
    checker.fail("/scratchpad/banks", fmt::format("{} banks do not divide the scratchpad's {} bytes",
                                                  cfg.scratchpad.banks, cfg.scratchpad.bytes));
  if (accumulator_tile_bytes(cfg) > cfg.accumulator.bytes)
    checker.fail("/accumulator/bytes",
                 fmt::format("{} bytes cannot hold the {}x{} array's FP32 output tile ({} bytes)",
                             cfg.accumulator.bytes, cfg.matrix.rows, cfg.matrix.cols, accumulator_tile_bytes(cfg)));
  if (cfg.accumulator.bytes % (uint64_t{cfg.accumulator.banks} * kAccumulatorElementBytes) != 0)
    checker.fail("/accumulator/banks",
                 fmt::format("{} banks do not divide the accumulator's {} bytes into whole FP32 words",
                             cfg.accumulator.banks, cfg.accumulator.bytes));
  // Each channel's slice holds whole sets of burst-sized lines.
  const uint64_t l2_unit = kL2Ways * cfg.dma.burst_bytes * cfg.hbm.channels;
  if (cfg.l2.bytes % l2_unit != 0)
    checker.fail("/l2/bytes", fmt::format("{} bytes are not whole sets: a multiple of {} ({} ways x {}-byte lines "
                                          "(dma.burst_bytes) x {} channels) is needed",
                                          cfg.l2.bytes, l2_unit, kL2Ways, cfg.dma.burst_bytes, cfg.hbm.channels));
  // The program and its data need the rest of RAM.
  const uint64_t stacks = uint64_t{cfg.tiles} * cfg.ram.stack_bytes_per_tile;
  if (stacks > cfg.ram.bytes / 2)
    checker.fail("/ram/stack_bytes_per_tile",
                 fmt::format("{} tiles x {} bytes of stack take {} bytes, more than half of the {}-byte RAM",
                             cfg.tiles, cfg.ram.stack_bytes_per_tile, stacks, cfg.ram.bytes));
}

}  // namespace cadre::arch
