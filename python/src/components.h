// Policies and predictors written in Python (docs/python.md): the decision context handed to a
// Python select() as numpy views, the C++ adapters that call Python, and their registration in
// the policy and predictor registries.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace dysta::python {

// Adds Decision, PredictorState, BuiltinPolicy, TASK_DTYPE, STATE_DTYPE and the registration
// functions to the module.
void bind_components(pybind11::module_& m);

// True when `name` was registered from Python (its runs need the GIL).
bool is_python_policy(const std::string& name);
bool is_python_predictor(const std::string& name);

}  // namespace dysta::python
