/* Integer arithmetic and every M-extension corner case. Operands pass through
   volatile so the compiler cannot fold them. */
#include "prog.h"

static volatile uint64_t values[] = {0, 1, 2, 3, 7, 0x7fffffffull, 0x80000000ull, 0xffffffffull,
                                     0x8000000000000000ull, 0x7fffffffffffffffull, ~0ull, (uint64_t)-7,
                                     0x123456789abcdef0ull, (uint64_t)-2147483648ll, 1000003};
#define COUNT (sizeof(values) / sizeof(values[0]))

int tile_main(unsigned tile, unsigned tiles) {
  (void)tiles;
  if (tile != 0) return 0;
  uint64_t sum = 0;
  for (unsigned i = 0; i < COUNT; ++i) {
    for (unsigned j = 0; j < COUNT; ++j) {
      const uint64_t a = values[i], b = values[j];
      const uint64_t r[] = {rv_div(a, b),  rv_divu(a, b),  rv_rem(a, b),   rv_remu(a, b),
                            rv_divw(a, b), rv_divuw(a, b), rv_remw(a, b),  rv_remuw(a, b),
                            rv_mulh(a, b), rv_mulhu(a, b), rv_mulhsu(a, b), rv_mulw(a, b),
                            a * b,         a + b,          a - b,          a << (b & 63),
                            a >> (b & 63), (uint64_t)((int64_t)a >> (b & 63)),
                            (uint64_t)(int64_t)(int32_t)((uint32_t)a << (b & 31)),
                            (uint64_t)(int64_t)((int32_t)a >> (b & 31)),
                            (uint64_t)((int64_t)a < (int64_t)b), (uint64_t)(a < b)};
      for (unsigned k = 0; k < sizeof(r) / sizeof(r[0]); ++k) sum = sum * 31 + r[k];
    }
  }
  put_kv("checksum", sum);
  /* The corners by name. */
  const uint64_t zero = values[0], minus1 = values[10], min64 = values[8];
  const uint64_t min32 = values[13];
  put_kv("div by zero", rv_div(values[4], zero));
  put_kv("divu by zero", rv_divu(values[4], zero));
  put_kv("rem by zero", rv_rem(values[11], zero));
  put_kv("remu by zero", rv_remu(values[4], zero));
  put_kv("div overflow", rv_div(min64, minus1));
  put_kv("rem overflow", rv_rem(min64, minus1));
  put_kv("divw overflow", rv_divw(min32, minus1));
  put_kv("remw overflow", rv_remw(min32, minus1));
  put_kv("divw by zero", rv_divw(values[4], zero));
  put_kv("remw by zero", rv_remw(values[11], zero));
  put_kv("divuw by zero", rv_divuw(values[4], zero));
  put_kv("remuw by zero", rv_remuw(values[7], zero));
  put_kv("mulh", rv_mulh(min64, minus1));
  put_kv("mulhu", rv_mulhu(minus1, minus1));
  put_kv("mulhsu", rv_mulhsu(minus1, minus1));
  put_kv("mulw", rv_mulw(values[5], values[5]));
  put_kv("div -7/2", rv_div(values[11], values[2]));
  put_kv("rem -7/2", rv_rem(values[11], values[2]));
  return 0;
}
