// `cadre compare --report DIR`: the comparison written as files (docs/compare.md,
// "The report"): kernels.csv, layer.csv, utilisation.csv, compare.json, the
// charts roofline.svg, time.svg, energy.svg, utilisation.svg, and index.html
// showing them with the tables and the assumptions.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/runtime/comparison.h"

namespace cadre::report {

// A file of the report that could not be written; the message names it.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The page: the layer and kernel tables, the assumptions, the charts (by file name).
std::string index_html(const runtime::Comparison& c);

// Creates `dir` if needed and writes every file; returns their names.
std::vector<std::string> write_report(const std::filesystem::path& dir, const runtime::Comparison& c);

}  // namespace cadre::report
