// The matrix engine's area (docs/rtl.md, "Area"): the RTL synthesised by
// yosys into simple gates, counted per module, each gate given the area of
// its Nangate 45 nm cell (cell_areas.def); the energy and area model
// (cadre_energy) scales it to the configuration's node and takes it in place
// of its estimate of a MAC cell.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

// FNV-1a (64 bits, hex) of the RTL compiled in, file names and texts: `cadre
// area --json` records it, so that a synthesis of other RTL is known stale.
std::string rtl_fingerprint();

// The synthesised parts of a `cadre area --json` report. SynthesisError,
// naming `source` and the field, unless the report is of cfg's array shape
// and of this build's RTL and its parts are whole.
std::vector<SynthesisedPart> parts_of_area_report(const nlohmann::json& report, const arch::ArchConfig& cfg,
                                                  std::string_view source);

// parts_of_area_report of the file at `path`.
std::vector<SynthesisedPart> load_area_report(const std::string& path, const arch::ArchConfig& cfg);

// The synthesis of cfg's array shape recorded in rtl/area/ (compiled in), if
// one is recorded; which is how `cadre compare` takes the RTL's area without
// running yosys. SynthesisError when that record is of other RTL.
std::optional<std::vector<SynthesisedPart>> recorded_synthesis(const arch::ArchConfig& cfg);

}  // namespace cadre::rtl
