/* The Xcadre instructions for C programs on a Cadre tile's control core.
   Generated from isa/include/cadre/isa/xcadre*.def by gen_sdk_header: do not
   edit; `cmake --build --preset release --target sdk-header` rewrites it and
   the test sdk_header_current fails while it is stale. Semantics:
   docs/isa.md. Each cx_<layout>() packs one register operand (fields are
   masked to their width); each instruction is a function named after its
   mnemonic, dots as underscores. */
#ifndef CADRE_XCADRE_H
#define CADRE_XCADRE_H

#include <stdint.h>

/* Element format codes (operand fields named *_fmt). */
#define CX_FMT_FP32 0
#define CX_FMT_BF16 1
#define CX_FMT_E4M3 2
#define CX_FMT_E5M2 3
#define CX_FMT_I32 4

/* cx.status selectors (add the queue or semaphore number where the meaning says so). */
#define CX_STATUS_QUEUE_OCCUPANCY 0x00 /* commands waiting or running in queue q (selector 0x00 + q) */
#define CX_STATUS_QUEUE_RETIRED 0x08 /* commands queue q has completed since reset (selector 0x08 + q) */
#define CX_STATUS_SEMAPHORE_VALUE 0x10 /* the value of semaphore s (selector 0x10 + s) */
#define CX_STATUS_TILE_ID 0x20 /* this tile's number */
#define CX_STATUS_TILE_COUNT 0x21 /* the number of tiles on the chip */

/* HbmAddr: a 64-bit chip address (HBM or RAM). */
static inline uint64_t cx_hbm_addr(uint64_t hbm) { return ((hbm & ~0ull) << 0); }
/* Strides: row strides in bytes of the HBM side and the local side. */
static inline uint64_t cx_strides(uint64_t hbm_stride, uint64_t local_stride) { return ((hbm_stride & 0xffffffffull) << 0) | ((local_stride & 0xffffffffull) << 32); }
/* Transfer: the local end and shape of a 2-D transfer. */
static inline uint64_t cx_transfer(uint64_t local, uint64_t rows, uint64_t row_bytes) { return ((local & 0xffffffffull) << 0) | ((rows & 0xffffull) << 32) | ((row_bytes & 0xffffull) << 48); }
/* RowUpdate: the local source and shape of a row scatter-add. */
static inline uint64_t cx_row_update(uint64_t local, uint64_t rows, uint64_t cols) { return ((local & 0xffffffffull) << 0) | ((rows & 0xffffull) << 32) | ((cols & 0xffffull) << 48); }
/* IndexList: a local int32 index list and the number of rows of the table it indexes. */
static inline uint64_t cx_index_list(uint64_t list, uint64_t table_rows) { return ((list & 0xffffffffull) << 0) | ((table_rows & 0xffffffffull) << 32); }
/* WeightList: a local FP32 weight list, one weight per index. */
static inline uint64_t cx_weight_list(uint64_t weights) { return ((weights & 0xffffffffull) << 0); }
/* FormatPair: element format codes of a source and a destination. */
static inline uint64_t cx_format_pair(uint64_t src_fmt, uint64_t dst_fmt) { return ((src_fmt & 0xffull) << 0) | ((dst_fmt & 0xffull) << 8); }
/* TileWithScales: a local operand tile and its local FP32 block scales (0 when unscaled). */
static inline uint64_t cx_tile_with_scales(uint64_t tile, uint64_t scales) { return ((tile & 0xffffffffull) << 0) | ((scales & 0xffffffffull) << 32); }
/* MatrixFormats: element formats of the A (activation) and B (weight) operands, and the local row stride in bytes of the FP32 output C (0: packed). */
static inline uint64_t cx_matrix_formats(uint64_t a_fmt, uint64_t b_fmt, uint64_t c_stride) { return ((a_fmt & 0xffull) << 0) | ((b_fmt & 0xffull) << 8) | ((c_stride & 0xffffffffull) << 16); }
/* OperandStrides: local row strides in bytes of the A and B operand tiles. */
static inline uint64_t cx_operand_strides(uint64_t a_stride, uint64_t b_stride) { return ((a_stride & 0xffffffffull) << 0) | ((b_stride & 0xffffffffull) << 32); }
/* WeightShape: the reduction depth K and output width N of the preloaded weights. */
static inline uint64_t cx_weight_shape(uint64_t k, uint64_t n) { return ((k & 0xffffull) << 0) | ((n & 0xffffull) << 16); }
/* MatmulOut: the local FP32 accumulator rows written and the number of A rows M. */
static inline uint64_t cx_matmul_out(uint64_t acc, uint64_t m) { return ((acc & 0xffffffffull) << 0) | ((m & 0xffffull) << 32); }
/* SrcDst: local source and destination addresses. */
static inline uint64_t cx_src_dst(uint64_t src, uint64_t dst) { return ((src & 0xffffffffull) << 0) | ((dst & 0xffffffffull) << 32); }
/* SrcPair: two local source addresses. */
static inline uint64_t cx_src_pair(uint64_t src_a, uint64_t src_b) { return ((src_a & 0xffffffffull) << 0) | ((src_b & 0xffffffffull) << 32); }
/* DstCount: a local destination and an element count. */
static inline uint64_t cx_dst_count(uint64_t dst, uint64_t n) { return ((dst & 0xffffffffull) << 0) | ((n & 0xffffffffull) << 32); }
/* Count: an element count. */
static inline uint64_t cx_count(uint64_t n) { return ((n & 0xffffffffull) << 0); }
/* CountScalar: an element count and an FP32 scalar (its bits). */
static inline uint64_t cx_count_scalar(uint64_t n, uint64_t scalar) { return ((n & 0xffffffffull) << 0) | ((scalar & 0xffffffffull) << 32); }
/* Convert: an element count and the source and destination format codes. */
static inline uint64_t cx_convert(uint64_t n, uint64_t src_fmt, uint64_t dst_fmt) { return ((n & 0xffffffffull) << 0) | ((src_fmt & 0xffull) << 32) | ((dst_fmt & 0xffull) << 40); }
/* RowsCols: a row-major matrix shape. */
static inline uint64_t cx_rows_cols(uint64_t rows, uint64_t cols) { return ((rows & 0xffffffffull) << 0) | ((cols & 0xffffffffull) << 32); }
/* QuantConfig: where 1x128 group scales go and the FP8 format to quantise to. */
static inline uint64_t cx_quant_config(uint64_t scales, uint64_t fmt) { return ((scales & 0xffffffffull) << 0) | ((fmt & 0xffull) << 32); }
/* RouteConfig: the local FP32 selection bias (0: none) and routing flags (bit 0 normalise the chosen weights, bit 1 score groups by their best key, bit 2 add 1e-20 to the normalising sum). */
static inline uint64_t cx_route_config(uint64_t bias, uint64_t flags) { return ((bias & 0xffffffffull) << 0) | ((flags & 0xffull) << 32); }
/* RouteGroups: the routed scaling factor (FP32 bits), the expert groups and the groups kept. */
static inline uint64_t cx_route_groups(uint64_t scale, uint64_t n_group, uint64_t topk_group) { return ((scale & 0xffffffffull) << 0) | ((n_group & 0xffffull) << 32) | ((topk_group & 0xffffull) << 48); }
/* TopK: scores rows x cols (experts) and the k chosen per row. */
static inline uint64_t cx_top_k(uint64_t rows, uint64_t cols, uint64_t k) { return ((rows & 0xffffffffull) << 0) | ((cols & 0xffffull) << 32) | ((k & 0xffffull) << 48); }
/* ExpertCount: the number of (token, expert) assignments and of experts. */
static inline uint64_t cx_expert_count(uint64_t n, uint64_t experts) { return ((n & 0xffffffffull) << 0) | ((experts & 0xffffffffull) << 32); }
/* Align: tokens, experts chosen per token, experts, and the GEMM block each expert's rows are padded to. */
static inline uint64_t cx_align(uint64_t tokens, uint64_t k, uint64_t experts, uint64_t block) { return ((tokens & 0xffffffull) << 0) | ((k & 0xffull) << 24) | ((experts & 0xffffull) << 32) | ((block & 0xffffull) << 48); }
/* Semaphore: a semaphore number. */
static inline uint64_t cx_semaphore(uint64_t sem) { return ((sem & 0xfull) << 0); }
/* QueueMask: a set of queues: bit 0 load, bit 1 compute, bit 2 store. */
static inline uint64_t cx_queue_mask(uint64_t queues) { return ((queues & 0x7ull) << 0); }
/* StatusSelect: which status word to read (docs/isa.md, cx.status). */
static inline uint64_t cx_status_select(uint64_t select) { return ((select & 0xffffull) << 0); }

/* cdma.ld.cfg (load queue): set the HBM and local row strides of later loads and gathers. */
static inline void cdma_ld_cfg(uint64_t strides) {
  __asm__ volatile(".insn r 0x0b, 0, 0, x0, %0, x0" : : "r"(strides) : "memory");
}
/* cdma.ld.idx (load queue): set the index list of later gathers. */
static inline void cdma_ld_idx(uint64_t index_list) {
  __asm__ volatile(".insn r 0x0b, 0, 1, x0, %0, x0" : : "r"(index_list) : "memory");
}
/* cdma.ld (load queue): 2-D load: rows x row_bytes from HBM to local memory. */
static inline void cdma_ld(uint64_t hbm_addr, uint64_t transfer) {
  __asm__ volatile(".insn r 0x0b, 1, 0, x0, %0, %1" : : "r"(hbm_addr), "r"(transfer) : "memory");
}
/* cdma.gather (load queue): row gather: local row i = HBM table row list[i]. */
static inline void cdma_gather(uint64_t hbm_addr, uint64_t transfer) {
  __asm__ volatile(".insn r 0x0b, 2, 0, x0, %0, %1" : : "r"(hbm_addr), "r"(transfer) : "memory");
}
/* cdma.st.cfg (store queue): set the row strides and the element formats of later stores and scatter-adds. */
static inline void cdma_st_cfg(uint64_t strides, uint64_t format_pair) {
  __asm__ volatile(".insn r 0x0b, 0, 2, x0, %0, %1" : : "r"(strides), "r"(format_pair) : "memory");
}
/* cdma.st.idx (store queue): set the index and weight lists of later scatter-adds. */
static inline void cdma_st_idx(uint64_t index_list, uint64_t weight_list) {
  __asm__ volatile(".insn r 0x0b, 0, 3, x0, %0, %1" : : "r"(index_list), "r"(weight_list) : "memory");
}
/* cdma.st (store queue): 2-D store: rows x row_bytes from local memory to HBM. */
static inline void cdma_st(uint64_t hbm_addr, uint64_t transfer) {
  __asm__ volatile(".insn r 0x0b, 1, 1, x0, %0, %1" : : "r"(hbm_addr), "r"(transfer) : "memory");
}
/* cdma.scatadd (store queue): weighted row scatter-add: HBM table row list[i] += weight[i] * local row i. */
static inline void cdma_scatadd(uint64_t hbm_addr, uint64_t row_update) {
  __asm__ volatile(".insn r 0x0b, 2, 1, x0, %0, %1" : : "r"(hbm_addr), "r"(row_update) : "memory");
}
/* cmx.cfg (compute queue): set the operand formats and local row strides of later matrix instructions. */
static inline void cmx_cfg(uint64_t matrix_formats, uint64_t operand_strides) {
  __asm__ volatile(".insn r 0x2b, 0, 0, x0, %0, %1" : : "r"(matrix_formats), "r"(operand_strides) : "memory");
}
/* cmx.preload (compute queue): preload the weights B (N rows of K) and their 128x128 block scales. */
static inline void cmx_preload(uint64_t tile_with_scales, uint64_t weight_shape) {
  __asm__ volatile(".insn r 0x2b, 1, 0, x0, %0, %1" : : "r"(tile_with_scales), "r"(weight_shape) : "memory");
}
/* cmx.mm (compute queue): acc[M x N] = A[M x K] * B^T with block scales (overwrite). */
static inline void cmx_mm(uint64_t tile_with_scales, uint64_t matmul_out) {
  __asm__ volatile(".insn r 0x2b, 2, 0, x0, %0, %1" : : "r"(tile_with_scales), "r"(matmul_out) : "memory");
}
/* cmx.mm.acc (compute queue): acc[M x N] += A[M x K] * B^T with block scales (accumulate). */
static inline void cmx_mm_acc(uint64_t tile_with_scales, uint64_t matmul_out) {
  __asm__ volatile(".insn r 0x2b, 2, 1, x0, %0, %1" : : "r"(tile_with_scales), "r"(matmul_out) : "memory");
}
/* cvec.add (compute queue): FP32 element-wise add. */
static inline void cvec_add(uint64_t src_pair, uint64_t dst_count) {
  __asm__ volatile(".insn r 0x5b, 0, 0, x0, %0, %1" : : "r"(src_pair), "r"(dst_count) : "memory");
}
/* cvec.mul (compute queue): FP32 element-wise multiply. */
static inline void cvec_mul(uint64_t src_pair, uint64_t dst_count) {
  __asm__ volatile(".insn r 0x5b, 0, 1, x0, %0, %1" : : "r"(src_pair), "r"(dst_count) : "memory");
}
/* cvec.muls (compute queue): FP32 multiply by a scalar. */
static inline void cvec_muls(uint64_t src_dst, uint64_t count_scalar) {
  __asm__ volatile(".insn r 0x5b, 0, 2, x0, %0, %1" : : "r"(src_dst), "r"(count_scalar) : "memory");
}
/* cvec.cvt (compute queue): convert between element formats (round to nearest even, FP8 saturating). */
static inline void cvec_cvt(uint64_t src_dst, uint64_t convert) {
  __asm__ volatile(".insn r 0x5b, 0, 3, x0, %0, %1" : : "r"(src_dst), "r"(convert) : "memory");
}
/* cvec.q.cfg (compute queue): set where later quantisations put their group scales, and the FP8 format. */
static inline void cvec_q_cfg(uint64_t quant_config) {
  __asm__ volatile(".insn r 0x5b, 0, 4, x0, %0, x0" : : "r"(quant_config) : "memory");
}
/* cvec.sigmoid (compute queue): FP32 sigmoid. */
static inline void cvec_sigmoid(uint64_t src_dst, uint64_t count) {
  __asm__ volatile(".insn r 0x5b, 1, 0, x0, %0, %1" : : "r"(src_dst), "r"(count) : "memory");
}
/* cvec.softmax (compute queue): FP32 softmax of each row. */
static inline void cvec_softmax(uint64_t src_dst, uint64_t rows_cols) {
  __asm__ volatile(".insn r 0x5b, 1, 1, x0, %0, %1" : : "r"(src_dst), "r"(rows_cols) : "memory");
}
/* cvec.silumul (compute queue): silu(gate) * up of rows [gate | up], FP32 out. */
static inline void cvec_silumul(uint64_t src_dst, uint64_t rows_cols) {
  __asm__ volatile(".insn r 0x5b, 1, 2, x0, %0, %1" : : "r"(src_dst), "r"(rows_cols) : "memory");
}
/* cvec.silumul.q (compute queue): silu(gate) * up quantised to FP8 with 1x128 group scales. */
static inline void cvec_silumul_q(uint64_t src_dst, uint64_t rows_cols) {
  __asm__ volatile(".insn r 0x5b, 1, 3, x0, %0, %1" : : "r"(src_dst), "r"(rows_cols) : "memory");
}
/* cvec.quant (compute queue): FP32 rows quantised to FP8 with 1x128 group scales. */
static inline void cvec_quant(uint64_t src_dst, uint64_t rows_cols) {
  __asm__ volatile(".insn r 0x5b, 1, 4, x0, %0, %1" : : "r"(src_dst), "r"(rows_cols) : "memory");
}
/* cvec.route.cfg (compute queue): set the selection bias, normalisation, scaling factor and groups of later top-k. */
static inline void cvec_route_cfg(uint64_t route_config, uint64_t route_groups) {
  __asm__ volatile(".insn r 0x5b, 2, 0, x0, %0, %1" : : "r"(route_config), "r"(route_groups) : "memory");
}
/* cvec.topk (compute queue): top-k of each row of scores: expert ids then routing weights. */
static inline void cvec_topk(uint64_t src_dst, uint64_t top_k) {
  __asm__ volatile(".insn r 0x5b, 2, 1, x0, %0, %1" : : "r"(src_dst), "r"(top_k) : "memory");
}
/* cvec.gtopk (compute queue): group-limited top-k (group score = sum of its top two). */
static inline void cvec_gtopk(uint64_t src_dst, uint64_t top_k) {
  __asm__ volatile(".insn r 0x5b, 2, 2, x0, %0, %1" : : "r"(src_dst), "r"(top_k) : "memory");
}
/* cvec.count (compute queue): count the assignments of each expert. */
static inline void cvec_count(uint64_t src_dst, uint64_t expert_count) {
  __asm__ volatile(".insn r 0x5b, 3, 0, x0, %0, %1" : : "r"(src_dst), "r"(expert_count) : "memory");
}
/* cvec.align (compute queue): per-expert row lists sorted by expert, each padded to the block. */
static inline void cvec_align(uint64_t src_dst, uint64_t align) {
  __asm__ volatile(".insn r 0x5b, 3, 1, x0, %0, %1" : : "r"(src_dst), "r"(align) : "memory");
}
/* csync.sig.ld (load queue): when the load queue reaches it: semaphore += 1. */
static inline void csync_sig_ld(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 1, 0, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.sig.ex (compute queue): when the compute queue reaches it: semaphore += 1. */
static inline void csync_sig_ex(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 1, 1, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.sig.st (store queue): when the store queue reaches it: semaphore += 1. */
static inline void csync_sig_st(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 1, 2, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.sig (core queue): from the core: semaphore += 1. */
static inline void csync_sig(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 1, 3, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.wait.ld (load queue): the load queue waits until the semaphore is positive, then takes 1. */
static inline void csync_wait_ld(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 2, 0, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.wait.ex (compute queue): the compute queue waits until the semaphore is positive, then takes 1. */
static inline void csync_wait_ex(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 2, 1, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.wait.st (store queue): the store queue waits until the semaphore is positive, then takes 1. */
static inline void csync_wait_st(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 2, 2, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* csync.wait (core queue): the core waits until the semaphore is positive, then takes 1. */
static inline void csync_wait(uint64_t semaphore) {
  __asm__ volatile(".insn r 0x7b, 2, 3, x0, %0, x0" : : "r"(semaphore) : "memory");
}
/* cx.fence (core queue): the core waits until the queues named are empty and their units idle. */
static inline void cx_fence(uint64_t queue_mask) {
  __asm__ volatile(".insn r 0x7b, 0, 0, x0, %0, x0" : : "r"(queue_mask) : "memory");
}
/* cx.status (core queue): read a status word (queue occupancy, unit counters) into rd. */
static inline uint64_t cx_status(uint64_t status_select) {
  uint64_t rd;
  __asm__ volatile(".insn r 0x7b, 3, 0, %0, %1, x0" : "=r"(rd) : "r"(status_select) : "memory");
  return rd;
}

#endif
