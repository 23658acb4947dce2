// What `cadre compile`, `run` and `compare` share: the layer on the command line
// (MODEL, --set, --phase, --tokens, --precision, --arch) and its loading; and
// the memory check before a run (`cadre gpu` too).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cadre/arch/arch_config.h"
#include "cadre/compiler/frontend.h"
#include "cadre/model/kernels.h"
#include "exit_codes.h"

namespace cadre::cli {

// The spellings of an enum's values, as the command line accepts them.
template <class E, size_t N>
std::vector<std::string> spellings(const model::Named<E> (&table)[N]) {
  std::vector<std::string> out;
  for (const model::Named<E>& n : table) out.emplace_back(n.name);
  return out;
}

struct LayerOptions {
  std::string model, arch, phase, precision = "fp8";
  std::vector<std::string> sets;
  uint32_t tokens = 0;
  // Adds the options to a subcommand.
  void add_to(CLI::App& cmd);
};

// Loads the model (with --set) and the architecture; InputError when either is bad.
compiler::LayerRequest load_layer(const LayerOptions& o, arch::ArchConfig& arch);

// InputError (exit 2) naming both figures when a run of `tokens` needs more
// bytes than the machine's memory holds: refused before anything is allocated.
void require_memory(double bytes, uint32_t tokens);
// The same for the golden model's trace of the layer (unpadded rows), the most
// a checked run on the chip holds.
void require_golden_memory(const compiler::LayerRequest& request);

}  // namespace cadre::cli
