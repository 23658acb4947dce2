/* Each tile sums its own slice of a shared array; tile 0 waits for every
   tile's flag, then prints all the partial sums. */
#include "prog.h"

#define N 4096
#define MAX_TILES 64
static uint32_t input[N];
static volatile uint64_t partial[MAX_TILES];
static volatile uint32_t done[MAX_TILES];

int tile_main(unsigned tile, unsigned tiles) {
  const unsigned per = N / tiles, begin = tile * per, end = tile + 1 == tiles ? N : begin + per;
  uint64_t sum = 0;
  for (unsigned i = begin; i < end; ++i) {
    input[i] = i * 2654435761u;
    sum += (uint64_t)input[i] * (i % 7 + 1);
  }
  partial[tile] = sum;
  __asm__ volatile("" ::: "memory");
  done[tile] = 1;
  if (tile != 0) return 0;
  for (unsigned t = 0; t < tiles; ++t)
    while (!done[t]) {
    }
  uint64_t total = 0;
  for (unsigned t = 0; t < tiles; ++t) {
    put_str("tile ");
    put_u64(t);
    put_str(" sum ");
    put_u64(partial[t]);
    put_str("\n");
    total += partial[t];
  }
  put_kv("total", total);
  return 0;
}
