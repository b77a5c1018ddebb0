#pragma once
// Build-tree paths of the test suite, defined in a file CMake generates (tests/CMakeLists.txt), so
// that no compile command carries an absolute path of one checkout.
namespace dysta::test {
const char* cli_path();         // the dysta CLI under test
const char* source_dir_path();  // the source tree
const char* mpiexec_path();     // mpiexec of the MPI backend ("" when built without MPI)
}  // namespace dysta::test

#define DYSTA_CLI (::dysta::test::cli_path())
#define DYSTA_SOURCE_DIR (::dysta::test::source_dir_path())
#define DYSTA_MPIEXEC (::dysta::test::mpiexec_path())
