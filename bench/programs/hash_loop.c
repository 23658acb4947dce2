/* The benchmark's compute-bound program: every tile hashes its own 4 KiB
   buffer ROUNDS times (loads, multiplies, xors, shifts, a loop branch) and
   exits; tile 0 prints the hash so the work cannot be optimised away. */
#include "cadre_sdk.h"

#ifndef ROUNDS
#define ROUNDS 5000
#endif

static uint8_t buffers[8][4096];

int main(long tile, long tiles) {
  (void)tiles;
  uint8_t* bytes = buffers[tile % 8];
  for (unsigned i = 0; i < sizeof(buffers[0]); ++i) bytes[i] = (uint8_t)(i * 131 + (unsigned)tile);
  uint64_t h = 0xcbf29ce484222325ull;
  for (int r = 0; r < ROUNDS; ++r)
    for (unsigned i = 0; i < sizeof(buffers[0]); ++i) h = ((h ^ bytes[i]) * 0x100000001b3ull) ^ (h >> 29);
  if (tile == 0) {
    char text[17];
    for (int k = 0; k < 16; ++k) text[15 - k] = "0123456789abcdef"[(h >> (4 * k)) & 15];
    text[16] = '\n';
    cadre_write(1, text, 17);
  }
  return 0;
}
