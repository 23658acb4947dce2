#include "cadre/sim/dma.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "cadre/cost/cost.h"
#include "cadre/isa/xcadre_operands.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/hd.h"
#include "cadre/sim/accel_error.h"

namespace cadre::sim {
namespace {

using isa::Op;
namespace ops = isa::operands;

// Row i of a 2-D transfer starts at base + i * stride; a stride of 0 is packed.
uint64_t stride_or(uint64_t stride, uint64_t packed) { return stride != 0 ? stride : packed; }

void check_shape(uint64_t rows, uint64_t cols, const char* cols_name) {
  if (rows == 0 || cols == 0) throw AccelError(fmt::format("rows = {} and {} = {}: neither may be 0", rows, cols_name, cols));
}

num::Format row_format(uint64_t code, const char* which) {
  if (code == static_cast<uint64_t>(num::Format::FP32)) return num::Format::FP32;
  if (code == static_cast<uint64_t>(num::Format::BF16)) return num::Format::BF16;
  throw AccelError(fmt::format("scatter-add {} format {} is not FP32 (0) or BF16 (1)", which, code));
}

float element(const uint8_t* p, num::Format format) {
  if (format == num::Format::BF16) {
    uint16_t b = 0;
    std::memcpy(&b, p, 2);
    return num::bf16_to_float(b);
  }
  float x = 0;
  std::memcpy(&x, p, 4);
  return x;
}

void put_element(uint8_t* p, float x, num::Format format) {
  if (format == num::Format::BF16) {
    const uint16_t b = num::float_to_bf16(x);
    std::memcpy(p, &b, 2);
  } else {
    std::memcpy(p, &x, 4);
  }
}

}  // namespace

DmaEngine::DmaEngine(sc_core::sc_module_name name, const arch::ArchConfig& cfg, const Clock& clock,
                     LocalMemory& memory)
    : sc_module(name),
      socket("socket"),
      cfg_(cfg),
      clock_(clock),
      memory_(memory) {}

void DmaEngine::read_local(uint64_t addr, std::span<uint8_t> out, UnitWork& work) {
  memory_.read(addr, out);
  (memory_.in_accumulator(addr) ? work.accumulator_bytes : work.scratchpad_bytes) += out.size();
}

void DmaEngine::write_local(uint64_t addr, std::span<const uint8_t> bytes, UnitWork& work) {
  memory_.write(addr, bytes);
  (memory_.in_accumulator(addr) ? work.accumulator_bytes : work.scratchpad_bytes) += bytes.size();
}

void DmaEngine::add_bursts(std::vector<Burst>& bursts, uint64_t addr, std::span<uint8_t> data) const {
  for (uint64_t done = 0; done < data.size();) {
    const uint64_t bytes = cost::burst_bytes_at(cfg_, addr + done, data.size() - done);
    bursts.push_back({addr + done, data.data() + done, bytes});
    done += bytes;
  }
}

void DmaEngine::transfer(tlm::tlm_command command, std::vector<Burst> bursts, cost::BurstPipeline& p,
                         UnitWork& work, std::shared_ptr<uint8_t[]> buffer) {
  if (socket.size() == 0) throw AccelError("the DMA engine is not connected to the chip's memory");
  if (bursts.empty()) return;
  BurstTrain train(command, std::move(bursts), p);
  train.buffer = std::move(buffer);
  tlm::tlm_generic_payload trans;
  trans.set_command(command);
  trans.set_address(train.bursts.front().addr);
  trans.set_extension(&train);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  socket->b_transport(trans, delay);
  trans.clear_extension(&train);
  uint64_t moved = 0;
  for (size_t i = 0; i < train.issued_bursts; ++i) moved += train.bursts[i].bytes;
  stats_.bursts += train.issued_bursts;
  stats_.outstanding_limit_cycles += train.outstanding_limit_cycles;
  (command == tlm::TLM_READ_COMMAND ? stats_.bytes_read : stats_.bytes_written) += moved;
  (command == tlm::TLM_READ_COMMAND ? work.dma_bytes_read : work.dma_bytes_written) += moved;
  if (train.failed) {
    const Burst& b = train.bursts[train.issued_bursts];
    throw AccelError(fmt::format("chip address range [{:#x}, {:#x}) is outside RAM and HBM", b.addr, b.addr + b.bytes));
  }
}

void DmaEngine::transfer_row(tlm::tlm_command command, uint64_t addr, std::span<uint8_t> data, cost::BurstPipeline& p,
                             UnitWork& work) {
  std::vector<Burst> bursts;
  add_bursts(bursts, addr, data);
  transfer(command, std::move(bursts), p, work);
}

std::vector<int32_t> DmaEngine::indices(const ops::IndexList& idx, uint64_t rows, UnitWork& work) {
  std::vector<int32_t> list(rows);
  read_local(idx.list, {reinterpret_cast<uint8_t*>(list.data()), rows * 4}, work);
  // Checked before any data moves, so a bad list leaves memory untouched.
  for (uint64_t r = 0; r < rows; ++r)
    if (list[r] != -1 && (list[r] < 0 || static_cast<uint64_t>(list[r]) >= idx.table_rows))
      throw AccelError(fmt::format("index list entry {} (at {:#x}) is {}, outside the table's [0, {}) and not -1", r,
                                   idx.list + 4 * r, list[r], idx.table_rows));
  return list;
}

uint64_t DmaEngine::load(uint64_t chip, const ops::Transfer& t, bool gather, cost::BurstPipeline& p) {
  const auto [local, rows, row_bytes] = t;
  check_shape(rows, row_bytes, "row_bytes");
  const uint64_t chip_stride = stride_or(load_strides_.hbm_stride, row_bytes);
  const uint64_t local_stride = stride_or(load_strides_.local_stride, row_bytes);
  memory_.check(local + (rows - 1) * local_stride, row_bytes, "DMA destination row");
  UnitWork& work = work_[0];
  const std::vector<int32_t> list = gather ? indices(load_index_, rows, work) : std::vector<int32_t>{};
  // The rows arrive as their bursts do; they are written to local memory
  // once the last has issued, before the command completes.
  // (Not zeroed first: every row is read or is padding.)
  // Shared with the train: its bytes may be made into it on the host worker.
  const std::shared_ptr<uint8_t[]> data = std::make_shared_for_overwrite<uint8_t[]>(rows * row_bytes);
  std::vector<Burst> bursts;
  for (uint64_t r = 0; r < rows; ++r) {
    const int64_t source = gather ? list[r] : static_cast<int64_t>(r);
    uint8_t* const row = data.get() + r * row_bytes;
    if (source < 0) std::fill_n(row, row_bytes, uint8_t{0});  // a padding row
    else add_bursts(bursts, chip + static_cast<uint64_t>(source) * chip_stride, {row, row_bytes});
  }
  transfer(tlm::TLM_READ_COMMAND, std::move(bursts), p, work, data);
  for (uint64_t r = 0; r < rows; ++r) write_local(local + r * local_stride, {data.get() + r * row_bytes, row_bytes}, work);
  return p.last_done();
}

uint64_t DmaEngine::store(uint64_t chip, const ops::Transfer& t, cost::BurstPipeline& p) {
  const auto [local, rows, row_bytes] = t;
  check_shape(rows, row_bytes, "row_bytes");
  const uint64_t chip_stride = stride_or(store_strides_.hbm_stride, row_bytes);
  const uint64_t local_stride = stride_or(store_strides_.local_stride, row_bytes);
  memory_.check(local + (rows - 1) * local_stride, row_bytes, "DMA source row");
  UnitWork& work = work_[1];
  const auto data = std::make_unique_for_overwrite<uint8_t[]>(rows * row_bytes);  // every row read from local memory
  std::vector<Burst> bursts;
  for (uint64_t r = 0; r < rows; ++r) {
    const std::span<uint8_t> row(data.get() + r * row_bytes, row_bytes);
    read_local(local + r * local_stride, row, work);
    add_bursts(bursts, chip + r * chip_stride, row);
  }
  transfer(tlm::TLM_WRITE_COMMAND, std::move(bursts), p, work);
  return p.last_done();
}

uint64_t DmaEngine::scatter_add(uint64_t chip, const ops::RowUpdate& u, cost::BurstPipeline& p) {
  const auto [local, rows, cols] = u;
  check_shape(rows, cols, "cols");
  const uint64_t src_bytes = num::info(src_format_).bytes, dst_bytes = num::info(dst_format_).bytes;
  const uint64_t chip_stride = stride_or(store_strides_.hbm_stride, cols * dst_bytes);
  const uint64_t local_stride = stride_or(store_strides_.local_stride, cols * src_bytes);
  memory_.check(local + (rows - 1) * local_stride, cols * src_bytes, "scatter-add source row");
  UnitWork& work = work_[1];
  const std::vector<int32_t> list = indices(store_index_, rows, work);
  std::vector<float> weights(rows, 1.0f);
  if (store_weights_ != 0) read_local(store_weights_, {reinterpret_cast<uint8_t*>(weights.data()), rows * 4}, work);
  // The destination rows read and not yet written back, and when each row's reads completed.
  std::vector<std::vector<uint8_t>> pending(rows);
  std::vector<uint64_t> reads_done(rows);
  std::vector<uint8_t> src(cols * src_bytes);
  for (const cost::ScatterAddStep& s : cost::scatter_add_order(list, cfg_.dma.scatter_add_rows_in_flight)) {
    const uint64_t row_addr = chip + static_cast<uint64_t>(list[s.row]) * chip_stride;
    std::vector<uint8_t>& dst = pending[s.row];
    if (s.write) {
      // The row's writes need its reads' data: they issue once every burst
      // up to those reads has completed (cost::scatter_add_order).
      p.resume_at(reads_done[s.row]);
      transfer_row(tlm::TLM_WRITE_COMMAND, row_addr, dst, p, work);
      dst = {};
      continue;
    }
    read_local(local + s.row * local_stride, src, work);
    dst.resize(cols * dst_bytes);
    transfer_row(tlm::TLM_READ_COMMAND, row_addr, dst, p, work);
    reads_done[s.row] = p.last_done();
    for (uint64_t i = 0; i < cols; ++i) {
      const float product = num::mul_rn(weights[s.row], element(&src[i * src_bytes], src_format_));
      put_element(&dst[i * dst_bytes], num::add_rn(element(&dst[i * dst_bytes], dst_format_), product), dst_format_);
    }
  }
  return p.last_done();
}

uint64_t DmaEngine::completion(isa::Queue q) const {
  const auto& pipe = pipes_[q == isa::Queue::Load ? 0 : 1];
  return pipe ? pipe->last_done() : 0;
}

uint64_t DmaEngine::execute(Op op, uint64_t rs1, uint64_t rs2) {
  ++stats_.commands;
  const uint64_t start = clock_.now_cycles();
  std::optional<cost::BurstPipeline> own;
  auto& pipe = overlaps_commands() ? pipes_[isa::info(op).queue == isa::Queue::Load ? 0 : 1] : own;
  if (pipe) pipe->resume_at(start);
  else pipe.emplace(cfg_, start);
  cost::BurstPipeline& p = *pipe;
  // Every command takes a cycle at least; configuration just that.
  uint64_t done = start + cost::kConfigCycles;
  switch (op) {
    case Op::DmaLoadConfig:
      load_strides_ = ops::Strides::decode(rs1);
      break;
    case Op::DmaLoadIndex:
      load_index_ = ops::IndexList::decode(rs1);
      break;
    case Op::DmaStoreConfig: {
      const auto formats = ops::FormatPair::decode(rs2);
      src_format_ = row_format(formats.src_fmt, "source");
      dst_format_ = row_format(formats.dst_fmt, "destination");
      store_strides_ = ops::Strides::decode(rs1);
      break;
    }
    case Op::DmaStoreIndex:
      store_index_ = ops::IndexList::decode(rs1);
      store_weights_ = ops::WeightList::decode(rs2).weights;
      break;
    case Op::DmaLoad: done = std::max(done, load(rs1, ops::Transfer::decode(rs2), false, p)); break;
    case Op::DmaGather: done = std::max(done, load(rs1, ops::Transfer::decode(rs2), true, p)); break;
    case Op::DmaStore: done = std::max(done, store(rs1, ops::Transfer::decode(rs2), p)); break;
    case Op::DmaScatterAdd: done = std::max(done, scatter_add(rs1, ops::RowUpdate::decode(rs2), p)); break;
    default: throw AccelError("not a DMA instruction");
  }
  // Overlapped: the queue moves on once the link has sent the last burst.
  if (overlaps_commands()) done = std::max(start + cost::kConfigCycles, p.link_free());
  return done - clock_.now_cycles();
}

}  // namespace cadre::sim
