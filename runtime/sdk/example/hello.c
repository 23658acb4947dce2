/* Hello from every tile: tile 0 greets, each tile reports its cycle count.
   Build and run (from the repository root):
     riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -mcmodel=medany -O2 \
       -ffreestanding -nostdlib -I runtime/sdk -T runtime/sdk/link.ld \
       runtime/sdk/start.S runtime/sdk/example/hello.c -lgcc -o hello.elf
     build/release/bin/cadre sim hello.elf --arch small --stats */
#include "cadre_sdk.h"

static unsigned long length(const char* s) {
  unsigned long n = 0;
  while (s[n]) ++n;
  return n;
}

static void print(const char* s) { cadre_write(1, s, length(s)); }

int main(long tile, long tiles) {
  if (tile == 0) print("Hello from the Cadre chip\n");
  char line[] = "tile ? of ? done\n";
  line[5] = (char)('0' + tile % 10);
  line[10] = (char)('0' + tiles % 10);
  print(line);
  return 0;
}
