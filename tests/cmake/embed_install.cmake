# The "done means" test of issue 14: install dysta to a fresh prefix, build examples/embed (its own
# CMake project: find_package(dysta), dysta::core only) against it, run it and compare its output
# with examples/embed/expected.txt; build the same program from dysta.pc with pkg-config and
# check it prints the same; check neither executable needs a library of another layer.
# Arguments: BUILD_DIR, SOURCE_DIR, WORK_DIR, CXX, BUILD_TYPE.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "${command} failed (${status}):\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f include/dysta/engine.h lib/cmake/dysta/dystaConfig.cmake lib/pkgconfig/dysta.pc
          bin/dysta share/dysta/data/synthetic/sanger)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/embed -B ${WORK_DIR}/embed-build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/embed-build)

# The installed data, found through the environment (the library's compiled-in install prefix
# is the build's CMAKE_INSTALL_PREFIX, not this temporary one).
set(ENV{DYSTA_DATA_DIR} ${prefix}/share/dysta/data)
file(READ ${SOURCE_DIR}/examples/embed/expected.txt expected)
run(${WORK_DIR}/embed-build/embed)
if(NOT output STREQUAL expected)
  message(FATAL_ERROR "embed output differs from examples/embed/expected.txt\n--- actual ---\n${output}")
endif()

# pkg-config: the same program from the command line.
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run(pkg-config --cflags --libs dysta)
string(STRIP "${output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CXX} -std=c++20 -O1 ${SOURCE_DIR}/examples/embed/main.cpp ${flags} -o ${WORK_DIR}/embed-pc)
run(${WORK_DIR}/embed-pc)
if(NOT output STREQUAL expected)
  message(FATAL_ERROR "pkg-config build's output differs\n--- actual ---\n${output}")
endif()

# dysta::core links no third-party library: no YAML, JSON, BLAS, image, font or MPI library.
foreach(exe ${WORK_DIR}/embed-build/embed ${WORK_DIR}/embed-pc)
  run(ldd ${exe})
  if(output MATCHES "yaml|openblas|png|jpeg|freetype|mpi|fmt")
    message(FATAL_ERROR "${exe} needs libraries beyond dysta::core:\n${output}")
  endif()
endforeach()

# Every layer links alone against the installed copy (find_package with every component).
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/cmake/layers -B ${WORK_DIR}/layers-build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/layers-build)
foreach(layer core accel inference sweep benchmark)
  run(${WORK_DIR}/layers-build/link_${layer})
endforeach()
message(STATUS "every layer links alone")
