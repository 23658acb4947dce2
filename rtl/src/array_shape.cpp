#include "cadre/rtl/array_shape.h"

#include <fmt/format.h>

namespace cadre::rtl {

ArrayShape shape_of(const arch::ArchConfig& cfg) {
  return {cfg.matrix.rows, cfg.matrix.cols, cfg.matrix.preload_rows_per_cycle, cfg.matrix.weight_buffers};
}

std::string describe(const ArrayShape& s) {
  return fmt::format("{}x{}, {} preload row{} a cycle, {} weight buffer{}", s.rows, s.cols, s.preload_rows_per_cycle,
                     s.preload_rows_per_cycle == 1 ? "" : "s", s.weight_buffers, s.weight_buffers == 1 ? "" : "s");
}

}  // namespace cadre::rtl
