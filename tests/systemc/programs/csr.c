/* The counters and machine CSRs a program reads. Values that depend on
   timing print as facts, so the host build prints the same. */
#include "prog.h"

int tile_main(unsigned tile, unsigned tiles) {
  (void)tiles;
  if (tile != 0) return 0;
  const uint64_t c0 = cadre_cycle(), c1 = cadre_cycle();
  put_str(c1 > c0 ? "cycle increases\n" : "cycle does not increase\n");
  put_kv("instret delta", instret_pair_delta());
  const uint64_t i0 = cadre_instret(), i1 = cadre_instret();
  put_str(i1 > i0 ? "instret increases\n" : "instret does not increase\n");
  put_kv("hartid", cadre_hartid());
  mscratch_write(0x1234abcd);
  put_kv("mscratch", mscratch_read());
  put_kv("misa", misa_read());
  return 0;
}
