# Run as: cmake -DMINIDL_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=... [-DCONFIG=...]
#               [-DCXX_COMPILER=...] -P run_consumer_test.cmake
#
# 1. cmake --install <minidl build> --prefix <WORK_DIR>/prefix
# 2. configure + build tests/consumer with -DCMAKE_PREFIX_PATH=<WORK_DIR>/prefix
# 3. run the consumer and check that it prints 6
cmake_minimum_required(VERSION 3.20)

foreach(var MINIDL_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer_test.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT CONFIG)
    set(CONFIG Release)
endif()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")   # start clean every run
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run_step what)
    message(STATUS "consumer_find_package: ${what}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "consumer_find_package: '${what}' failed (${rc})")
    endif()
endfunction()

run_step("install minidl into ${prefix}"
    "${CMAKE_COMMAND}" --install "${MINIDL_BUILD_DIR}" --prefix "${prefix}" --config "${CONFIG}")

set(configure_args -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_BUILD_TYPE=${CONFIG}")
find_program(NINJA_EXECUTABLE ninja)
if(NINJA_EXECUTABLE)
    list(APPEND configure_args -G Ninja "-DCMAKE_MAKE_PROGRAM=${NINJA_EXECUTABLE}")
endif()
if(CXX_COMPILER)
    list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
run_step("configure consumer" "${CMAKE_COMMAND}" ${configure_args})
run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" --config "${CONFIG}")

# Single-config generators put the binary at the top of the build dir, multi-config ones in
# a per-config sub-folder.
set(exe "${consumer_build}/minidl_consumer")
if(NOT EXISTS "${exe}")
    set(exe "${consumer_build}/${CONFIG}/minidl_consumer")
endif()
execute_process(COMMAND "${exe}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                OUTPUT_STRIP_TRAILING_WHITESPACE)
message(STATUS "consumer_find_package: consumer printed '${out}'")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer_find_package: consumer exited with ${rc}\n${err}")
endif()
if(NOT out STREQUAL "6")
    message(FATAL_ERROR "consumer_find_package: expected output '6', got '${out}'\n${err}")
endif()
message(STATUS "consumer_find_package: OK")
