# GoogleTest units labelled by part, as ctest -L <part> selects them.
find_package(GTest REQUIRED)
include(GoogleTest)

# cadre_add_gtest(NAME LABEL SOURCES... [DEPS targets...])
function(cadre_add_gtest name label)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${CADRE_WARNINGS})
  target_link_libraries(${name} PRIVATE GTest::gtest_main ${ARG_DEPS})
  gtest_discover_tests(${name} PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60)
endfunction()

# Tools the tests use when present; tests that need a missing one skip and say so.
find_program(CADRE_RISCV_GCC riscv64-unknown-elf-gcc)
find_program(CADRE_RISCV_AS riscv64-unknown-elf-as)
find_program(CADRE_RISCV_OBJDUMP riscv64-unknown-elf-objdump)
find_program(CADRE_FILECHECK NAMES FileCheck-14 FileCheck PATHS /usr/lib/llvm-14/bin)
# lit, the LLVM test runner, comes with Debian's llvm-14-tools as a script.
find_program(CADRE_LLVM_NOT NAMES not-14 not PATHS /usr/lib/llvm-14/bin)
find_file(CADRE_LIT lit.py PATHS /usr/lib/llvm-14/build/utils/lit NO_DEFAULT_PATH)
find_package(Python3 COMPONENTS Interpreter)
find_program(CADRE_RISCV_OBJCOPY riscv64-unknown-elf-objcopy)
