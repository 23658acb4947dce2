# Programs for the chip's control core, cross-compiled by riscv64-unknown-elf-gcc
# when it is installed. Without it no program is built, and the tests that
# need one skip and say so.
find_program(CADRE_RISCV_GCC riscv64-unknown-elf-gcc)

set(CADRE_SDK_DIR ${PROJECT_SOURCE_DIR}/runtime/sdk)

# The one set of flags for every program. RV64IM with the lp64 ABI and the
# medany code model (code at 0x80000000); freestanding, as there is no libc:
# -fno-tree-loop-distribute-patterns keeps GCC from turning loops into memset
# or memcpy calls; libgcc for 128-bit multiplication and division.
# runtime/sdk/README.md shows the same line for building a program by hand.
set(CADRE_RISCV_FLAGS -march=rv64im -mabi=lp64 -mcmodel=medany -O2 -ffreestanding -nostdlib
    -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror -I${CADRE_SDK_DIR}
    -Wl,--no-warn-rwx-segments)
set(CADRE_RISCV_LIBS -lgcc)

# cadre_riscv_program(NAME SOURCES file... [OUTPUT elf] [OWN_START]
#                     [LINKER_SCRIPT ld] [INCLUDE_DIRS dir...] [DEPENDS file...])
# Links SOURCES, after the SDK's start.S unless OWN_START (the sources define
# _start), with LINKER_SCRIPT (default: the SDK's link.ld) into OUTPUT
# (default: NAME.elf in the current binary folder); the target NAME_elf builds
# it with the project. DEPENDS names the headers the sources include beyond
# the SDK's. Sets NAME_ELF in the caller's scope to the ELF's path, or to ""
# when the cross gcc is missing (and then defines no target).
function(cadre_riscv_program name)
  cmake_parse_arguments(ARG "OWN_START" "OUTPUT;LINKER_SCRIPT" "SOURCES;INCLUDE_DIRS;DEPENDS" ${ARGN})
  if(NOT CADRE_RISCV_GCC)
    set(${name}_ELF "" PARENT_SCOPE)
    return()
  endif()
  if(NOT ARG_OUTPUT)
    set(ARG_OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  endif()
  if(NOT ARG_LINKER_SCRIPT)
    set(ARG_LINKER_SCRIPT ${CADRE_SDK_DIR}/link.ld)
  endif()
  set(sources "")
  if(NOT ARG_OWN_START)
    list(APPEND sources ${CADRE_SDK_DIR}/start.S)
  endif()
  foreach(source ${ARG_SOURCES})
    get_filename_component(source ${source} ABSOLUTE)
    list(APPEND sources ${source})
  endforeach()
  set(include_flags "")
  foreach(dir ${ARG_INCLUDE_DIRS})
    list(APPEND include_flags -I${dir})
  endforeach()
  get_filename_component(output_dir ${ARG_OUTPUT} DIRECTORY)
  get_filename_component(output_name ${ARG_OUTPUT} NAME)
  add_custom_command(OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${output_dir}
    COMMAND ${CADRE_RISCV_GCC} ${CADRE_RISCV_FLAGS} ${include_flags} -T ${ARG_LINKER_SCRIPT}
            -o ${ARG_OUTPUT} ${sources} ${CADRE_RISCV_LIBS}
    DEPENDS ${sources} ${ARG_LINKER_SCRIPT} ${ARG_DEPENDS} ${CADRE_SDK_DIR}/cadre_sdk.h
            ${CADRE_SDK_DIR}/cadre_xcadre.h
    COMMENT "Cross-compiling ${output_name} for the control core"
    VERBATIM)
  add_custom_target(${name}_elf ALL DEPENDS ${ARG_OUTPUT})
  set(${name}_ELF ${ARG_OUTPUT} PARENT_SCOPE)
endfunction()
