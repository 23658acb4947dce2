// libsystemc.so calls sc_main from its own main(), so every program linking
// it must define sc_main. Programs with a main of their own (cadre, the
// benchmarks, fuzz targets, plain gtest binaries) never call it: this weak
// definition satisfies the linker for them, and the SystemC test binaries,
// whose main is libsystemc's, define the real one. cadre_sim adds this file to
// every program that links it (an INTERFACE source), because a weak symbol in a
// static library is only linked when something else pulls its object in.
#include <cstdio>

extern "C" __attribute__((weak)) int sc_main(int, char**) {
  std::fputs("cadre_sim: sc_main called, but this program runs simulations through cadre::sim::simulate\n", stderr);
  return 1;
}
