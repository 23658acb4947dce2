#include "cadre/sim/tracing.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace cadre::sim {

Trace::Trace(double clock_ghz, uint32_t tiles, size_t max_events)
    : cycles_per_us_(clock_ghz * 1000.0), tiles_(tiles), max_events_(max_events) {}

void Trace::span(uint32_t tile, TraceUnit unit, std::string_view name, uint64_t start_cycle, uint64_t end_cycle,
                 uint64_t instructions) {
  if (end_cycle <= start_cycle) return;
  if (events_.size() >= max_events_) {
    if (!truncated_) truncated_at_ = start_cycle;
    truncated_ = true;
    return;
  }
  events_.push_back({tile, unit, name, start_cycle, end_cycle, instructions});
}

void Trace::write(const std::filesystem::path& path) const {
  nlohmann::json events = nlohmann::json::array();
  for (uint32_t t = 0; t < tiles_; ++t) {
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", t}, {"args", {{"name", fmt::format("tile {}", t)}}}});
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", t}, {"tid", TraceUnit::Core},
                      {"args", {{"name", "core"}}}});
  }
  const auto us = [&](uint64_t cycles) { return static_cast<double>(cycles) / cycles_per_us_; };
  for (const Event& e : events_) {
    nlohmann::json event = {{"ph", "X"}, {"name", e.name}, {"pid", e.tile}, {"tid", e.unit},
                            {"ts", us(e.start)}, {"dur", us(e.end - e.start)},
                            {"args", {{"start_cycle", e.start}, {"cycles", e.end - e.start}}}};
    if (e.instructions != 0) event["args"]["instructions"] = e.instructions;
    events.push_back(std::move(event));
  }
  if (truncated_)
    events.push_back({{"ph", "i"}, {"s", "g"}, {"name", fmt::format("trace truncated at {} events", max_events_)},
                      {"pid", 0}, {"tid", TraceUnit::Core}, {"ts", us(truncated_at_)}});
  std::ofstream out(path);
  out << nlohmann::json{{"traceEvents", std::move(events)}, {"displayTimeUnit", "ns"}}.dump() << '\n';
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write the trace", path.string()));
}

}  // namespace cadre::sim
