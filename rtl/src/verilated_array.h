// The C++ side of one verilated matrix engine: it plays the memories around
// the RTL (rtl/sv/cadre_matrix_engine.sv), answering each cycle's requests for
// weights, rows of A, scales and accumulator state from a GEMM's operands in
// host memory, and clocks the model until the command is done. Every
// verilated shape has the same ports; only their widths differ, so one
// template serves them all (rtl/src/shape.cpp.in instantiates it).
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "cadre/numerics/exact.h"
#include "cadre/rtl/array_model.h"

namespace cadre::rtl::detail {

// Bit fields of a Verilator port: an integer up to 64 bits, or VlWide words.
template <class Port>
void put_bits(Port& port, unsigned lsb, unsigned width, uint64_t value) {
  if constexpr (std::is_integral_v<Port>) {
    const uint64_t mask = (width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1) << lsb;
    port = static_cast<Port>((static_cast<uint64_t>(port) & ~mask) | ((value << lsb) & mask));
  } else {
    for (unsigned done = 0; done < width;) {
      const unsigned bit = lsb + done, word = bit / 32, offset = bit % 32, take = std::min(32 - offset, width - done);
      const uint32_t mask = (take == 32 ? ~0u : (1u << take) - 1) << offset;
      port[word] = (port[word] & ~mask) | ((static_cast<uint32_t>(value >> done) << offset) & mask);
      done += take;
    }
  }
}

template <class Port>
uint64_t get_bits(const Port& port, unsigned lsb, unsigned width) {
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  if constexpr (std::is_integral_v<Port>) {
    return (static_cast<uint64_t>(port) >> lsb) & mask;
  } else {
    uint64_t value = 0;
    for (unsigned done = 0; done < width;) {
      const unsigned bit = lsb + done, word = bit / 32, offset = bit % 32, take = std::min(32 - offset, width - done);
      value |= static_cast<uint64_t>(port[word] >> offset) << done;
      done += take;
    }
    return value & mask;
  }
}

// A column's stored FP8 partial sum: the lane's 75 bits, {flags, fixed}.
struct Carry {
  uint64_t low = 0;   // bits 63..0
  uint16_t high = 0;  // bits 74..64
};
inline constexpr unsigned kLaneBits = 75;

template <class Top>
class VerilatedArray final : public ArrayModel {
  // Lanes per column: the A scales port carries one FP32 scale per lane.
  static constexpr unsigned kLanes = sizeof(std::remove_reference_t<decltype(std::declval<Top&>().a_scales)>) / 4;

 public:
  explicit VerilatedArray(const ArrayShape& shape) : shape_(shape) {
    context_.traceEverOn(true);
    top_ = std::make_unique<Top>(&context_, "cadre_matrix_engine");
    top_->rst = 1;
    for (int i = 0; i < 2; ++i) tick();
    top_->rst = 0;
    tick();
  }
  ~VerilatedArray() override {
    if (fst_) fst_->close();
    top_->final();
  }

  ArrayShape shape() const override { return shape_; }
  uint64_t cycles_run() const override { return cycles_run_; }

  void open_waveform(const std::filesystem::path& path, const WaveformWindow& window) override {
    // Verilator's FST writer does not report a file it cannot create.
    if (!std::ofstream(path)) throw std::runtime_error(fmt::format("cannot write the waveform {}", path.string()));
    fst_ = std::make_unique<VerilatedFstC>();
    top_->trace(fst_.get(), 99);
    fst_->set_time_unit("1ps");
    fst_->set_time_resolution("1ps");
    fst_->open(path.c_str());
    window_ = window;
  }

  uint64_t run(const GemmOperands& operands, std::span<float> c, uint64_t start_cycle) override {
    ops_ = &operands;
    c_ = c;
    bf16_ = operands.a_format == num::Format::BF16;
    k_blocks_ = (operands.k + num::kBlockK - 1) / num::kBlockK;
    carry_.assign(static_cast<size_t>(operands.m) * operands.n, Carry{});

    Top& t = *top_;
    t.cmd_m = static_cast<uint16_t>(operands.m);
    t.cmd_n = static_cast<uint16_t>(operands.n);
    t.cmd_k = static_cast<uint16_t>(operands.k);
    t.cmd_bf16 = bf16_;
    t.cmd_a_e5m2 = operands.a_format == num::Format::E5M2;
    t.cmd_b_e5m2 = operands.b_format == num::Format::E5M2;
    t.start = 1;
    tick();  // the command is taken; its first busy cycle follows
    t.start = 0;
    uint64_t cycles = 0;
    while (t.busy) {
      serve_reads();
      t.clk = 0;
      t.eval();
      take_writes();
      dump(start_cycle + cycles, false);
      t.clk = 1;
      t.eval();
      dump(start_cycle + cycles, true);
      ++cycles;
    }
    cycles_run_ += cycles;
    return cycles;
  }

 private:
  void tick() {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
  }

  void dump(uint64_t cycle, bool high) {
    if (!fst_ || cycle < window_.first || cycle > window_.last) return;
    const double period_ps = 1000.0 / window_.clock_ghz;
    fst_->dump(static_cast<uint64_t>(static_cast<double>(cycle) * period_ps + (high ? period_ps / 2 : 0)));
  }

  uint16_t a_element(uint32_t m, uint32_t k) const {
    if (k >= ops_->k) return 0;
    const size_t i = static_cast<size_t>(m) * ops_->k + k;
    return bf16_ ? static_cast<uint16_t>(ops_->a[2 * i] | ops_->a[2 * i + 1] << 8) : ops_->a[i];
  }
  uint16_t b_element(uint32_t n, uint32_t k) const {
    if (n >= ops_->n || k >= ops_->k) return 0;
    const size_t i = static_cast<size_t>(n) * ops_->k + k;
    return bf16_ ? static_cast<uint16_t>(ops_->b[2 * i] | ops_->b[2 * i + 1] << 8) : ops_->b[i];
  }
  // Scales outside the operands (past the last block or row) are never used.
  uint32_t a_scale(uint32_t m, uint32_t kb) const {
    if (ops_->a_scales.empty() || kb >= k_blocks_) return std::bit_cast<uint32_t>(1.0f);
    return std::bit_cast<uint32_t>(ops_->a_scales[static_cast<size_t>(m) * k_blocks_ + kb]);
  }
  uint32_t b_scale(uint32_t n, uint32_t kb) const {
    if (ops_->b_scales.empty() || kb >= k_blocks_ || n >= ops_->n) return std::bit_cast<uint32_t>(1.0f);
    return std::bit_cast<uint32_t>(ops_->b_scales[static_cast<size_t>(n / num::kBlockK) * k_blocks_ + kb]);
  }
  size_t at(uint32_t m, uint32_t n) const { return static_cast<size_t>(m) * ops_->n + n; }

  void serve_reads() {
    Top& t = *top_;
    const unsigned rows = shape_.rows, cols = shape_.cols;
    if (t.w_req) {
      const uint32_t k = t.w_k0 + t.w_row0, n0 = t.w_n0, kb0 = t.w_k0 / num::kBlockK;
      for (unsigned j = 0; j < shape_.preload_rows_per_cycle; ++j)
        for (unsigned col = 0; col < cols; ++col) put_bits(t.w_data, (j * cols + col) * 16, 16, b_element(n0 + col, k + j));
      for (unsigned col = 0; col < cols; ++col)
        for (unsigned o = 0; o < kLanes; ++o) put_bits(t.w_scales, (col * kLanes + o) * 32, 32, b_scale(n0 + col, kb0 + o));
    }
    if (t.a_req) {
      const uint32_t m = t.a_m, k0 = t.a_k0, kb0 = k0 / num::kBlockK;
      for (unsigned r = 0; r < rows; ++r) put_bits(t.a_data, r * 16, 16, a_element(m, k0 + r));
      for (unsigned o = 0; o < kLanes; ++o) put_bits(t.a_scales, o * 32, 32, a_scale(m, kb0 + o));
    }
    for (unsigned col = 0; col < cols; ++col) {
      if (get_bits(t.top_req, col, 1)) {
        const size_t i = at(static_cast<uint32_t>(get_bits(t.top_m, col * 32, 32)),
                            static_cast<uint32_t>(get_bits(t.top_n, col * 32, 32)));
        put_bits(t.top_acc, col * 32, 32, std::bit_cast<uint32_t>(c_[i]));
      }
      if (get_bits(t.bot_req, col, 1)) {
        const size_t i = at(static_cast<uint32_t>(get_bits(t.bot_m, col * 32, 32)),
                            static_cast<uint32_t>(get_bits(t.bot_n, col * 32, 32)));
        put_bits(t.bot_acc, col * 32, 32, std::bit_cast<uint32_t>(c_[i]));
        put_bits(t.bot_carry, col * kLaneBits, 64, carry_[i].low);
        put_bits(t.bot_carry, col * kLaneBits + 64, kLaneBits - 64, carry_[i].high);
      }
    }
  }

  void take_writes() {
    Top& t = *top_;
    for (unsigned col = 0; col < shape_.cols; ++col) {
      if (!get_bits(t.bot_req, col, 1)) continue;
      const size_t i = at(static_cast<uint32_t>(get_bits(t.bot_m, col * 32, 32)),
                          static_cast<uint32_t>(get_bits(t.bot_n, col * 32, 32)));
      c_[i] = std::bit_cast<float>(static_cast<uint32_t>(get_bits(t.bot_acc_out, col * 32, 32)));
      carry_[i].low = get_bits(t.bot_carry_out, col * kLaneBits, 64);
      carry_[i].high = static_cast<uint16_t>(get_bits(t.bot_carry_out, col * kLaneBits + 64, kLaneBits - 64));
    }
  }

  ArrayShape shape_;
  VerilatedContext context_;
  std::unique_ptr<Top> top_;
  std::unique_ptr<VerilatedFstC> fst_;
  WaveformWindow window_;
  uint64_t cycles_run_ = 0;
  // The command running.
  const GemmOperands* ops_ = nullptr;
  std::span<float> c_;
  std::vector<Carry> carry_;
  bool bf16_ = false;
  uint32_t k_blocks_ = 0;
};

}  // namespace cadre::rtl::detail
