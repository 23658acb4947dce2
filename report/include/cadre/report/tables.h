// The report's tables as CSV (columns.def; docs/compare.md).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cadre/runtime/comparison.h"

namespace cadre::report {

struct CsvColumn {
  std::string_view file;  // kernels, layer, utilisation: the file's name without .csv
  std::string_view name;
  std::string_view meaning;
};
std::span<const CsvColumn> csv_columns();

// A CSV file: the header from columns.def, then one line per row.
std::string kernels_csv(const runtime::Comparison& c);      // each machine's kernels, Cadre's control
std::string layer_csv(const runtime::Comparison& c);        // one line per machine
std::string utilisation_csv(const runtime::Comparison& c);  // one line per bin

}  // namespace cadre::report
