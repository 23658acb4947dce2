// A freestanding program whose compiled code covers much of RV64IM and some
// Zicsr: the disassembler is checked against objdump on it instruction by
// instruction. It runs too (qemu-riscv64), but only its code matters here.
#include <stdint.h>

// Every width, signed and unsigned, so GCC emits each load, store and W form.
volatile int8_t s8 = -3;
volatile uint8_t u8 = 200;
volatile int16_t s16 = -300;
volatile uint16_t u16 = 60000;
volatile int32_t s32 = -70000;
volatile uint32_t u32 = 4000000000u;
volatile int64_t s64 = -5000000000;
volatile uint64_t u64 = 18000000000000000000u;

int64_t arith(int64_t a, int64_t b, uint64_t c, uint64_t d) {
  int64_t r = a * b + a / b + a % b;
  r += (int64_t)(c / d + c % d);
  r += (int64_t)(((__int128)a * b) >> 64);                       // mulh
  r += (int64_t)(((unsigned __int128)c * d) >> 64);              // mulhu
  r += (int64_t)(((__int128)a * (unsigned __int128)c) >> 64);    // mulhsu
  return r;
}

int32_t arith32(int32_t a, int32_t b, uint32_t c, uint32_t d) {
  return a * b + a / b + a % b + (int32_t)(c / d) + (int32_t)(c % d) + (a << (b & 31)) + (a >> (b & 31)) +
         (int32_t)(c >> (d & 31));
}

int64_t shifts(int64_t a, uint64_t b, int n) {
  return (a << 13) + (a >> 41) + (int64_t)(b >> 63) + (a << n) + (a >> n) + (int64_t)(b >> n);
}

void copy_widths(void) {
  s8 = (int8_t)(s8 + u8);
  u8 = (uint8_t)(u8 + 1);
  s16 = (int16_t)(s16 + u16);
  u16 = (uint16_t)(u16 + 1);
  s32 = s32 + (int32_t)u32;
  u32 = u32 + 1;
  s64 = s64 + (int64_t)u64;
  u64 = u64 ^ 0x5555;
}

int64_t sum_loop(const int32_t* v, int n) {
  int64_t total = 0;
  for (int i = 0; i < n; ++i) total += v[i] < 0 ? -v[i] : v[i];
  return total;
}

int classify(int x) {
  switch (x) {
    case 0: return 11;
    case 1: return 23;
    case 2: return 37;
    case 3: return 41;
    case 4: return 59;
    case 5: return 67;
    case 7: return 79;
    default: return x < 0 ? -1 : 0;
  }
}

uint64_t fib(uint64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

uint64_t read_counters(void) {
  uint64_t cycles, instret, hart;
  __asm__ volatile(".option push\n.option arch, +zicsr\nrdcycle %0\n.option pop" : "=r"(cycles));
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, instret\n.option pop" : "=r"(instret));
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mhartid\n.option pop" : "=r"(hart));
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrrwi zero, mscratch, 5\ncsrrc zero, 0x7c0, %0\n.option pop"
                   :
                   : "r"(hart));
  __asm__ volatile("fence rw, rw\nfence.tso\nebreak");
  return cycles + instret + hart;
}

int main(void) {
  static int32_t values[8] = {1, -2, 3, -4, 5, -6, 7, -8};
  copy_widths();
  int64_t r = arith(s64, 7, u64, 3) + arith32(s32, 5, u32, 9) + shifts(s64, u64, s8 & 63);
  r += sum_loop(values, 8) + classify((int)(u8 & 7)) + (int64_t)fib(10) + (int64_t)read_counters();
  return (int)(r & 0x7f);
}
