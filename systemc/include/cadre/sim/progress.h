// The progress line of a long simulation (`cadre sim`, `cadre run` on a terminal).
#pragma once

#include <cstdint>

namespace cadre::sim {

// What the progress line knows of the whole run ahead, to say how far it is:
// the HBM bytes it is expected to move (0: unknown; a layer's roofline bytes)
// and the tokens it works on (0: not a layer).
struct ProgressGoal {
  uint64_t hbm_bytes = 0;
  uint32_t tokens = 0;
};

}  // namespace cadre::sim
