// Python bindings: exact.
#include "bindings.hpp"

namespace apmsim::python {
void register_exact(py::module_&) {}
}  // namespace apmsim::python
