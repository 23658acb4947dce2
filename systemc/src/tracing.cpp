#include "cadre/sim/tracing.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace cadre::sim {
namespace {

constexpr std::pair<TraceUnit, const char*> kTrackNames[] = {
    {TraceUnit::Core, "core"},
    {TraceUnit::LoadQueue, "load queue (DMA)"},
    {TraceUnit::ComputeQueue, "compute queue (matrix, vector)"},
    {TraceUnit::StoreQueue, "store queue (DMA)"},
};

}  // namespace

Trace::Trace(double clock_ghz, uint32_t tiles, size_t max_events)
    : cycles_per_us_(clock_ghz * 1000.0), tiles_(tiles), max_events_(max_events) {}

void Trace::span(uint32_t tile, TraceUnit unit, std::string_view name, uint64_t start_cycle, uint64_t end_cycle,
                 std::string_view arg_name, uint64_t arg_value) {
  if (end_cycle <= start_cycle) return;
  if (events_.size() >= max_events_) {
    if (!truncated_) truncated_at_ = start_cycle;
    truncated_ = true;
    return;
  }
  events_.push_back({tile, unit, name, start_cycle, end_cycle, arg_name, arg_value});
}

void Trace::write(const std::filesystem::path& path) const {
  nlohmann::json events = nlohmann::json::array();
  for (uint32_t t = 0; t < tiles_; ++t) {
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", t}, {"args", {{"name", fmt::format("tile {}", t)}}}});
    for (const auto& [unit, name] : kTrackNames)
      events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", t}, {"tid", unit}, {"args", {{"name", name}}}});
  }
  const auto us = [&](uint64_t cycles) { return static_cast<double>(cycles) / cycles_per_us_; };
  for (const Event& e : events_) {
    nlohmann::json event = {{"ph", "X"}, {"name", e.name}, {"pid", e.tile}, {"tid", e.unit},
                            {"ts", us(e.start)}, {"dur", us(e.end - e.start)},
                            {"args", {{"start_cycle", e.start}, {"cycles", e.end - e.start}}}};
    if (!e.arg_name.empty()) event["args"][std::string(e.arg_name)] = e.arg_value;
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
