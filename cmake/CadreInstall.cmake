# `cmake --install build/release --prefix P` puts the runtime library and
# everything below it (static libraries, public headers) and the cadre tool
# under P, with a CMake package: a user's project says find_package(cadre)
# and links cadre::cadre_runtime (examples/runtime-api shows one).
include(CMakePackageConfigHelpers)

# The parts behind the runtime's public headers, bottom to top.
set(CADRE_INSTALLED_PARTS
    common:cadre_common numerics:cadre_numerics isa:cadre_isa arch:cadre_arch cost:cadre_cost energy:cadre_energy rtl:cadre_rtl elf:cadre_elf
    model:cadre_model weights:cadre_weights gpumodel:cadre_gpumodel golden:cadre_golden compiler:cadre_compiler systemc:cadre_sim
    runtime:cadre_runtime)

set(installed_targets "")
foreach(part_target ${CADRE_INSTALLED_PARTS})
  string(REPLACE ":" ";" pair ${part_target})
  list(GET pair 0 dir)
  list(GET pair 1 target)
  list(APPEND installed_targets ${target})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/include/ DESTINATION include)
endforeach()
# The verilated array shapes the simulator's rtl engine links (no headers of their own).
list(APPEND installed_targets cadre_rtl_models)
install(TARGETS ${installed_targets} EXPORT cadreTargets ARCHIVE DESTINATION lib INCLUDES DESTINATION include)
install(FILES ${PROJECT_SOURCE_DIR}/runtime/programs/expert_mlp_args.h DESTINATION include/cadre/runtime/programs)
install(FILES ${PROJECT_SOURCE_DIR}/systemc/src/sc_main_fallback.cpp DESTINATION share/cadre)
install(TARGETS cadre RUNTIME DESTINATION bin)
install(EXPORT cadreTargets NAMESPACE cadre:: DESTINATION lib/cmake/cadre)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cadreConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cadreConfig.cmake INSTALL_DESTINATION lib/cmake/cadre)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cadreConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cadreConfig.cmake ${PROJECT_BINARY_DIR}/cadreConfigVersion.cmake
        DESTINATION lib/cmake/cadre)
