/* The test programs' environment, built two ways: for the simulated chip
   (runtime/sdk: ecalls, CSRs, M instructions) and for the host, where the
   same calls follow the documented semantics in plain C. Each program defines
   tile_main(tile, tiles); its output on the simulator must equal the host
   build's. The host build runs the tiles one after another, last tile first,
   so a tile 0 that waits for the others finds them done. */
#ifndef CADRE_TEST_PROG_H
#define CADRE_TEST_PROG_H

#include <stdint.h>

int tile_main(unsigned tile, unsigned tiles);

#ifdef __riscv
#include "cadre_sdk.h"

#define RV_OP(NAME)                                                        \
  static inline uint64_t rv_##NAME(uint64_t a, uint64_t b) {               \
    uint64_t r;                                                            \
    __asm__ volatile(#NAME " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));      \
    return r;                                                              \
  }
RV_OP(div) RV_OP(divu) RV_OP(rem) RV_OP(remu) RV_OP(divw) RV_OP(divuw) RV_OP(remw) RV_OP(remuw)
RV_OP(mulh) RV_OP(mulhu) RV_OP(mulhsu) RV_OP(mulw)

static inline void mscratch_write(uint64_t v) {
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw mscratch, %0\n.option pop" : : "r"(v));
}
static inline uint64_t mscratch_read(void) {
  uint64_t v;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mscratch\n.option pop" : "=r"(v));
  return v;
}
static inline uint64_t misa_read(void) {
  uint64_t v;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, misa\n.option pop" : "=r"(v));
  return v;
}
/* Two instret reads with nothing between them: the second counts the first. */
static inline uint64_t instret_pair_delta(void) {
  uint64_t a, b;
  __asm__ volatile("rdinstret %0\n rdinstret %1" : "=r"(a), "=r"(b));
  return b - a;
}

#define SCRATCH CADRE_SCRATCHPAD

int main(long tile, long tiles) { return tile_main((unsigned)tile, (unsigned)tiles); }

/* GCC may call these for struct copies and array initialisers. */
void* memset(void* d, int c, unsigned long n) {
  volatile unsigned char* p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void* memcpy(void* d, const void* s, unsigned long n) {
  volatile unsigned char* p = d;
  const unsigned char* q = s;
  while (n--) *p++ = *q++;
  return d;
}

#else /* host */
#include <limits.h>
#include <unistd.h>

static unsigned host_tile;
static uint64_t host_counter, host_mscratch;

static inline long cadre_write(long fd, const void* buffer, unsigned long length) {
  return (long)write((int)fd, buffer, length);
}
static inline uint64_t cadre_cycle(void) { return host_counter += 3; }
static inline uint64_t cadre_instret(void) { return ++host_counter; }
static inline uint64_t cadre_hartid(void) { return host_tile; }
static inline void mscratch_write(uint64_t v) { host_mscratch = v; }
static inline uint64_t mscratch_read(void) { return host_mscratch; }
static inline uint64_t misa_read(void) { return (2ull << 62) | (1u << 8) | (1u << 12); }
static inline uint64_t instret_pair_delta(void) { return 1; }

/* The RISC-V M extension's results (unprivileged spec, chapter M). */
static inline uint64_t sx32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }
static inline uint64_t rv_div(uint64_t a, uint64_t b) {
  if (b == 0) return ~0ull;
  if ((int64_t)a == LLONG_MIN && (int64_t)b == -1) return a;
  return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t rv_divu(uint64_t a, uint64_t b) { return b == 0 ? ~0ull : a / b; }
static inline uint64_t rv_rem(uint64_t a, uint64_t b) {
  if (b == 0) return a;
  if ((int64_t)a == LLONG_MIN && (int64_t)b == -1) return 0;
  return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint64_t rv_remu(uint64_t a, uint64_t b) { return b == 0 ? a : a % b; }
static inline uint64_t rv_divw(uint64_t a, uint64_t b) {
  int32_t x = (int32_t)a, y = (int32_t)b;
  if (y == 0) return ~0ull;
  if (x == INT_MIN && y == -1) return sx32((uint32_t)x);
  return sx32((uint32_t)(x / y));
}
static inline uint64_t rv_divuw(uint64_t a, uint64_t b) {
  uint32_t x = (uint32_t)a, y = (uint32_t)b;
  return y == 0 ? ~0ull : sx32(x / y);
}
static inline uint64_t rv_remw(uint64_t a, uint64_t b) {
  int32_t x = (int32_t)a, y = (int32_t)b;
  if (y == 0) return sx32((uint32_t)x);
  if (x == INT_MIN && y == -1) return 0;
  return sx32((uint32_t)(x % y));
}
static inline uint64_t rv_remuw(uint64_t a, uint64_t b) {
  uint32_t x = (uint32_t)a, y = (uint32_t)b;
  return sx32(y == 0 ? x : x % y);
}
static inline uint64_t rv_mulh(uint64_t a, uint64_t b) {
  return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
}
static inline uint64_t rv_mulhu(uint64_t a, uint64_t b) {
  return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static inline uint64_t rv_mulhsu(uint64_t a, uint64_t b) {
  return (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64);
}
static inline uint64_t rv_mulw(uint64_t a, uint64_t b) { return sx32((uint32_t)(a * b)); }

static uint8_t host_scratch[65536];
#define SCRATCH ((volatile uint8_t*)host_scratch)

#ifndef CADRE_TILES
#define CADRE_TILES 1
#endif
int main(void) {
  int code = 0;
  for (unsigned t = CADRE_TILES; t-- > 0;) {
    host_tile = t;
    const int c = tile_main(t, CADRE_TILES);
    if (t == 0) code = c;
  }
  return code;
}
#endif

/* Printing, the same on both. */
static inline unsigned long str_length(const char* s) {
  unsigned long n = 0;
  while (s[n]) ++n;
  return n;
}
static inline void put_str(const char* s) { cadre_write(1, s, str_length(s)); }
static inline void put_u64(uint64_t v) {
  char buf[24];
  int i = 23;
  buf[i] = 0;
  do buf[--i] = (char)('0' + v % 10); while (v /= 10);
  put_str(buf + i);
}
static inline void put_i64(int64_t v) {
  if (v < 0) {
    put_str("-");
    put_u64(0 - (uint64_t)v);
  } else {
    put_u64((uint64_t)v);
  }
}
static inline void put_hex(uint64_t v) {
  char buf[19];
  buf[0] = '0', buf[1] = 'x', buf[18] = 0;
  for (int i = 0; i < 16; ++i) buf[17 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
  put_str(buf);
}
static inline void put_kv(const char* key, uint64_t v) {
  put_str(key);
  put_str(" ");
  put_hex(v);
  put_str("\n");
}

#endif
