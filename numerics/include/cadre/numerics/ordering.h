// The order every top-k uses (docs/numerics.md, "Tie-breaking and ordering"):
// larger first and a NaN below every number. Scans go in increasing index and
// replace only when the new value ranks above, so ties stay with the lower index.
#pragma once

#include "cadre/numerics/hd.h"

namespace cadre::num {

CADRE_HD inline bool ranks_above(float a, float b) { return !is_nan(a) && (is_nan(b) || a > b); }

}  // namespace cadre::num
