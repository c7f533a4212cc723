#pragma once
// Declarations shared by the binding files (binding-only: not part of the C++ core).
#include "apmsim/apmsim.hpp"

#include <pybind11/pybind11.h>

namespace apmsim::python {
namespace py = pybind11;

void register_errors(py::module_& m);
void register_distributions(py::module_& m);
void register_scenario(py::module_& m);
void register_simulation(py::module_& m);
void register_contracts(py::module_& m);    // bind_contracts.cpp
void register_exact(py::module_& m);        // bind_exact.cpp: discretize, aggregate
void register_analytics(py::module_& m);    // bind_analytics.cpp: size analytics, credibility, risk adjustment

/// Python dict/list <-> apmsim::Json through the json module (exact for doubles).
Json to_cpp_json(const py::object& o);
py::object to_python_json(const Json& j);

}  // namespace apmsim::python
