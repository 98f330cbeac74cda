# Profile-guided and link-time optimisation of wirelint (GCC release builds).
#
# WIRELINT_PGO=ON (the default for a GCC Release or RelWithDebInfo build
# without sanitizers): before wirelint is compiled, an instrumented copy is
# built in pgo/build, run on bench/train.py's captures (it writes its
# profile into pgo/data), and wirelint, its core library and llhttp are
# then compiled with that profile (-fprofile-use), with link-time
# optimisation.  Where the training did not reach, code is optimised as
# without a profile (-fprofile-partial-training).  The profile is made
# again whenever a source, the training or the rules change, and then every
# object is compiled again.  The same idea as CPython's
# --enable-optimizations; the figures are in docs/performance.md.
#
# WIRELINT_PGO_GENERATE=DIR is the instrumented build's own setting (the
# profile goes into DIR); it is not meant to be set by hand.
#
# Objects are named in the profile by their path under the build directory
# (-fprofile-prefix-path), which is the same in pgo/build as here, so the
# two builds' profiles match.

set(WL_PGO_TARGETS wirelint_core wirelint)
get_target_property(_wl_llhttp_type wl_llhttp TYPE)
if(_wl_llhttp_type STREQUAL "STATIC_LIBRARY")
  list(APPEND WL_PGO_TARGETS wl_llhttp)
endif()

# GCC 11 and later: objects named by their path under the build directory,
# and code the training did not reach kept as fast as without a profile.
if(WIRELINT_PGO OR WIRELINT_PGO_GENERATE)
  include(CheckCCompilerFlag)
  check_c_compiler_flag(-fprofile-prefix-path=${CMAKE_BINARY_DIR} _wl_pgo_prefix)
  check_c_compiler_flag(-fprofile-partial-training _wl_pgo_partial)
  if(NOT _wl_pgo_prefix OR NOT _wl_pgo_partial)
    message(WARNING "wirelint: this compiler lacks -fprofile-prefix-path or -fprofile-partial-training "
                    "(GCC 11 or later has them): building without profile-guided optimisation")
    set(WIRELINT_PGO OFF)
    set(WIRELINT_PGO_GENERATE "")
  endif()
endif()

if(WIRELINT_PGO OR WIRELINT_PGO_GENERATE)
  include(CheckIPOSupported)
  check_ipo_supported(RESULT _wl_ipo OUTPUT _wl_ipo_why LANGUAGES C)
  if(_wl_ipo)
    set_target_properties(${WL_PGO_TARGETS} PROPERTIES INTERPROCEDURAL_OPTIMIZATION ON)
  else()
    message(STATUS "wirelint: no link-time optimisation: ${_wl_ipo_why}")
  endif()
  # -O3 rather than RelWithDebInfo's -O2, in the instrumented build and
  # this one alike (after the build type's flags, so it is the one GCC
  # takes): 3.8% fewer instructions on the small mix, and 2 to 3.5% less
  # time in alternating runs (docs/performance.md).
  set(_wl_opt -O3)
  # The profile tells GCC the size most copies (memcpy, memset) of a call
  # have, and GCC then wrote those copies out inline, as `rep movsq` (a
  # 1448-byte segment into the retransmission window, heads and samples
  # copied whole), which was slower than glibc's memcpy, chosen when the
  # program starts for the processor it runs on: 15% of the large mix's
  # time went to two such copies in reasm_segment.  So every copy that is
  # not a few moves calls glibc (x86 only; docs/performance.md, "Copies
  # left to glibc"; tests/pgo_codegen.py).
  check_c_compiler_flag(-mstringop-strategy=libcall _wl_libcall)
  if(_wl_libcall)
    list(APPEND _wl_opt -mstringop-strategy=libcall)
  endif()
  # Calls to glibc and the other libraries through the GOT rather than
  # the PLT: one jump less a call (memcpy, memchr... millions of times),
  # 2.5% less CPU at -j 1 on the small mix (docs/performance.md, "Library
  # calls without the PLT").
  check_c_compiler_flag(-fno-plt _wl_noplt)
  if(_wl_noplt)
    list(APPEND _wl_opt -fno-plt)
  endif()
  foreach(t ${WL_PGO_TARGETS})
    target_compile_options(${t} PRIVATE ${_wl_opt})
  endforeach()
  target_link_options(wirelint PRIVATE ${_wl_opt})
endif()

if(WIRELINT_PGO_GENERATE)
  foreach(t ${WL_PGO_TARGETS})
    target_compile_options(${t} PRIVATE -fprofile-generate -fprofile-update=atomic
      "-fprofile-dir=${WIRELINT_PGO_GENERATE}" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}")
  endforeach()
  target_link_options(wirelint PRIVATE -fprofile-generate)
elseif(WIRELINT_PGO)
  if(NOT Python3_FOUND)
    message(FATAL_ERROR "WIRELINT_PGO needs python3 for its training run (or configure with -DWIRELINT_PGO=OFF)")
  endif()
  set(_pgo ${CMAKE_BINARY_DIR}/pgo)
  # The instrumented build is compiled as this one is (the same flags), so that its profile fits.
  string(TOUPPER "${CMAKE_BUILD_TYPE}" _cfg)
  set(_stamp ${_pgo}/profile.stamp)
  set(_srcs)
  foreach(t ${WL_PGO_TARGETS})
    get_target_property(_s ${t} SOURCES)
    foreach(f ${_s})
      if(NOT IS_ABSOLUTE ${f})
        set(f ${PROJECT_SOURCE_DIR}/${f})
      endif()
      list(APPEND _srcs ${f})
    endforeach()
  endforeach()
  # The generated sources are made by the instrumented build itself; what they come from is below.
  list(REMOVE_ITEM _srcs ${WL_EMBED_RULES} ${WL_EMBED_DOCS})
  cmake_host_system_information(RESULT _ncpu QUERY NUMBER_OF_LOGICAL_CORES)
  file(GLOB _hdrs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/analyzer/*.h ${PROJECT_SOURCE_DIR}/rules/*.h)
  add_custom_command(OUTPUT ${_stamp}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${_pgo}/data
    COMMAND ${CMAKE_COMMAND} -S ${PROJECT_SOURCE_DIR} -B ${_pgo}/build -G ${CMAKE_GENERATOR}
            -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE} -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
            "-DCMAKE_C_FLAGS=${CMAKE_C_FLAGS}" "-DCMAKE_C_FLAGS_${_cfg}=${CMAKE_C_FLAGS_${_cfg}}"
            "-DCMAKE_EXE_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}"
            -DWIRELINT_TESTS=OFF -DWIRELINT_PGO=OFF -DWIRELINT_PGO_GENERATE=${_pgo}/data
    # A build of its own, not a part of this one's make: MAKEFLAGS would hand it a jobserver it cannot use.
    COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS
            ${CMAKE_COMMAND} --build ${_pgo}/build --target wirelint --parallel ${_ncpu}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/bench/train.py ${_pgo}/build/wirelint ${_pgo}/train
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
    DEPENDS ${_srcs} ${_hdrs} ${WL_RULE_PAGES} ${PROJECT_SOURCE_DIR}/rules/builtin.yaml
            ${PROJECT_SOURCE_DIR}/bench/train.py ${PROJECT_SOURCE_DIR}/bench/gen.py
            ${PROJECT_SOURCE_DIR}/CMakeLists.txt ${PROJECT_SOURCE_DIR}/cmake/pgo.cmake
    COMMENT "wirelint: an instrumented build, run on bench/train.py's captures, for the profile-guided build"
    VERBATIM)
  add_custom_target(pgo-profile DEPENDS ${_stamp})
  foreach(t ${WL_PGO_TARGETS})
    add_dependencies(${t} pgo-profile)
    # A function whose profile does not fit (it should not happen: same
    # sources, same flags) is compiled without it, with a warning, rather
    # than failing the build.
    target_compile_options(${t} PRIVATE -fprofile-use -fprofile-partial-training -Wno-error=coverage-mismatch
      "-fprofile-dir=${_pgo}/data" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}")
  endforeach()
  # Every object is compiled again when the profile is made again.
  set_property(SOURCE ${_srcs} ${WL_EMBED_RULES} ${WL_EMBED_DOCS} ${PROJECT_SOURCE_DIR}/analyzer/main.c
    APPEND PROPERTY OBJECT_DEPENDS ${_stamp})
endif()
