// The run report: JSON for `cadre sim --json`, a table for `--stats`.
#include <fmt/format.h>

#include "cadre/sim/simulate.h"

namespace cadre::sim {
namespace {

double ipc(uint64_t instructions, uint64_t cycles) {
  return cycles == 0 ? 0.0 : static_cast<double>(instructions) / static_cast<double>(cycles);
}

double ratio(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

const char* const kQueueNames[] = {"load", "compute", "store"};

// Cycles of the tile's run in which a queue neither ran a command nor waited
// on a semaphore: it was empty.
uint64_t idle_cycles(const QueueStats& q, uint64_t tile_cycles) {
  const uint64_t used = q.busy_cycles + q.semaphore_cycles;
  return tile_cycles > used ? tile_cycles - used : 0;
}

nlohmann::ordered_json accelerator_json(const AcceleratorStats& a, uint64_t tile_cycles, uint64_t cells) {
  nlohmann::ordered_json queues;
  for (size_t q = 0; q < a.queues.size(); ++q) {
    const QueueStats& s = a.queues[q];
    queues[kQueueNames[q]] = {{"issued", s.issued},
                              {"retired", s.retired},
                              {"busy_cycles", s.busy_cycles},
                              {"semaphore_wait_cycles", s.semaphore_cycles},
                              {"idle_cycles", idle_cycles(s, tile_cycles)},
                              {"busy_fraction", ratio(s.busy_cycles, tile_cycles)}};
  }
  return {{"queues", queues},
          {"core_waits",
           {{"queue_full_cycles", a.core_waits.queue_full_cycles},
            {"fence_cycles", a.core_waits.fence_cycles},
            {"semaphore_cycles", a.core_waits.semaphore_cycles}}},
          {"dma",
           {{"commands", a.dma.commands},
            {"bursts", a.dma.bursts},
            {"bytes_read", a.dma.bytes_read},
            {"bytes_written", a.dma.bytes_written},
            {"outstanding_limit_cycles", a.dma.outstanding_limit_cycles}}},
          {"matrix",
           {{"commands", a.matrix.commands},
            {"busy_cycles", a.matrix.busy_cycles},
            {"bank_conflict_cycles", a.matrix.conflict_cycles},
            {"macs", a.matrix.macs},
            {"bf16_macs", a.matrix.bf16_macs},
            {"mac_utilisation", ratio(a.matrix.macs, tile_cycles * cells)}}},
          {"vector",
           {{"commands", a.vector.commands},
            {"busy_cycles", a.vector.busy_cycles},
            {"bank_conflict_cycles", a.vector.conflict_cycles},
            {"elements", a.vector.elements}}},
          {"local_memory",
           {{"bytes_read", a.local_memory.bytes_read()},
            {"bytes_written", a.local_memory.bytes_written()},
            {"scratchpad_bytes_read", a.local_memory.scratchpad_bytes_read},
            {"scratchpad_bytes_written", a.local_memory.scratchpad_bytes_written},
            {"accumulator_bytes_read", a.local_memory.accumulator_bytes_read},
            {"accumulator_bytes_written", a.local_memory.accumulator_bytes_written},
            {"conflicting_commands", a.local_memory.conflicts},
            {"conflict_cycles", a.local_memory.conflict_cycles}}}};
}

// The tags the tile used: its commands' work and its core's instructions.
nlohmann::ordered_json tags_json(const TileResult& tile) {
  nlohmann::ordered_json tags = nlohmann::ordered_json::array();
  for (size_t t = 0; t < tile.tags.size(); ++t) {
    const TagStats& s = tile.tags[t];
    if (s.commands == 0 && tile.stats.instructions_by_tag[t] == 0) continue;
    tags.push_back({{"tag", t},
                    {"instructions", tile.stats.instructions_by_tag[t]},
                    {"commands", s.commands},
                    {"load_busy_cycles", s.queue_busy_cycles[0]},
                    {"compute_busy_cycles", s.queue_busy_cycles[1]},
                    {"store_busy_cycles", s.queue_busy_cycles[2]},
                    {"matrix_busy_cycles", s.matrix_busy_cycles},
                    {"vector_busy_cycles", s.vector_busy_cycles},
                    {"macs", s.work.macs},
                    {"bf16_macs", s.work.bf16_macs},
                    {"vector_elements", s.work.vector_elements},
                    {"dma_bytes_read", s.work.dma_bytes_read},
                    {"dma_bytes_written", s.work.dma_bytes_written},
                    {"scratchpad_bytes", s.work.scratchpad_bytes},
                    {"accumulator_bytes", s.work.accumulator_bytes},
                    {"first_cycle", s.first_cycle},
                    {"last_cycle", s.last_cycle},
                    {"attributed_cycles", s.attributed_cycles}});
  }
  return tags;
}

std::string accelerator_table(const SimResult& r) {
  std::string out = fmt::format("{:<6} {:<8} {:>8} {:>12} {:>12} {:>12} {:>6}\n", "tile", "queue", "commands",
                                "busy", "sem wait", "idle", "busy%");
  for (size_t t = 0; t < r.tiles.size(); ++t)
    for (size_t q = 0; q < isa::kQueueCount; ++q) {
      const QueueStats& s = r.tiles[t].accelerator.queues[q];
      out += fmt::format("{:<6} {:<8} {:>8} {:>12} {:>12} {:>12} {:>6.1f}\n", t, kQueueNames[q], s.retired,
                         s.busy_cycles, s.semaphore_cycles, idle_cycles(s, r.tiles[t].cycles),
                         100.0 * ratio(s.busy_cycles, r.tiles[t].cycles));
    }
  out += fmt::format("{:<6} {:>12} {:>7} {:>13} {:>10} {:>12} {:>12} {:>10} {:>14} {:>14} {:>10}\n", "tile",
                     "MACs", "MAC%", "matrix busy", "vec elems", "vec busy", "conflict cyc", "DMA cmds",
                     "DMA read B", "DMA write B", "limit cyc");
  for (size_t t = 0; t < r.tiles.size(); ++t) {
    const AcceleratorStats& a = r.tiles[t].accelerator;
    out += fmt::format("{:<6} {:>12} {:>7.1f} {:>13} {:>10} {:>12} {:>12} {:>10} {:>14} {:>14} {:>10}\n", t,
                       a.matrix.macs, 100.0 * ratio(a.matrix.macs, r.tiles[t].cycles * r.matrix_cells),
                       a.matrix.busy_cycles, a.vector.elements, a.vector.busy_cycles,
                       a.local_memory.conflict_cycles, a.dma.commands, a.dma.bytes_read, a.dma.bytes_written,
                       a.dma.outstanding_limit_cycles);
  }
  out += fmt::format("{:<6} {:>16} {:>16} {:>16}\n", "tile", "core: queue full", "fence", "semaphore");
  for (size_t t = 0; t < r.tiles.size(); ++t) {
    const CoreWaitStats& w = r.tiles[t].accelerator.core_waits;
    out += fmt::format("{:<6} {:>16} {:>16} {:>16}\n", t, w.queue_full_cycles, w.fence_cycles, w.semaphore_cycles);
  }
  return out;
}

}  // namespace

std::string_view name(SimErrorKind kind) {
  switch (kind) {
    case SimErrorKind::IllegalInstruction: return "illegal_instruction";
    case SimErrorKind::MisalignedAccess: return "misaligned_access";
    case SimErrorKind::AccessFault: return "access_fault";
    case SimErrorKind::FetchFault: return "fetch_fault";
    case SimErrorKind::BadEcall: return "bad_ecall";
    case SimErrorKind::MaxCycles: return "max_cycles";
  }
  return "unknown";
}

nlohmann::ordered_json to_json(const SimResult& r) {
  nlohmann::ordered_json j;
  j["program_exit_code"] = r.exit_code;
  if (r.error)
    j["error"] = {{"kind", name(r.error->kind)}, {"tile", r.error->tile}, {"pc", r.error->pc},
                  {"cycle", r.error->cycle}, {"message", r.error->message}};
  else
    j["error"] = nullptr;
  j["cycles"] = r.cycles;
  j["instructions"] = r.instructions;
  j["ipc"] = ipc(r.instructions, r.cycles);
  j["clock_ghz"] = r.clock_ghz;
  j["simulated_seconds"] = r.simulated_seconds;
  nlohmann::ordered_json tiles = nlohmann::ordered_json::array();
  for (size_t t = 0; t < r.tiles.size(); ++t) {
    const TileResult& tile = r.tiles[t];
    nlohmann::ordered_json by_class, stalls;
    for (size_t c = 0; c < kInsnClassCount; ++c) by_class[name(static_cast<InsnClass>(c))] = tile.stats.by_class[c];
    for (size_t c = 0; c < kStallCauseCount; ++c)
      stalls[name(static_cast<StallCause>(c))] = tile.stats.stall_cycles[c];
    tiles.push_back({{"tile", t}, {"exited", tile.exited}, {"exit_code", tile.exit_code}, {"cycles", tile.cycles},
                     {"instructions", tile.stats.instructions}, {"ipc", ipc(tile.stats.instructions, tile.cycles)},
                     {"instructions_by_class", by_class}, {"stall_cycles", stalls},
                     {"accelerator", accelerator_json(tile.accelerator, tile.cycles, r.matrix_cells)},
                     {"idle_cycles", tile.idle_cycles}, {"tags", tags_json(tile)}});
  }
  j["tiles"] = tiles;
  nlohmann::ordered_json channels = nlohmann::ordered_json::array();
  for (size_t c = 0; c < r.hbm_channels.size(); ++c)
    channels.push_back({{"channel", c}, {"accesses", r.hbm_channels[c].accesses}, {"bytes", r.hbm_channels[c].bytes},
                        {"busy_cycles", r.hbm_channels[c].busy_cycles},
                        {"wait_cycles", r.hbm_channels[c].wait_cycles}});
  j["hbm_channels"] = channels;
  j["stdout"] = r.stdout_text;
  j["stderr"] = r.stderr_text;
  j["output_truncated"] = r.output_truncated;
  j["trace_events"] = r.trace_events;
  j["trace_truncated"] = r.trace_truncated;
  // The only figures that differ between two runs of the same inputs.
  j["wall_clock"] = {{"seconds", r.wall_seconds},
                     {"instructions_per_second",
                      r.wall_seconds > 0 ? static_cast<double>(r.instructions) / r.wall_seconds : 0.0}};
  return j;
}

std::string stats_table(const SimResult& r) {
  std::string out;
  out += fmt::format("cycles            {}\n", r.cycles);
  out += fmt::format("instructions      {}\n", r.instructions);
  out += fmt::format("IPC               {:.3f}\n", ipc(r.instructions, r.cycles));
  out += fmt::format("simulated time    {:.6f} ms at {} GHz\n", r.simulated_seconds * 1e3, r.clock_ghz);
  out += fmt::format("wall time         {:.3f} s ({:.1f} M instructions/s)\n", r.wall_seconds,
       r.wall_seconds > 0 ? static_cast<double>(r.instructions) / r.wall_seconds / 1e6 : 0.0);
  std::string header = fmt::format("{:<6} {:>6} {:>12} {:>12} {:>6}", "tile", "exit", "cycles", "instructions", "IPC");
  for (size_t c = 0; c < kInsnClassCount; ++c) header += fmt::format(" {:>10}", name(static_cast<InsnClass>(c)));
  for (size_t c = 0; c < kStallCauseCount; ++c)
    header += fmt::format(" {:>10}", fmt::format("{}_stall", name(static_cast<StallCause>(c))));
  out += fmt::format("{}\n", header);
  for (size_t t = 0; t < r.tiles.size(); ++t) {
    const TileResult& tile = r.tiles[t];
    std::string row = fmt::format("{:<6} {:>6} {:>12} {:>12} {:>6.3f}", t,
                                  tile.exited ? fmt::format("{}", tile.exit_code) : std::string("-"), tile.cycles,
                                  tile.stats.instructions, ipc(tile.stats.instructions, tile.cycles));
    for (uint64_t n : tile.stats.by_class) row += fmt::format(" {:>10}", n);
    for (uint64_t n : tile.stats.stall_cycles) row += fmt::format(" {:>10}", n);
    out += fmt::format("{}\n", row);
  }
  out += fmt::format("{:<8} {:>10} {:>14} {:>12} {:>12}\n", "channel", "accesses", "bytes", "busy cycles",
                     "wait cycles");
  for (size_t c = 0; c < r.hbm_channels.size(); ++c)
    out += fmt::format("{:<8} {:>10} {:>14} {:>12} {:>12}\n", c, r.hbm_channels[c].accesses, r.hbm_channels[c].bytes,
                       r.hbm_channels[c].busy_cycles, r.hbm_channels[c].wait_cycles);
  out += accelerator_table(r);
  return out;
}

}  // namespace cadre::sim
