#include "cadre/sim/start.h"

#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <cstddef>
#include <system_error>
#include <systemc>

// AddressSanitizer's fiber interface; null where its runtime is not linked.
#pragma weak __sanitizer_start_switch_fiber
#pragma weak __sanitizer_finish_switch_fiber

namespace cadre::sim {
namespace {

// SystemC's coroutines (QuickThreads, in Debian's libsystemc 2.3.4) tell
// AddressSanitizer of a switch only when a thread yields, and then give the
// main coroutine an empty stack; a thread that ends switches to the next one
// without telling it. So when sc_start() returns, ASan takes the calling
// thread's stack to be empty or to be the stack of a SystemC thread that has
// ended, which SystemC has unmapped by then. LeakSanitizer scans that range
// at exit instead of the real stack and dies on whatever is mapped there by
// then, and ASan skips unpoisoning the stack before a throw or a noreturn
// call. Telling ASan of a switch onto the thread's own stack puts it right.
void announce_own_stack_to_asan() {
  if (__sanitizer_start_switch_fiber == nullptr || __sanitizer_finish_switch_fiber == nullptr) return;
  pthread_attr_t attr;
  if (const int e = pthread_getattr_np(pthread_self(), &attr); e != 0)
    throw std::system_error(e, std::generic_category(), "pthread_getattr_np");
  void* bottom = nullptr;
  size_t size = 0;
  const int e = pthread_attr_getstack(&attr, &bottom, &size);
  pthread_attr_destroy(&attr);
  if (e != 0) throw std::system_error(e, std::generic_category(), "pthread_attr_getstack");
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
}

}  // namespace

void start() {
  try {
    sc_core::sc_start();
  } catch (...) {
    announce_own_stack_to_asan();
    throw;
  }
  announce_own_stack_to_asan();
}

}  // namespace cadre::sim
