#include "cadre/rtl/array_model.h"

#include <fmt/format.h>

#include <stdexcept>

namespace cadre::rtl {

namespace detail {
// One factory per verilated shape (shape.cpp.in), listed in rtl_shapes.def.
#define CADRE_RTL_SHAPE(prefix, rows, cols, preload_rows, buffers) \
  std::unique_ptr<ArrayModel> make_##prefix(const ArrayShape& shape);
#include "rtl_shapes.def"
}  // namespace detail

namespace {

struct BuiltShape {
  ArrayShape shape;
  std::unique_ptr<ArrayModel> (*make)(const ArrayShape&);
};

constexpr BuiltShape kShapes[] = {
#define CADRE_RTL_SHAPE(prefix, rows, cols, preload_rows, buffers) \
  {ArrayShape{rows, cols, preload_rows, buffers}, &detail::make_##prefix},
#include "rtl_shapes.def"
};

}  // namespace

std::vector<ArrayShape> built_shapes() {
  std::vector<ArrayShape> out;
  for (const BuiltShape& b : kShapes) out.push_back(b.shape);
  return out;
}

std::string missing_model(const ArrayShape& shape) {
  std::string built;
  for (const BuiltShape& b : kShapes) {
    if (b.shape == shape) return "";
    built += (built.empty() ? "" : "; ") + describe(b.shape);
  }
  return fmt::format(
      "no RTL model of the {} array is built (built: {}); add \"{}x{}:{}:{}\" to the CMake list CADRE_RTL_SHAPES",
      describe(shape), built, shape.rows, shape.cols, shape.preload_rows_per_cycle, shape.weight_buffers);
}

std::unique_ptr<ArrayModel> make_array_model(const ArrayShape& shape) {
  for (const BuiltShape& b : kShapes)
    if (b.shape == shape) return b.make(shape);
  throw std::invalid_argument(missing_model(shape));
}

}  // namespace cadre::rtl
