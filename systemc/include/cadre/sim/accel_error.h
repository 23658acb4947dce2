// An Xcadre command that cannot be carried out (an operand outside local
// memory, an index outside its table, a bad format code): the accelerator
// turns it into a run-stopping error naming the tile, PC, cycle and the
// instruction (docs/accelerator.md, "Errors").
#pragma once

#include <stdexcept>

namespace cadre::sim {

class AccelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cadre::sim
