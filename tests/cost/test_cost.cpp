// The cost model: its formulas on hand-worked cases, the DMA cost against the
// closed form docs/accelerator.md gives, and the doc's table of vector passes
// against the library's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadre/arch/arch_json.h"
#include "cadre/arch/memory_map.h"
#include "cadre/cost/cost.h"

namespace cadre::cost {
namespace {

using isa::Op;

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(CADRE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

arch::ArchConfig small() { return arch::load_arch("small"); }

TEST(CostMatrix, FoldsPreloadAndStream) {
  // 8 x 8 array, A 10 x 16, B 16 x 16: 2 x 2 folds of 8 preload + (8 + 8 + 10 - 2) stream cycles.
  const MatrixTiming t = matmul_timing(small(), 10, 16, 16);
  EXPECT_EQ(t.folds, 4u);
  EXPECT_EQ(t.preload_cycles, 8u);
  EXPECT_EQ(t.stream_cycles, 24u);
  EXPECT_EQ(t.total(), 128u);
  // A partial fold costs a whole one.
  EXPECT_EQ(matmul_timing(small(), 1, 9, 9).folds, 4u);
  EXPECT_EQ(ws_timing(128, 64, 32, 7168, 2048).total(), 16u * 112 * (128 + 128 + 64 + 32 - 2));
}

TEST(CostMatrix, WiderPreloadAndDoubleBufferedWeights) {
  arch::ArchConfig cfg = small();  // 8 x 8
  // A 10 x 16, B 16 x 16: F = 4 folds, M = 10, R + C - 2 = 14.
  cfg.matrix.preload_rows_per_cycle = 4;  // P = 2
  EXPECT_EQ(matmul_timing(cfg, 10, 16, 16).total(), 4u * (2 + 24));
  cfg.matrix.weight_buffers = 2;  // P + 3 * max(P, M) + (14 + M)
  EXPECT_EQ(matmul_timing(cfg, 10, 16, 16).total(), 2u + 3 * 10 + 24);
  // Decode-sized M: the preload bounds each fold.
  EXPECT_EQ(matmul_timing(cfg, 1, 16, 16).total(), 2u + 3 * 2 + 15);
  cfg.matrix.preload_rows_per_cycle = 3;  // P = ceil(8 / 3) = 3
  EXPECT_EQ(matmul_timing(cfg, 1, 16, 16).total(), 3u + 3 * 3 + 15);
  // One fold: nothing to overlap, the same as one weight register.
  cfg.matrix.preload_rows_per_cycle = 1;
  const uint64_t one_fold = matmul_timing(cfg, 5, 8, 8).total();
  cfg.matrix.weight_buffers = 1;
  EXPECT_EQ(one_fold, matmul_timing(cfg, 5, 8, 8).total());
  EXPECT_EQ(one_fold, ws_timing(8, 8, 5, 8, 8).total());
}

TEST(CostDma, IssueCyclesAreTheLinkBoundPartOfATransfer) {
  const arch::ArchConfig cfg = small();  // link 16 bytes a cycle: a 64-byte burst every 4 cycles
  const uint64_t hbm = arch::kHbmBase;
  // 10 bursts, fewer than the 32 in flight: the link sends the last at 36 and is free at 40.
  EXPECT_EQ(dma_issue_cycles(cfg, 1, 640, hbm, 0), 40u);
  // Completion adds the last burst's round trip.
  EXPECT_EQ(dma_transfer_cycles(cfg, 1, 640, hbm, 0), 36u + hbm_burst_cycles(cfg, 64));
  // RAM is untimed: the link still sends the bytes.
  EXPECT_EQ(dma_issue_cycles(cfg, 1, 640, arch::kRamBase, 0), 40u);
}

TEST(CostVector, EveryVectorInstructionHasOneRowInTableOrder) {
  std::vector<Op> vector_ops;
  for (const isa::InsnInfo& i : isa::xcadre_table())
    if (i.unit == isa::Unit::Vector) vector_ops.push_back(i.op);
  std::vector<Op> rows;
  for (const VectorPasses& p : vector_passes_table()) rows.push_back(p.op);
  EXPECT_EQ(rows, vector_ops);
  EXPECT_THROW(vector_passes(Op::MatrixMul), std::invalid_argument);
  EXPECT_THROW(vector_cycles(small(), Op::DmaLoad, {}), std::invalid_argument);
}

TEST(CostVector, HandWorkedCycles) {
  const arch::ArchConfig cfg = small();  // 8 lanes
  EXPECT_EQ(vector_cycles(cfg, Op::VecAdd, {.rows = 1, .cols = 80}), 4u + 10);
  EXPECT_EQ(vector_cycles(cfg, Op::VecSigmoid, {.rows = 1, .cols = 81}), 4u + 2 * 11);
  EXPECT_EQ(vector_cycles(cfg, Op::VecSoftmax, {.rows = 5, .cols = 300}), 4u + 5 * 3 * 38);
  EXPECT_EQ(vector_cycles(cfg, Op::VecSiluMulQuant, {.rows = 4, .cols = 200}), 4u + 4 * 4 * 25);
  EXPECT_EQ(vector_cycles(cfg, Op::VecTopK, {.rows = 3, .cols = 64, .k = 6}), 4u + 3 * 7 * 8);
  EXPECT_EQ(vector_cycles(cfg, Op::VecGroupTopK, {.rows = 3, .cols = 256, .k = 8}), 4u + 3 * 11 * 32);
  // cvec.align: two sweeps over the assignments, then the padded lists.
  const VectorTiming align = vector_timing(cfg, Op::VecAlign, {.rows = 1, .cols = 24, .capacity = 24 + 4 * 15});
  EXPECT_EQ(align.sweep_cycles, 2u * 3);
  EXPECT_EQ(align.other_cycles, 4u + 84 / 8 + 1);
  EXPECT_EQ(vector_cycles(cfg, Op::VecQuantConfig, {}), kConfigCycles);
  EXPECT_EQ(vector_cycles(cfg, Op::VecRouteConfig, {}), kConfigCycles);
  EXPECT_EQ(vector_timing(cfg, Op::VecRouteConfig, {}).sweep_cycles, 0u);
}

// The passes column as docs/accelerator.md writes it.
std::string passes_text(const VectorPasses& p) {
  if (p.passes_per_k == 0) return std::to_string(p.passes);
  return std::to_string(p.passes) + " + " + (p.passes_per_k == 1 ? "" : std::to_string(p.passes_per_k) + " ") + "k";
}

TEST(CostVector, TheDocumentedTableIsTheLibrarys) {
  const std::string doc = read_source_file("docs/accelerator.md");
  const size_t start = doc.find("## Vector unit");
  ASSERT_NE(start, std::string::npos);
  const std::string section = doc.substr(start, doc.find("\n## ", start + 1) - start);
  EXPECT_NE(section.find("cycles = " + std::to_string(kVectorStartupCycles) + " (startup"), std::string::npos);

  // | `cvec.add`, `cvec.mul` | 1 x n | 1 | what each sweep does |
  std::map<std::string, std::string> documented;  // mnemonic -> passes column
  std::map<std::string, std::string> what;        // mnemonic -> last column
  const std::regex row(R"(^\| (`cvec[^|]*) \| [^|]* \| ([^|]*) \| ([^|]*) \|$)");
  const std::regex mnemonic("`(cvec\\.[a-z.]+)`");
  std::istringstream lines(section);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    const std::string commands = m[1], passes = m[2], sweeps = m[3];
    for (auto it = std::sregex_iterator(commands.begin(), commands.end(), mnemonic); it != std::sregex_iterator();
         ++it) {
      EXPECT_FALSE(documented.contains((*it)[1])) << (*it)[1] << " has two rows";
      documented[(*it)[1]] = passes;
      what[(*it)[1]] = sweeps;
    }
  }
  for (const VectorPasses& p : vector_passes_table()) {
    const std::string name(isa::info(p.op).mnemonic);
    if (p.passes == 0) {
      // Configuration commands are a sentence, not a row.
      EXPECT_FALSE(documented.contains(name)) << name;
      const std::regex sentence("`" + std::regex_replace(name, std::regex("\\."), "\\.") + "`[^\n]*take " +
                                std::to_string(kConfigCycles) + " cycle");
      EXPECT_TRUE(std::regex_search(section, sentence)) << name << " is not said to take one cycle";
      continue;
    }
    ASSERT_TRUE(documented.contains(name)) << name << " is not in the table";
    EXPECT_EQ(documented[name], passes_text(p)) << name;
    EXPECT_EQ(what[name].find("ceil(capacity / lanes)") != std::string::npos, p.fills_lists) << name;
    documented.erase(name);
  }
  for (const auto& [name, passes] : documented) ADD_FAILURE() << name << " is documented but not in the library";
}

// docs/accelerator.md, "DMA": n full bursts with nothing else on the channels.
uint64_t documented_transfer_cycles(const arch::ArchConfig& cfg, uint64_t n) {
  const uint64_t b = cfg.dma.burst_bytes, w = cfg.interconnect.bytes_per_cycle, N = cfg.dma.max_outstanding_bursts;
  const uint64_t interval = (b + w - 1) / w;
  const auto channel =
      static_cast<uint64_t>(std::ceil(static_cast<double>(b) / arch::hbm_bytes_per_cycle_per_channel(cfg)));
  const uint64_t round_trip = cfg.interconnect.latency_cycles + interval + channel + arch::hbm_latency_cycles(cfg);
  return (n - 1) / N * std::max(round_trip, N * interval) + (n - 1) % N * interval + round_trip;
}

TEST(CostDma, FullBurstTransfersAreTheDocumentedFormula) {
  arch::ArchConfig cfg = small();
  for (uint32_t burst : {16u, 64u, 256u})
    for (uint32_t link : {4u, 16u, 64u})
      for (uint32_t outstanding : {1u, 3u, 8u, 32u})
        for (uint32_t latency : {0u, 10u, 50u})
          for (uint64_t rows : {1u, 3u, 17u}) {
            cfg.dma.burst_bytes = burst;
            cfg.interconnect.bytes_per_cycle = link;
            cfg.dma.max_outstanding_bursts = outstanding;
            cfg.interconnect.latency_cycles = latency;
            const uint64_t row_bytes = 5 * burst;
            EXPECT_EQ(dma_transfer_cycles(cfg, rows, row_bytes, arch::kHbmBase + 7 * burst, 0),
                      documented_transfer_cycles(cfg, rows * 5))
                << burst << " " << link << " " << outstanding << " " << latency << " " << rows;
          }
}

TEST(CostDma, BurstsAreAlignedToTheBurstSize) {
  const arch::ArchConfig cfg = small();  // 64-byte bursts
  EXPECT_EQ(burst_bytes_at(cfg, arch::kHbmBase + 0x30, 100), 16u);
  EXPECT_EQ(burst_bytes_at(cfg, arch::kHbmBase + 0x40, 100), 64u);
  EXPECT_EQ(burst_bytes_at(cfg, arch::kHbmBase + 0x40, 10), 10u);
  // One 100-byte row at offset 0x30 is bursts of 16, 64 and 20 bytes: on a
  // 16-byte link they issue at 0, 1 and 5, each completing a round trip later.
  const uint64_t last = 5 + hbm_burst_cycles(cfg, 20);
  EXPECT_EQ(dma_transfer_cycles(cfg, 1, 100, arch::kHbmBase + 0x30, 0),
            std::max({hbm_burst_cycles(cfg, 16), 1 + hbm_burst_cycles(cfg, 64), last}));
  // Rows of 64 bytes 0x30 apart: row 0 is one burst, row 1 a 16- and a
  // 48-byte one, issued at 0, 4 and 5.
  EXPECT_EQ(dma_transfer_cycles(cfg, 2, 64, arch::kHbmBase, 0x30),
            std::max({hbm_burst_cycles(cfg, 64), 4 + hbm_burst_cycles(cfg, 16), 5 + hbm_burst_cycles(cfg, 48)}));
}

TEST(CostDma, RoundTripOfTheSmallPreset) {
  // 10 cycles of link latency, 64 bytes at 16 bytes a cycle, at 32 bytes a
  // cycle on the channel, 100 ns of HBM latency at 1 GHz.
  EXPECT_EQ(hbm_burst_cycles(small(), 64), 10u + 4 + 2 + 100);
  EXPECT_EQ(link_cycles(small(), 65), 5u);
}

TEST(CostDma, RamIsUntimed) {
  const arch::ArchConfig cfg = small();  // 64-byte bursts, 16-byte link: a burst every 4 cycles
  EXPECT_EQ(dma_transfer_cycles(cfg, 2, 256, arch::kRamBase, 0), 7u * 4);
  EXPECT_EQ(dma_transfer_cycles(cfg, 1, 8, arch::kRamBase, 0), 1u);
}

TEST(CostDma, ScatterAddWritesEachRowAfterItsReads) {
  const arch::ArchConfig cfg = small();
  const uint64_t round_trip = hbm_burst_cycles(cfg, 64);
  // One burst per row: read, then write once the read is back; the next row's
  // read follows the write by one link interval.
  EXPECT_EQ(dma_scatter_add_cycles(cfg, 1, 64, arch::kHbmBase, 0), 2 * round_trip);
  EXPECT_EQ(dma_scatter_add_cycles(cfg, 2, 64, arch::kHbmBase, 0), 3 * round_trip + link_cycles(cfg, 64));
}

TEST(CostDma, ScatterAddKeepsReadingWhileRowsWaitForTheirData) {
  arch::ArchConfig cfg = small();
  cfg.dma.max_outstanding_bursts = 64;
  const uint64_t L = hbm_burst_cycles(cfg, 64), link = link_cycles(cfg, 64);
  // Rows in flight 1: each row a read and a write after it, the next read
  // one link interval behind the write.
  cfg.dma.scatter_add_rows_in_flight = 1;
  EXPECT_EQ(dma_scatter_add_cycles(cfg, 5, 64, arch::kHbmBase, 0), 4 * (L + link) + 2 * L);
  // As many in flight as rows: every read back to back, then each write as
  // its read returns (L > 5 links, so the writes wait for their data).
  ASSERT_GT(L, 5 * link);
  cfg.dma.scatter_add_rows_in_flight = 8;
  EXPECT_EQ(dma_scatter_add_cycles(cfg, 5, 64, arch::kHbmBase, 0), 4 * link + 2 * L);
  // Two in flight: reads 0 and 1, then write 0 once read 0 returns (at L).
  // A row's writes also wait for the writes issued before its reads: write 2
  // for write 0 (at 2L + 1 link), write 4 for write 2 (3L + 2 links).
  cfg.dma.scatter_add_rows_in_flight = 2;
  EXPECT_EQ(dma_scatter_add_cycles(cfg, 5, 64, arch::kHbmBase, 0), 4 * L + 2 * link);
}

TEST(CostDma, ScatterAddOrderWritesRepeatedDestinationsInListOrder) {
  const auto order = [](std::vector<int32_t> dest, uint32_t window) {
    std::ostringstream s;
    for (const ScatterAddStep& st : scatter_add_order(dest, window)) s << (st.write ? 'W' : 'R') << st.row << ' ';
    return s.str();
  };
  EXPECT_EQ(order({4, 7, 9}, 1), "R0 W0 R1 W1 R2 W2 ");
  EXPECT_EQ(order({4, 7, 9}, 2), "R0 R1 W0 R2 W1 W2 ");
  EXPECT_EQ(order({4, 7, 9}, 8), "R0 R1 R2 W0 W1 W2 ");
  // Row 3 adds into row 1's destination: rows 0 and 1 write back first.
  EXPECT_EQ(order({4, 7, -1, 7, 9}, 8), "R0 R1 W0 W1 R3 R4 W3 W4 ");
}

TEST(CostDma, ThePipelineHoldsBurstsAtTheOutstandingLimit) {
  arch::ArchConfig cfg = small();
  cfg.dma.max_outstanding_bursts = 2;
  BurstPipeline p(cfg, 100);
  EXPECT_EQ(p.next_issue(), 100u);
  p.issue(64, 300);
  EXPECT_EQ(p.next_issue(), 104u);  // 64 bytes on a 16-byte link
  p.issue(64, 250);
  EXPECT_EQ(p.link_free(), 108u);
  EXPECT_EQ(p.next_issue(), 300u);  // the third waits for the first to complete
  p.issue(16, 400);
  EXPECT_EQ(p.link_free(), 301u);
  EXPECT_EQ(p.last_done(), 400u);
  p.resume_at(p.last_done());  // a burst that needs every earlier one completed
  EXPECT_EQ(p.next_issue(), 400u);
}

}  // namespace
}  // namespace cadre::cost
