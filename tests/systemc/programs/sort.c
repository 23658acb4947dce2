/* Quicksort of pseudo-random numbers. */
#include "prog.h"

#define N 2000
static int64_t data[N];

static void sort(int64_t* a, long lo, long hi) {
  while (lo < hi) {
    const int64_t pivot = a[(lo + hi) / 2];
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i <= j) {
        const int64_t t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    sort(a, lo, j);
    lo = i;
  }
}

int tile_main(unsigned tile, unsigned tiles) {
  (void)tiles;
  if (tile != 0) return 0;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < N; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    data[i] = (int64_t)(x % 100000) - 50000;
  }
  sort(data, 0, N - 1);
  int sorted = 1;
  uint64_t sum = 0;
  for (int i = 0; i < N; ++i) {
    if (i > 0 && data[i - 1] > data[i]) sorted = 0;
    sum = sum * 17 + (uint64_t)data[i];
  }
  put_str(sorted ? "sorted\n" : "NOT sorted\n");
  put_str("min ");
  put_i64(data[0]);
  put_str(" max ");
  put_i64(data[N - 1]);
  put_str("\n");
  put_kv("checksum", sum);
  return 0;
}
