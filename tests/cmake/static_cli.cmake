# DYSTA_STATIC_CLI (top-level CMakeLists.txt): the dysta program needs the C library and no
# shared libstdc++, libgcc, yaml-cpp or fmt, and is position-dependent (ELF type EXEC).
# Arguments: CLI (the program), READELF.
execute_process(COMMAND ${READELF} -h -d ${CLI} RESULT_VARIABLE status OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${READELF} -h -d ${CLI} failed (${status}): ${err}")
endif()
if(NOT out MATCHES "NEEDED[^\n]*libc\\.so")
  message(FATAL_ERROR "${CLI}: no libc.so among its NEEDED entries:\n${out}")
endif()
string(REGEX MATCHALL "NEEDED[^\n]*(libstdc\\+\\+|libgcc_s|yaml-cpp|libfmt)[^\n]*" shared "${out}")
if(shared)
  message(FATAL_ERROR "${CLI} still needs: ${shared}")
endif()
if(NOT out MATCHES "Type:[ ]+EXEC")
  message(FATAL_ERROR "${CLI} is not position-dependent:\n${out}")
endif()
message(STATUS "${CLI}: static C++ runtime, yaml-cpp and fmt; position-dependent")
