// Reading back `cadre area --json` reports: a user's, or those recorded in
// rtl/area/ and compiled in.
#include <fmt/format.h>

#include <cstdint>

#include "cadre/common/json_text.h"
#include "cadre/common/read_file.h"
#include "cadre/rtl/area.h"
#include "rtl_sources.h"

namespace cadre::rtl {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL, kFnvPrime = 0x100000001b3ULL;

uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return hash;
}

// The member `key` of `object`, or a SynthesisError naming it.
const nlohmann::json& member(const nlohmann::json& object, const char* key, std::string_view where) {
  if (!object.is_object() || !object.contains(key))
    throw SynthesisError(fmt::format("{}: no \"{}\"", where, key));
  return object.at(key);
}

bool non_negative_integer(const nlohmann::json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

uint64_t unsigned_member(const nlohmann::json& object, const char* key, std::string_view where) {
  const nlohmann::json& v = member(object, key, where);
  if (!non_negative_integer(v)) throw SynthesisError(fmt::format("{}/{}: not a non-negative integer", where, key));
  return v.get<uint64_t>();
}

ArrayShape shape_of_report(const nlohmann::json& report, std::string_view source) {
  const std::string where = fmt::format("{}: /array", source);
  const nlohmann::json& a = member(report, "array", fmt::format("{}: /", source));
  const auto field = [&](const char* key) {
    const uint64_t v = unsigned_member(a, key, where);
    if (v > UINT32_MAX) throw SynthesisError(fmt::format("{}/{}: {} is out of range", where, key, v));
    return static_cast<uint32_t>(v);
  };
  return {field("rows"), field("cols"), field("preload_rows_per_cycle"), field("weight_buffers")};
}

}  // namespace

std::string rtl_fingerprint() {
  uint64_t hash = kFnvOffset;
  for (const detail::SourceText& s : detail::rtl_source_texts()) {
    hash = fnv1a(hash, s.name);
    hash = fnv1a(hash, std::string_view("\0", 1));
    hash = fnv1a(hash, s.text);
    hash = fnv1a(hash, std::string_view("\0", 1));
  }
  return fmt::format("{:016x}", hash);
}

std::vector<SynthesisedPart> parts_of_area_report(const nlohmann::json& report, const arch::ArchConfig& cfg,
                                                  std::string_view source) {
  const ArrayShape shape = shape_of_report(report, source);
  if (shape != shape_of(cfg))
    throw SynthesisError(fmt::format("{}: /array: a synthesis of the {} array, not of '{}''s {} array", source,
                                     describe(shape), cfg.name, describe(shape_of(cfg))));
  const nlohmann::json& fingerprint = member(report, "rtl_fingerprint", fmt::format("{}: /", source));
  if (!fingerprint.is_string() || fingerprint.get<std::string>() != rtl_fingerprint())
    throw SynthesisError(fmt::format("{}: /rtl_fingerprint: {} is a synthesis of other RTL than this build's ({}); "
                                     "run `cadre area --arch {} --json` again",
                                     source, fingerprint.dump(), rtl_fingerprint(), cfg.name));
  const nlohmann::json& logic = member(report, "logic", fmt::format("{}: /", source));
  if (!logic.is_array() || logic.empty()) throw SynthesisError(fmt::format("{}: /logic: not a list of parts", source));
  std::vector<SynthesisedPart> parts;
  for (size_t i = 0; i < logic.size(); ++i) {
    const std::string where = fmt::format("{}: /logic/{}", source, i);
    SynthesisedPart part;
    const nlohmann::json& name = member(logic[i], "part", where);
    if (!name.is_string()) throw SynthesisError(fmt::format("{}/part: not a string", where));
    part.part = name.get<std::string>();
    part.instances = unsigned_member(logic[i], "instances", where);
    const nlohmann::json& cells = member(logic[i], "cells", where);
    if (!cells.is_object()) throw SynthesisError(fmt::format("{}/cells: not an object", where));
    for (const auto& [type, count] : cells.items()) {
      if (!non_negative_integer(count))
        throw SynthesisError(fmt::format("{}/cells/{}: not a non-negative integer", where, type));
      part.cells[type] = count.get<uint64_t>();
    }
    try {
      (void)part.um2_at_45nm();
    } catch (const std::invalid_argument& e) {
      throw SynthesisError(fmt::format("{}/cells: {}", where, e.what()));
    }
    parts.push_back(std::move(part));
  }
  if (parts.back().part != "matrix engine" || parts.back().instances != 1)
    throw SynthesisError(fmt::format("{}: /logic: the last part is not the one matrix engine", source));
  return parts;
}

std::vector<SynthesisedPart> load_area_report(const std::string& path, const arch::ArchConfig& cfg) {
  // A report is a few kilobytes; anything far larger is not one.
  constexpr uint64_t kMaxReportBytes = 16u << 20;
  std::vector<uint8_t> bytes;
  try {
    bytes = common::read_file(path, kMaxReportBytes);
  } catch (const common::FileReadError& e) {
    throw SynthesisError(e.kind == common::FileReadError::Kind::TooLarge
                             ? fmt::format("{} (not a `cadre area --json` report)", e.what())
                             : std::string(e.what()));
  }
  const std::string text(bytes.begin(), bytes.end());
  return parts_of_area_report(common::parse_json<SynthesisError>(text, common::JsonSource(path)), cfg, path);
}

std::optional<std::vector<SynthesisedPart>> recorded_synthesis(const arch::ArchConfig& cfg) {
  for (const detail::SourceText& r : detail::recorded_area_reports()) {
    const std::string source = fmt::format("rtl/area/{}.json", r.name);
    const nlohmann::json report = common::parse_json<SynthesisError>(r.text, common::JsonSource(source));
    if (shape_of_report(report, source) == shape_of(cfg)) return parts_of_area_report(report, cfg, source);
  }
  return std::nullopt;
}

}  // namespace cadre::rtl
