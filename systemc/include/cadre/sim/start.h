// Running the SystemC kernel. Every run of the chip model goes through
// sim::start, never sc_core::sc_start directly, so that what the sanitizers
// know of the calling thread's stack stays true after the run (start.cpp).
#pragma once

namespace cadre::sim {

// sc_core::sc_start(): runs until sc_stop() or until no event is left.
void start();

}  // namespace cadre::sim
