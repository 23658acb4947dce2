/* Hello from every tile: tile 0 greets, then each tile says it is done.
   The build makes build/release/runtime/hello.elf (runtime/sdk/README.md
   gives the compiler line); run it from the repository root with
     build/release/bin/cadre sim build/release/runtime/hello.elf --arch small --stats */
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
