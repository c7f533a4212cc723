// Error translation and JSON conversion shared by the binding files.
#include "bindings.hpp"

namespace apmsim::python {

void register_errors(py::module_& m) {
    // InvalidInput is a ValueError (bad input), ComputationError a RuntimeError (numerical failure).
    static py::exception<InvalidInput> invalid(m, "InvalidInput", PyExc_ValueError);
    static py::exception<ComputationError> computation(m, "ComputationError", PyExc_RuntimeError);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const InvalidInput& e) {
            PyObject* type = invalid.ptr();
            py::object instance = py::reinterpret_steal<py::object>(PyObject_CallFunction(type, "s", e.what()));
            instance.attr("where") = e.where();
            instance.attr("expected") = e.expected();
            instance.attr("actual") = e.actual();
            PyErr_SetObject(type, instance.ptr());
        } catch (const ComputationError& e) {
            computation(e.what());
        } catch (const Json::exception& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });
}

Json to_cpp_json(const py::object& o) {
    const auto dumps = py::module_::import("json").attr("dumps");
    return Json::parse(dumps(o, py::arg("allow_nan") = false).cast<std::string>());
}

py::object to_python_json(const Json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

}  // namespace apmsim::python
