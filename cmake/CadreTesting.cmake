# GoogleTest units labelled by part, as ctest -L <part> selects them.
find_package(GTest REQUIRED)
include(GoogleTest)

# Tests that take minutes, by name: a conversion of every FP32 input
# (AllFloats), every custom instruction word (EveryCustomWord), full-size
# layers (FullSize), a yosys synthesis of the matrix engine (Synthesised). They get the label `slow` beside their part's, so
# `ctest -LE slow` is the quick loop (docs/development.md).
set(CADRE_SLOW_TESTS "AllFloats|EveryCustomWord|FullSize|Synthesised")

# The sanitizer suite: the test binaries CI builds with the asan preset and runs
# (scripts/test-asan.sh; docs/development.md says what it leaves out and why).
# Their tests get the label `sanitizer` beside their part's; the target
# sanitizer_suite builds them.
set(CADRE_SANITIZER_SUITE
  # the SystemC chip model and its control core
  test_sim_memory test_sim_programs test_sim_timing test_sim_errors test_sim_start
  test_matrix_engine test_vector_unit test_accelerator test_dma test_xcadre_on_chip
  # the runtime, and compiled layers run on the chip against the golden model
  test_expert_mlp test_sdk_header test_e2e_layers test_e2e_codegen
  # the compiler
  test_compiler_ir test_compiler_passes test_codegen
  # readers of outside input, and the ISA
  test_json_text test_elf test_safetensors test_layer_spec
  test_xcadre test_rv64_decode test_disasm test_toolchain
  # the replays of the fuzzers' seed corpora
  fuzz_json fuzz_model_config fuzz_arch_config fuzz_safetensors fuzz_checkpoint fuzz_elf fuzz_sim_load
  fuzz_disasm_raw fuzz_ir fuzz_pass_pipeline fuzz_argument_block)
add_custom_target(sanitizer_suite)
add_dependencies(sanitizer_suite ${CADRE_SANITIZER_SUITE})

# cadre_test_labels(TARGET OUT_VAR label...): the labels of TARGET's tests, the
# given ones plus `sanitizer` when TARGET is in CADRE_SANITIZER_SUITE.
function(cadre_test_labels target out)
  set(labels ${ARGN})
  if(target IN_LIST CADRE_SANITIZER_SUITE)
    list(APPEND labels sanitizer)
  endif()
  set(${out} "${labels}" PARENT_SCOPE)
endfunction()

# cadre_discover_tests(TARGET LABELS label... [PREFIX p] [PROPERTIES name value...])
# Registers the GoogleTest binary's tests with ctest, each labelled LABELS
# (plus `sanitizer` as cadre_test_labels says, and `slow` when its name matches
# CADRE_SLOW_TESTS). The labels are set by
# a script ctest reads after the discovered tests, as a list of labels does
# not survive gtest_discover_tests' PROPERTIES. Each test also gets a
# timeout, so that one that hangs fails in minutes rather than holding CI
# for ctest's default 1500 s: CADRE_TEST_TIMEOUT (the slowest quick test
# takes about 16 s, 23 s under ASan) and CADRE_SLOW_TEST_TIMEOUT (the
# slowest `slow` one about 70 s).
set(CADRE_TEST_TIMEOUT 300 CACHE STRING "seconds a quick test may run before ctest fails it")
set(CADRE_SLOW_TEST_TIMEOUT 1200 CACHE STRING "seconds a test labelled slow may run before ctest fails it")

function(cadre_discover_tests target)
  cmake_parse_arguments(ARG "" "PREFIX" "LABELS;PROPERTIES" ${ARGN})
  set(properties "")
  if(ARG_PROPERTIES)
    set(properties PROPERTIES ${ARG_PROPERTIES})
  endif()
  gtest_discover_tests(${target} TEST_PREFIX "${ARG_PREFIX}" TEST_LIST ${target}_TESTS DISCOVERY_TIMEOUT 60
                       ${properties})
  cadre_test_labels(${target} target_labels ${ARG_LABELS})
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(WRITE ${script} "foreach(test \${${target}_TESTS})
  set(labels ${target_labels})
  set(timeout ${CADRE_TEST_TIMEOUT})
  if(test MATCHES \"${CADRE_SLOW_TESTS}\")
    list(APPEND labels slow)
    set(timeout ${CADRE_SLOW_TEST_TIMEOUT})
  endif()
  set_tests_properties(\${test} PROPERTIES LABELS \"\${labels}\" TIMEOUT \${timeout})
endforeach()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()

# GoogleTest's header, compiled once for every test (a precompiled header
# the tests reuse): it saves 0.6-1.3 CPU-seconds a test file at -O3.
file(WRITE ${CMAKE_BINARY_DIR}/cadre_gtest_pch.cpp "// The precompiled header's own translation unit.\n")
add_library(cadre_gtest_pch OBJECT ${CMAKE_BINARY_DIR}/cadre_gtest_pch.cpp)
target_compile_options(cadre_gtest_pch PRIVATE ${CADRE_WARNINGS})
target_link_libraries(cadre_gtest_pch PRIVATE GTest::gtest)
target_precompile_headers(cadre_gtest_pch PRIVATE <gtest/gtest.h>)

# cadre_add_gtest(NAME LABEL SOURCES... [DEPS targets...])
function(cadre_add_gtest name label)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${CADRE_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE GTest::gtest_main ${ARG_DEPS})
  target_precompile_headers(${name} REUSE_FROM cadre_gtest_pch)
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
