// dysta.Scheduler (docs/python.md): the push-style Scheduler of dysta/scheduler.h from Python.
#pragma once

#include <pybind11/pybind11.h>

namespace dysta::python {

// Adds dysta.Scheduler.
void bind_scheduler(pybind11::module_& m);

}  // namespace dysta::python
