/* The environment calls and counters of a bare program on the Cadre chip
   (docs/simulator.md, BRIEF section 10): ecall 64 writes, ecall 93 exits,
   and the Zicsr counters cycle, instret and mhartid. */
#ifndef CADRE_SDK_H
#define CADRE_SDK_H

#include <stdint.h>

/* write(fd, buffer, length): fd 1 is stdout, 2 is stderr. Returns length. */
static inline long cadre_write(long fd, const void* buffer, unsigned long length) {
  register long a0 __asm__("a0") = fd;
  register const void* a1 __asm__("a1") = buffer;
  register unsigned long a2 __asm__("a2") = length;
  register long a7 __asm__("a7") = 64;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

/* Ends this tile's run; the chip's exit code is tile 0's. */
static inline __attribute__((noreturn)) void cadre_exit(long code) {
  register long a0 __asm__("a0") = code;
  register long a7 __asm__("a7") = 93;
  __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
  __builtin_unreachable();
}

static inline uint64_t cadre_cycle(void) {
  uint64_t v;
  __asm__ volatile("rdcycle %0" : "=r"(v));
  return v;
}

static inline uint64_t cadre_instret(void) {
  uint64_t v;
  __asm__ volatile("rdinstret %0" : "=r"(v));
  return v;
}

/* The tile id, as main's first argument also gives it. */
static inline uint64_t cadre_hartid(void) {
  uint64_t v;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mhartid\n.option pop" : "=r"(v));
  return v;
}

/* Each tile's scratchpad, visible to its loads and stores. */
#define CADRE_SCRATCHPAD ((volatile uint8_t*)0x20000000u)

#endif
