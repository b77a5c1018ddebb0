// Where the data folder (embedded profile sets, data/benchmark) is found at run time (dysta::core).
#pragma once

#include <filesystem>

namespace dysta {

// The data folder, the first of: $DYSTA_DATA_DIR when set and non-empty; the installed copy,
// <install prefix>/share/dysta/data, when that folder exists; the data/ folder of the source tree
// this build was configured from. The result is not checked further: a missing file is reported
// by whoever opens it.
std::filesystem::path data_dir();

}  // namespace dysta
