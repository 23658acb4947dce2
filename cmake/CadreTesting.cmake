# GoogleTest units labelled by part, as ctest -L <part> selects them.
find_package(GTest REQUIRED)
include(GoogleTest)

# Tests that take minutes, by name: a conversion of every FP32 input
# (AllFloats), every custom instruction word (EveryCustomWord), full-size
# layers (FullSize), a yosys synthesis of the matrix engine (Synthesised). They get the label `slow` beside their part's, so
# `ctest -LE slow` is the quick loop (docs/development.md).
set(CADRE_SLOW_TESTS "AllFloats|EveryCustomWord|FullSize|Synthesised")

# cadre_discover_tests(TARGET LABELS label... [PREFIX p] [PROPERTIES name value...])
# Registers the GoogleTest binary's tests with ctest, each labelled LABELS
# (plus `slow` when its name matches CADRE_SLOW_TESTS). The labels are set by
# a script ctest reads after the discovered tests, as a list of labels does
# not survive gtest_discover_tests' PROPERTIES.
function(cadre_discover_tests target)
  cmake_parse_arguments(ARG "" "PREFIX" "LABELS;PROPERTIES" ${ARGN})
  set(properties "")
  if(ARG_PROPERTIES)
    set(properties PROPERTIES ${ARG_PROPERTIES})
  endif()
  gtest_discover_tests(${target} TEST_PREFIX "${ARG_PREFIX}" TEST_LIST ${target}_TESTS DISCOVERY_TIMEOUT 60
                       ${properties})
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(WRITE ${script} "foreach(test \${${target}_TESTS})
  set(labels ${ARG_LABELS})
  if(test MATCHES \"${CADRE_SLOW_TESTS}\")
    list(APPEND labels slow)
  endif()
  set_tests_properties(\${test} PROPERTIES LABELS \"\${labels}\")
endforeach()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()

# cadre_add_gtest(NAME LABEL SOURCES... [DEPS targets...])
function(cadre_add_gtest name label)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${CADRE_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE GTest::gtest_main ${ARG_DEPS})
  cadre_discover_tests(${name} LABELS ${label})
endfunction()

# Tools the tests use when present; tests that need a missing one skip and say so.
find_program(CADRE_RISCV_AS riscv64-unknown-elf-as)
find_program(CADRE_RISCV_OBJDUMP riscv64-unknown-elf-objdump)
find_program(CADRE_FILECHECK NAMES FileCheck-14 FileCheck PATHS /usr/lib/llvm-14/bin)
# lit, the LLVM test runner, comes with Debian's llvm-14-tools as a script.
find_program(CADRE_LLVM_NOT NAMES not-14 not PATHS /usr/lib/llvm-14/bin)
find_file(CADRE_LIT lit.py PATHS /usr/lib/llvm-14/build/utils/lit NO_DEFAULT_PATH)
find_package(Python3 COMPONENTS Interpreter)
find_program(CADRE_RISCV_OBJCOPY riscv64-unknown-elf-objcopy)
