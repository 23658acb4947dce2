/* One expert's SwiGLU MLP on a tile, written by hand against the Xcadre ISA
   (docs/expert-mlp.md):

     x = gather(x_codes, x_scales; tokens)              load queue
     for each 128-wide slice j of the intermediate size:
       g = [x * gate_j^T | x * up_j^T]                  matrix engine, K in chunks
       h_j = quant(silu(bf16(g.gate)) * bf16(g.up))      vector unit
       o += h_j * down_j^T                              matrix engine, N in chunks
     out[tokens] += weight * bf16(o)                    store queue (scatter-add)

   Every weight tile (128 x KC or KC x 128 FP8, one per cmx.preload) streams
   through two scratchpad buffers: the load queue fills buffer t % 2 while
   the matrix engine works on the other, the two ordered by semaphores
   FULL(b) (load -> compute) and EMPTY(b) (compute -> load). The core issues
   load t + 1 only after compute t - 1, so no queue can wait on a command
   that was never issued. */
#include "cadre_sdk.h"
#include "cadre_xcadre.h"
#include "expert_mlp_args.h"

enum {
  SEM_X_READY = 0, /* load -> compute: tokens, weights and activations are in */
  SEM_DONE = 1,    /* compute -> store: the output rows are ready */
  SEM_FULL = 2,    /* + buffer: a weight tile is in the buffer */
  SEM_EMPTY = 4,   /* + buffer: the matrix engine is done with the buffer */
};

enum tile_kind { TILE_GATE, TILE_UP, TILE_DOWN };

struct tile {
  enum tile_kind kind;
  uint64_t slice; /* j: the 128-wide slice of the intermediate size */
  uint64_t chunk; /* K chunk (gate, up) or N chunk (down) of KC */
};

/* Tile t of the stream: per slice, the gate chunks, the up chunks, then the
   down chunks; `chunks` = H / KC. (Every tile runs this program on the same
   RAM image, so per-tile state lives on the tile's own stack, not in globals.) */
static struct tile tile_at(uint64_t t, uint64_t chunks) {
  struct tile w;
  w.slice = t / (3 * chunks);
  const uint64_t i = t % (3 * chunks);
  w.kind = (enum tile_kind)(i / chunks);
  w.chunk = i % chunks;
  return w;
}

static void issue_load(const struct expert_mlp_args* p, uint64_t t) {
  const struct expert_mlp_args a = *p;
  const uint64_t b = t & 1, kc = a.k_chunk, scales = kc / 128;
  const struct tile w = tile_at(t, a.hidden / kc);
  if (t >= 2) csync_wait_ld(cx_semaphore(SEM_EMPTY + b));
  if (w.kind == TILE_DOWN) {
    /* down rows [chunk * KC, +KC), columns [128 j, +128); scales: a column of KC/128 blocks. */
    cdma_ld_cfg(cx_strides(a.inter, 0));
    cdma_ld(a.down + w.chunk * kc * a.inter + w.slice * 128, cx_transfer(a.l_w[b], kc, 128));
    cdma_ld_cfg(cx_strides(a.inter / 128 * 4, 4));
    cdma_ld(a.down_scales + (w.chunk * scales * (a.inter / 128) + w.slice) * 4, cx_transfer(a.l_ws[b], scales, 4));
  } else {
    /* gate or up rows [128 j, +128), columns [chunk * KC, +KC); scales: a row of KC/128 blocks. */
    const uint64_t base = w.kind == TILE_GATE ? a.gate : a.up;
    const uint64_t scale_base = w.kind == TILE_GATE ? a.gate_scales : a.up_scales;
    cdma_ld_cfg(cx_strides(a.hidden, 0));
    cdma_ld(base + w.slice * 128 * a.hidden + w.chunk * kc, cx_transfer(a.l_w[b], 128, kc));
    cdma_ld_cfg(cx_strides(0, 0));
    cdma_ld(scale_base + (w.slice * (a.hidden / 128) + w.chunk * scales) * 4, cx_transfer(a.l_ws[b], 1, scales * 4));
  }
  csync_sig_ld(cx_semaphore(SEM_FULL + b));
}

static void issue_compute(const struct expert_mlp_args* p, uint64_t t) {
  const struct expert_mlp_args a = *p;
  const uint64_t b = t & 1, kc = a.k_chunk, m = a.rows, chunks = a.hidden / kc;
  const struct tile w = tile_at(t, chunks);
  csync_wait_ex(cx_semaphore(SEM_FULL + b));
  if (w.kind == TILE_DOWN) {
    if (w.chunk == 0) /* A = the slice's activations, packed; C = columns of o */
      cmx_cfg(cx_matrix_formats(CX_FMT_E4M3, CX_FMT_E4M3, a.hidden * 4), cx_operand_strides(0, 0));
    cmx_preload(cx_tile_with_scales(a.l_w[b], a.l_ws[b]), cx_weight_shape(128, kc));
    const uint64_t A = cx_tile_with_scales(a.l_hq, a.l_hs), C = cx_matmul_out(a.l_o + w.chunk * kc * 4, m);
    if (w.slice == 0) cmx_mm(A, C);
    else cmx_mm_acc(A, C);
  } else {
    if (w.kind == TILE_GATE && w.chunk == 0) /* A = x's K chunk; C = the gate or up half of g */
      cmx_cfg(cx_matrix_formats(CX_FMT_E4M3, CX_FMT_E4M3, 256 * 4), cx_operand_strides(a.hidden, 0));
    cmx_preload(cx_tile_with_scales(a.l_w[b], a.l_ws[b]), cx_weight_shape(kc, 128));
    const uint64_t A = cx_tile_with_scales(a.l_x + w.chunk * kc, a.l_xs + w.chunk * m * (kc / 128) * 4);
    const uint64_t C = cx_matmul_out(a.l_g + (w.kind == TILE_UP ? 128 * 4 : 0), m);
    if (w.chunk == 0) cmx_mm(A, C);
    else cmx_mm_acc(A, C);
  }
  csync_sig_ex(cx_semaphore(SEM_EMPTY + b));
}

/* After the last up tile of a slice: the vector unit's part. */
static void issue_activation(const struct expert_mlp_args* p, uint64_t t) {
  const struct expert_mlp_args a = *p;
  const uint64_t m = a.rows, chunks = a.hidden / a.k_chunk;
  const struct tile w = tile_at(t, chunks);
  if (w.kind == TILE_UP && w.chunk == chunks - 1) {
    /* g is complete: round it to BF16 as the GPU's GEMM output is, then SiLU-multiply and quantise. */
    cvec_cvt(cx_src_dst(a.l_g, a.l_gb), cx_convert(m * 256, CX_FMT_FP32, CX_FMT_BF16));
    cvec_cvt(cx_src_dst(a.l_gb, a.l_g), cx_convert(m * 256, CX_FMT_BF16, CX_FMT_FP32));
    cvec_q_cfg(cx_quant_config(a.l_hs, CX_FMT_E4M3));
    cvec_silumul_q(cx_src_dst(a.l_g, a.l_hq), cx_rows_cols(m, 128));
  }
}

int main(unsigned long tile, unsigned long tiles) {
  (void)tiles;
  const volatile uint64_t* src = (const volatile uint64_t*)(CADRE_EXPERT_MLP_ARGS + tile * CADRE_EXPERT_MLP_ARGS_STRIDE);
  struct expert_mlp_args a;
  uint64_t* dst = (uint64_t*)&a;
  for (unsigned i = 0; i < sizeof a / 8; ++i) dst[i] = src[i];
  if (a.rows == 0) return 0;
  const uint64_t chunks = a.hidden / a.k_chunk;
  const uint64_t m = a.rows, kc = a.k_chunk, tiles_total = (a.inter / 128) * 3 * chunks;

  /* The gathered rows: the token list and weights, x's codes, and each K chunk's scales. */
  cdma_ld_cfg(cx_strides(0, 0));
  cdma_ld(a.tokens, cx_transfer(a.l_tokens, 1, m * 4));
  cdma_ld(a.weights, cx_transfer(a.l_weights, 1, m * 4));
  cdma_ld_idx(cx_index_list(a.l_tokens, a.table_rows));
  cdma_ld_cfg(cx_strides(a.hidden, a.hidden));
  cdma_gather(a.x_codes, cx_transfer(a.l_x, m, a.hidden));
  cdma_ld_cfg(cx_strides(a.hidden / 128 * 4, kc / 128 * 4));
  for (uint64_t c = 0; c < chunks; ++c)
    cdma_gather(a.x_scales + c * (kc / 128) * 4, cx_transfer(a.l_xs + c * m * (kc / 128) * 4, m, kc / 128 * 4));
  csync_sig_ld(cx_semaphore(SEM_X_READY));
  csync_wait_ex(cx_semaphore(SEM_X_READY));

  /* Compute t is issued before load t + 1 (which waits for compute t - 1 to
     free its buffer): while the core stalls on that load, the compute queue
     already holds tile t, so the array goes from tile to tile without a gap.
     The vector work after a slice's last up tile comes after load t + 1, so
     that the core, stalled on the compute queue behind it, does not hold the
     next load back. */
  issue_load(&a, 0);
  for (uint64_t t = 0; t < tiles_total; ++t) {
    if (t == 0 && tiles_total > 1) issue_load(&a, 1);
    issue_compute(&a, t);
    if (t >= 1 && t + 1 < tiles_total) issue_load(&a, t + 1);
    issue_activation(&a, t);
  }

  /* o to BF16 (the GPU's down GEMM output), then the weighted scatter-add into out. */
  cvec_cvt(cx_src_dst(a.l_o, a.l_ob), cx_convert(m * a.hidden, CX_FMT_FP32, CX_FMT_BF16));
  csync_sig_ex(cx_semaphore(SEM_DONE));
  csync_wait_st(cx_semaphore(SEM_DONE));
  cdma_st_cfg(cx_strides(a.hidden * 4, a.hidden * 2), cx_format_pair(CX_FMT_BF16, CX_FMT_FP32));
  cdma_st_idx(cx_index_list(a.l_tokens, a.table_rows), cx_weight_list(a.l_weights));
  cdma_scatadd(a.out, cx_row_update(a.l_ob, m, a.hidden));
  cx_fence(cx_queue_mask(7));
  return 0;
}
