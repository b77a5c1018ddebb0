# Python bindings (python/, docs/python.md): finds Python 3 and pybind11 and sets the option
# DYSTA_BUILD_PYTHON (default ON in a top-level build where both are found). Included from the
# top-level CMakeLists.txt.
#
# The interpreter is Debian's /usr/bin/python3 unless Python3_EXECUTABLE is given: numpy, pandas,
# pytest and nbclient come from Debian packages (scripts/setup.sh), which only that interpreter
# sees (a pyenv or conda `python3` earlier on PATH would not).
if(PROJECT_IS_TOP_LEVEL AND NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter of the dysta module")
endif()
find_package(Python3 QUIET COMPONENTS Interpreter Development.Module)
if(Python3_FOUND)
  find_package(pybind11 2.10 CONFIG QUIET)
endif()
set(DYSTA_PYTHON_DEFAULT OFF)
if(PROJECT_IS_TOP_LEVEL AND Python3_FOUND AND pybind11_FOUND)
  set(DYSTA_PYTHON_DEFAULT ON)
endif()
option(DYSTA_BUILD_PYTHON "Build the Python module `dysta` (needs Python 3 and pybind11)"
       ${DYSTA_PYTHON_DEFAULT})
if(DYSTA_BUILD_PYTHON)
  if(NOT Python3_FOUND OR NOT pybind11_FOUND)
    message(FATAL_ERROR "DYSTA_BUILD_PYTHON=ON needs Python 3 (with headers) and pybind11 "
                        "(Debian: python3-dev pybind11-dev)")
  endif()
endif()
