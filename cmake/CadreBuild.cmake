# Warning flags, sanitizers and the helper every part uses to declare its library.

set(CADRE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)

# Numerics must not depend on the compiler contracting a*b+c into an FMA:
# the summation order is part of the numerics contract.
add_compile_options(-ffp-contract=off)

# Under the fuzz preset every library is instrumented for coverage, so libFuzzer
# sees the branches inside the parsers and not only in the fuzz targets.
if(CADRE_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(CADRE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# cadre_add_library(NAME SOURCES... [DEPS targets...])
# A part's library: public headers under <dir>/include/cadre/<part>/, which
# an install puts under include/cadre/<part>/ (cmake/CadreInstall.cmake).
function(cadre_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                                            $<INSTALL_INTERFACE:include>)
  target_compile_options(${name} PRIVATE ${CADRE_WARNINGS})
  if(ARG_DEPS)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  endif()
endfunction()
