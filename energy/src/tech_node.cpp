#include "cadre/energy/tech_node.h"

#include <fmt/format.h>

#include <cmath>

namespace cadre::energy {
namespace {

constexpr TechNode kNodes[] = {
#define CADRE_TECH_NODE(nm, density, bitcell, process, source) {nm, density, bitcell, process, source},
#include "cadre/energy/tech_nodes.def"
};

// log-log interpolation of y between (x0, y0) and (x1, y1) at x.
double interpolate(double x, double x0, double y0, double x1, double y1) {
  const double t = (std::log(x) - std::log(x0)) / (std::log(x1) - std::log(x0));
  return std::exp(std::log(y0) + t * (std::log(y1) - std::log(y0)));
}

}  // namespace

std::span<const TechNode> tech_nodes() { return kNodes; }
const TechNode& reference_node() { return kNodes[0]; }

TechNode tech_node(double nm) {
  double smallest = kNodes[0].nm, largest = kNodes[0].nm;
  for (const TechNode& n : kNodes) {
    if (n.nm == nm) return n;
    smallest = std::min(smallest, n.nm);
    largest = std::max(largest, n.nm);
  }
  // The two rows around nm: the nearest larger and the nearest smaller node.
  const TechNode* above = nullptr;
  const TechNode* below = nullptr;
  for (const TechNode& n : kNodes) {
    if (n.nm > nm && (!above || n.nm < above->nm)) above = &n;
    if (n.nm < nm && (!below || n.nm > below->nm)) below = &n;
  }
  if (!above || !below)
    throw TechNodeError(fmt::format("technology node {} nm is outside the energy model's table ({} to {} nm; "
                                    "docs/energy.md)", nm, smallest, largest));
  TechNode t;
  t.nm = nm;
  t.logic_mtr_per_mm2 = interpolate(nm, below->nm, below->logic_mtr_per_mm2, above->nm, above->logic_mtr_per_mm2);
  t.sram_bitcell_um2 = interpolate(nm, below->nm, below->sram_bitcell_um2, above->nm, above->sram_bitcell_um2);
  t.source = "interpolated log-log between the table's neighbouring nodes";
  return t;
}

double area_scale(const TechNode& node) { return reference_node().logic_mtr_per_mm2 / node.logic_mtr_per_mm2; }

double energy_scale(const TechNode& node) { return std::sqrt(area_scale(node)); }

}  // namespace cadre::energy
