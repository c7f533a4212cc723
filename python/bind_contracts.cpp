// Python bindings: contracts.
#include "bindings.hpp"

namespace apmsim::python {
void register_contracts(py::module_&) {}
}  // namespace apmsim::python
