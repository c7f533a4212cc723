// Python bindings: analytics.
#include "bindings.hpp"

namespace apmsim::python {
void register_analytics(py::module_&) {}
}  // namespace apmsim::python
