// The argument block: where the compiled program expects each tensor in HBM.
// The compiler writes it into the ELF (section `.cadre.args`, JSON) from the
// allocated tile program; the runtime reads it back to place inputs and
// weights and to find outputs. It is the one description of that layout.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/compiler/ir.h"

namespace cadre::compiler {

inline constexpr std::string_view kArgsSection = ".cadre.args";
inline constexpr std::string_view kArgsFormat = "cadre.args/1";

struct TensorArg {
  std::string name;  // the tile program's tensor
  std::string role;  // input, router_weight, expert_gate, ... or the kernel whose output it is
  std::string io;    // input | weight | output | scratch (scratch: zero at entry)
  num::Format dtype = num::Format::FP32;
  std::vector<uint64_t> shape;
  uint64_t address = 0;
  uint64_t bytes() const;
};

struct ArgumentBlock {
  Attrs module;  // what the module says of the layer (model, phase, tokens, precision, ...)
  std::vector<TensorArg> tensors;
  const TensorArg* find(std::string_view role) const;  // by role
};

// From an allocated program (every tensor has an address); IrError otherwise.
ArgumentBlock argument_block(const Module& module);
std::string to_json(const ArgumentBlock& block);
// Throws std::invalid_argument naming what is wrong.
ArgumentBlock parse_argument_block(std::string_view json);

}  // namespace cadre::compiler
