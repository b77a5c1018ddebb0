// Optional native modules loaded with dlopen on first use (issue 15): the libraries a scheduling
// run never needs (Open MPI: libdysta_mpi.so; libpng, libjpeg and FreeType: libdysta_media.so)
// stay out of every program's start-up. A module exports one C function returning a table of
// function pointers whose first member is an int ABI number.
#pragma once

#include <string>

namespace dysta {

// The table returned by `symbol` of module `file_name` (e.g. "libdysta_media.so"), or nullptr if
// no copy of the module is found or its table's ABI number differs from `abi`. Looks, in order,
// in the environment variable `env` if set (that file only), next to the running program, in
// this build's folder, then in the install's <libdir>/dysta/. Loaded once per module; never
// unloaded.
const void* load_module(const std::string& file_name, const char* symbol, int abi, const char* env);

}  // namespace dysta
