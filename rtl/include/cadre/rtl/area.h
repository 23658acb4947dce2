// The matrix engine's area (docs/rtl.md, "Area"): the RTL synthesised by
// yosys into simple gates, counted per module, each gate given the area of
// its Nangate 45 nm cell (cell_areas.def); the energy and area model
// (cadre_energy) scales it to the configuration's node and takes it in place
// of its estimate of a MAC cell.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/energy/area_model.h"
#include "cadre/energy/tech_node.h"
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

struct SynthesisedPart {
  std::string part;    // "processing element", "accumulator stage", "matrix engine"
  uint64_t instances;  // in one engine
  CellCounts cells;    // of one instance
  uint64_t gates() const;
  double um2_at_45nm() const { return area_um2_at_45nm(cells); }
};

// One engine of cfg's shape synthesised (runs yosys on the embedded RTL):
// the processing element, the accumulator stage and the whole engine.
// SynthesisError when yosys is missing or fails.
std::vector<SynthesisedPart> synthesise_engine(const arch::ArchConfig& cfg);

// The energy model's logic areas with the synthesised engine in place of its
// MAC-cell estimate: the engine (cells, accumulator stages, control) at the
// node, divided among its R x C cells, so that the model's MAC arrays are
// the engines' area. The vector lanes, cores and tile control stay estimates.
energy::LogicArea logic_area_with_engine(const arch::ArchConfig& cfg, const energy::TechNode& node,
                                         const std::vector<SynthesisedPart>& engine);

}  // namespace cadre::rtl
