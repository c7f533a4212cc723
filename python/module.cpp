// apmsim._core: one registration call per family; the Python package re-exports it.
#include "bindings.hpp"
#include "value_type.hpp"

#include "apmsim/version.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "apmsim core (C++): distributions, scenarios and the Monte Carlo engine";
    m.attr("__version__") = apmsim::version;
    apmsim::python::register_errors(m);
    apmsim::python::register_files(m);
    apmsim::python::register_distributions(m);
    apmsim::python::register_scenario(m);
    apmsim::python::register_simulation(m);
    apmsim::python::register_contracts(m);
    apmsim::python::register_exact(m);
    apmsim::python::register_analytics(m);
    apmsim::python::register_sweep(m);
    apmsim::python::register_claims(m);
    apmsim::python::pickle_under_every_protocol(m);
}
