/* Loads and stores of each width and sign, in RAM and in the scratchpad. */
#include "prog.h"

static uint64_t ram[8];

static uint64_t check(volatile uint8_t* base) {
  for (int i = 0; i < 64; ++i) base[i] = (uint8_t)(0x80 + i * 7);
  uint64_t sum = 0;
  for (int i = 0; i < 64; ++i) sum = sum * 3 + (uint64_t)(int64_t)((volatile int8_t*)base)[i];
  for (int i = 0; i < 64; ++i) sum = sum * 3 + ((volatile uint8_t*)base)[i];
  for (int i = 0; i < 32; ++i) sum = sum * 5 + (uint64_t)(int64_t)((volatile int16_t*)base)[i];
  for (int i = 0; i < 32; ++i) sum = sum * 5 + ((volatile uint16_t*)base)[i];
  for (int i = 0; i < 16; ++i) sum = sum * 7 + (uint64_t)(int64_t)((volatile int32_t*)base)[i];
  for (int i = 0; i < 16; ++i) sum = sum * 7 + ((volatile uint32_t*)base)[i];
  for (int i = 0; i < 8; ++i) sum = sum * 11 + ((volatile uint64_t*)base)[i];
  ((volatile uint16_t*)base)[1] = 0xbeef;
  ((volatile uint32_t*)base)[1] = 0xdeadbeef;
  ((volatile uint64_t*)base)[1] = 0x0123456789abcdefull;
  for (int i = 0; i < 16; ++i) sum = sum * 13 + base[i];
  return sum;
}

int tile_main(unsigned tile, unsigned tiles) {
  (void)tiles;
  if (tile != 0) return 0;
  put_kv("ram", check((volatile uint8_t*)ram));
  put_kv("scratchpad", check(SCRATCH));
  put_kv("lb", (uint64_t)(int64_t)((volatile int8_t*)ram)[0]);
  put_kv("lh", (uint64_t)(int64_t)((volatile int16_t*)ram)[2]);
  put_kv("lw", (uint64_t)(int64_t)((volatile int32_t*)ram)[1]);
  put_kv("lwu", ((volatile uint32_t*)ram)[1]);
  return 3;
}
