// sim::start leaves AddressSanitizer's record of the calling thread's stack
// true after a run in which a SystemC thread ended: LeakSanitizer scans that
// range at exit (start.cpp says why SystemC leaves it wrong).
#include <gtest/gtest.h>
#include <sanitizer/common_interface_defs.h>

#include <cstddef>
#include <cstdint>
#include <systemc>

#include "cadre/sim/start.h"

#pragma weak __sanitizer_start_switch_fiber
#pragma weak __sanitizer_finish_switch_fiber

namespace cadre::test {
namespace {

struct EndingThread : sc_core::sc_module {
  explicit EndingThread(sc_core::sc_module_name name) : sc_module(name) {
    SC_HAS_PROCESS(EndingThread);
    SC_THREAD(run);
  }
  void run() { sc_core::wait(10, sc_core::SC_NS); }
};

struct StackRange {
  uintptr_t bottom = 0;
  size_t size = 0;
};

// ASan's record of the running thread's stack: a switch from it onto no stack
// returns it, and a second switch puts it back.
StackRange asan_stack_record() {
  void* fake_stack = nullptr;
  const void* bottom = nullptr;
  size_t size = 0;
  __sanitizer_start_switch_fiber(&fake_stack, nullptr, 0);
  __sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
  return {reinterpret_cast<uintptr_t>(bottom), size};
}

TEST(SimStart, AsanKnowsTheMainStackAfterAThreadEnded) {
  if (__sanitizer_start_switch_fiber == nullptr)
    GTEST_SKIP() << "needs the AddressSanitizer runtime (the asan preset)";
  EndingThread ending("ending");
  sim::start();
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_core::sc_time(10, sc_core::SC_NS));
  int local = 0;
  const uintptr_t here = reinterpret_cast<uintptr_t>(&local);
  const StackRange stack = asan_stack_record();
  EXPECT_LE(stack.bottom, here);
  EXPECT_LT(here, stack.bottom + stack.size);
}

}  // namespace
}  // namespace cadre::test
