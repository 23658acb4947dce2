/* The arguments of the expert-MLP program (expert_mlp.c): one block per tile
   in HBM at CADRE_EXPERT_MLP_ARGS + tile * CADRE_EXPERT_MLP_ARGS_STRIDE,
   written by the host (cadre::runtime::ExpertMlp) before the run. Every
   field is a little-endian uint64_t; addresses are chip (HBM) or tile-local
   (scratchpad, accumulator). Shared by the C program and the C++ host. */
#ifndef CADRE_EXPERT_MLP_ARGS_H
#define CADRE_EXPERT_MLP_ARGS_H

#include <stdint.h>

#define CADRE_EXPERT_MLP_ARGS 0x100000000ull
#define CADRE_EXPERT_MLP_ARGS_STRIDE 0x400ull

struct expert_mlp_args {
  /* Shape. rows = 0: this tile has no expert and exits at once. */
  uint64_t rows;       /* M: rows gathered for the expert (token -1: padding) */
  uint64_t hidden;     /* H, a multiple of k_chunk */
  uint64_t inter;      /* I, the expert's intermediate size, a multiple of 128 */
  uint64_t table_rows; /* T: rows of the activation table and of the output */
  uint64_t k_chunk;    /* KC: each weight tile is 128 x KC or KC x 128 FP8, KC a multiple of 128 */
  /* HBM: the layer's tensors. */
  uint64_t x_codes;     /* [T, H] E4M3 */
  uint64_t x_scales;    /* [T, H/128] FP32 */
  uint64_t tokens;      /* [M] int32, the table row of each gathered row */
  uint64_t weights;     /* [M] FP32, each row's routing weight */
  uint64_t gate;        /* [I, H] E4M3 */
  uint64_t gate_scales; /* [I/128, H/128] FP32 */
  uint64_t up;          /* [I, H] E4M3 */
  uint64_t up_scales;   /* [I/128, H/128] FP32 */
  uint64_t down;        /* [H, I] E4M3 */
  uint64_t down_scales; /* [H/128, I/128] FP32 */
  uint64_t out;         /* [T, H] FP32: out[token] += weight * bf16(y) */
  /* Local memory: where the host's plan puts each buffer. */
  uint64_t l_tokens, l_weights; /* [M] int32, [M] FP32 */
  uint64_t l_x;                 /* [M, H] E4M3 */
  uint64_t l_xs;                /* H/KC chunks of [M, KC/128] FP32: each K chunk's A scales */
  uint64_t l_w[2], l_ws[2];     /* the two weight tiles (128 * KC bytes) and their KC/128 scales */
  uint64_t l_g;                 /* [M, 256] FP32: [gate | up] of one 128-wide slice of I */
  uint64_t l_gb;                /* [M, 256] BF16 */
  uint64_t l_hq, l_hs;          /* [M, 128] E4M3 and [M] FP32: the slice's activations */
  uint64_t l_o;                 /* [M, H] FP32: the down projection, summed over the slices */
  uint64_t l_ob;                /* [M, H] BF16 */
};

#endif
