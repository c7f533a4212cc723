#pragma once
// One helper gives every value type of the Python module the same behaviour: equality,
// copy, deepcopy and pickling through one exact state (a JSON document for terms and
// distributions, a binary blob for results), plus to_dict/from_dict where the state is
// JSON. Binding-only: not part of the C++ core.
#include "bindings.hpp"

#include <functional>
#include <string>

namespace apmsim::python {

/// Adds __eq__, __copy__, __deepcopy__ and pickling to `cls` from `state(value)` (a
/// std::string that determines the value exactly) and `restore(state)`.
template <class T, class Class, class State, class Restore>
void add_value_behaviour(Class& cls, State state, Restore restore) {
    cls.def("__eq__", [state](const T& a, const py::object& b) {
           if (!py::isinstance<T>(b)) return false;
           return std::string(state(a)) == std::string(state(b.cast<const T&>()));
       })
        .def("__hash__", [](const T&) -> py::int_ { throw py::type_error("unhashable: a mutable value type"); })
        .def("__copy__", [](const T& a) { return T(a); })
        .def("__deepcopy__", [](const T& a, const py::dict&) { return T(a); }, py::arg("memo"))
        .def(py::pickle([state](const T& a) { return py::bytes(state(a)); },
                        [restore](const py::bytes& s) { return restore(std::string(s)); }));
}

/// The same for a type whose state is a JSON document; also to_dict() and from_dict().
template <class T, class Class, class ToJson, class FromJson>
void add_json_value_behaviour(Class& cls, ToJson to, FromJson from) {
    add_value_behaviour<T>(cls, [to](const T& a) { return to(a).dump(); }, [from](const std::string& s) { return from(Json::parse(s)); });
    cls.def("to_dict", [to](const T& a) { return to_python_json(to(a)); }, "The value as a dict (its JSON form)")
        .def_static(
            "from_dict",
            [from](const py::object& d) {
                if (!py::isinstance(d, py::module_::import("collections.abc").attr("Mapping")))
                    throw py::type_error("from_dict: expected a dict, got " + py::str(py::type::of(d).attr("__name__")).cast<std::string>());
                return from(to_cpp_json(d));
            },
            py::arg("d"),
                    "The value from a dict of its JSON form (checked as a file would be)");
}

/// pybind11's pickling (py::pickle) serves protocols 2 and later; protocols 0 and 1 go
/// through copyreg._reduce_ex, which cannot make a pybind11 instance and ends the
/// interpreter (std::terminate). Gives every class of `m` that has __setstate__ and no
/// __reduce__ of its own (and of its submodules) one that rebuilds it the protocol-2 way under any protocol:
/// copyreg.__newobj__(cls), then __setstate__(__getstate__()).
inline void pickle_under_every_protocol(py::module_& m) {
    const py::object newobj = py::module_::import("copyreg").attr("__newobj__");
    for (const auto& [name, value] : m.attr("__dict__").cast<py::dict>()) {
        if (py::isinstance<py::module_>(value)) {
            auto submodule = py::reinterpret_borrow<py::module_>(value);
            pickle_under_every_protocol(submodule);
            continue;
        }
        if (!py::isinstance<py::type>(value) || !py::hasattr(value, "__setstate__")) continue;
        if (value.attr("__dict__").contains("__reduce__")) continue;
        const auto cls = py::reinterpret_borrow<py::object>(value);
        cls.attr("__reduce__") = py::cpp_function(
            [newobj](const py::object& self) { return py::make_tuple(newobj, py::make_tuple(py::type::of(self)), self.attr("__getstate__")()); },
            py::is_method(cls), py::name("__reduce__"), "Pickling under any protocol: (copyreg.__newobj__, (type,), state)");
    }
}

}  // namespace apmsim::python
