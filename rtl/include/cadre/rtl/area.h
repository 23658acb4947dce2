// The matrix engine's area (docs/rtl.md, "Area"): the RTL synthesised by
// yosys into simple gates, counted per module, each gate given the area of
// its Nangate 45 nm cell (cell_areas.def) and scaled to the configuration's
// technology node; the SRAMs from a size-based model beside it.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/rtl/array_shape.h"

namespace cadre::rtl {

// A yosys run that failed (not installed, or it rejected the design).
class SynthesisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Gates by yosys cell type ($_NAND_, $_DFF_P_, ...), submodules included.
using CellCounts = std::map<std::string, uint64_t>;

struct CellArea {
  const char* type;     // yosys's
  const char* cell;     // the library's
  double um2_at_45nm;
};
// cell_areas.def, in its order.
const std::vector<CellArea>& cell_areas();

// um^2 at 45 nm; std::invalid_argument naming a cell type the table lacks.
double area_um2_at_45nm(const CellCounts& cells);
// Logic area scales with the square of the feature size: (node / 45)^2.
double logic_scale(double tech_node_nm);

struct LogicArea {
  std::string part;    // "processing element", "accumulator stage", "matrix engine"
  uint64_t instances;  // in one engine
  CellCounts cells;    // of one instance
  uint64_t gates() const;
  double um2_at_45nm() const { return area_um2_at_45nm(cells); }
};

// One engine of cfg's shape synthesised (runs yosys on the embedded RTL):
// the processing element, the accumulator stage and the whole engine.
// SynthesisError when yosys is missing or fails.
std::vector<LogicArea> synthesise_engine(const arch::ArchConfig& cfg);

// The SRAM model: mm^2 of `bytes` of 6T SRAM at the node (docs/rtl.md,
// "SRAM"): bits x the published bit cell area at that node / array efficiency.
double sram_mm2(uint64_t bytes, double tech_node_nm);
// The bit cell area (um^2) the model uses at a node: published cells
// interpolated log-log, scaled by the square rule beyond them.
double sram_bitcell_um2(double tech_node_nm);
inline constexpr double kSramArrayEfficiency = 0.7;

}  // namespace cadre::rtl
