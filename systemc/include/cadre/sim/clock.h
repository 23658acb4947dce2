// Cycles <-> SystemC time. Every component counts whole cycles; SystemC time is
// cycles times a period rounded to whole picoseconds, so converting back is
// exact and the rounding never changes a cycle count (simulated seconds are
// reported from cycles / clock, not from SystemC time).
#pragma once

#include <systemc>

#include <cmath>
#include <cstdint>

#include "cadre/common/int_math.h"

namespace cadre::sim {

class Clock {
 public:
  explicit Clock(double ghz) : period_ps_(static_cast<uint64_t>(std::llround(1000.0 / ghz))), ghz_(ghz) {}
  // SystemC's default time resolution is 1 ps, so a value counts picoseconds.
  sc_core::sc_time to_time(uint64_t cycles) const {
    return sc_core::sc_time::from_value(cycles * period_ps_.divisor());
  }
  uint64_t to_cycles(const sc_core::sc_time& t) const { return period_ps_.quotient(t.value()); }
  uint64_t now_cycles() const { return to_cycles(sc_core::sc_time_stamp()); }
  double ghz() const { return ghz_; }

 private:
  common::Divisor period_ps_;  // divides a conversion a burst, and more
  double ghz_;
};

}  // namespace cadre::sim
