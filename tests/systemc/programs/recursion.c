/* Deep recursion on the stack. */
#include "prog.h"

static uint64_t fib(uint64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint64_t ackermann(uint64_t m, uint64_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

int tile_main(unsigned tile, unsigned tiles) {
  (void)tiles;
  if (tile != 0) return 0;
  put_str("fib(20) = ");
  put_u64(fib(20));
  put_str("\nackermann(2, 300) = ");
  put_u64(ackermann(2, 300));
  put_str("\n");
  return 0;
}
