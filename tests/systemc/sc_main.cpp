// libsystemc provides main() and calls sc_main(): here it runs the tests.
#include <gtest/gtest.h>

#include <systemc>  // declares sc_main extern "C", as libsystemc calls it

int sc_main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
