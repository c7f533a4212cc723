// Error translation and JSON conversion shared by the binding files.
#include "bindings.hpp"

#include "apmsim/core/files.hpp"

#include <pybind11/stl.h>

#include <cmath>

namespace apmsim::python {

void register_errors(py::module_& m) {
    // InvalidInput is a ValueError (bad input), ComputationError a RuntimeError (numerical failure).
    static py::exception<InvalidInput> invalid(m, "InvalidInput", PyExc_ValueError);
    static py::exception<ComputationError> computation(m, "ComputationError", PyExc_RuntimeError);
    static py::exception<OutputError> output(m, "OutputError", PyExc_OSError);  // a full disk: nothing partial left
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const InvalidInput& e) {
            // Messages may quote user text; decode leniently so invalid UTF-8 cannot break the error.
            auto text = [](const std::string& s) {
                return py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
            };
            PyObject* type = invalid.ptr();
            py::object message = text(e.what());
            py::object instance = py::reinterpret_steal<py::object>(PyObject_CallOneArg(type, message.ptr()));
            if (!instance) return;  // the Python error raised by the call stands
            instance.attr("where") = text(e.where());
            instance.attr("expected") = text(e.expected());
            instance.attr("actual") = text(e.actual());
            PyErr_SetObject(type, instance.ptr());
        } catch (const ComputationError& e) {
            computation(e.what());
        } catch (const OutputError& e) {
            output(e.what());
        } catch (const Json::exception& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });
}

void register_files(py::module_& m) {
    // The package's own writers (reports, calibration and monitoring JSON) go through the
    // C++ ones: one set of checks on the path, and an OutputError on a full disk.
    m.def("_check_output_path", [](const std::string& path) { check_output_path(path, path); }, py::arg("path"));
    m.def(
        "_write_file_atomically",
        [](const std::string& path, const std::string& text) {
            py::gil_scoped_release release;
            write_file_atomically(path, text);
        },
        py::arg("path"), py::arg("text"));
}

namespace {
/// A str as UTF-8; one that has none (a lone surrogate, e.g. "\ud800") is an InvalidInput at `path`.
std::string utf8_text(const py::handle& text, const std::string& path) {
    try {
        return text.cast<std::string>();
    } catch (const py::cast_error&) {  // pybind11 clears the UnicodeEncodeError
        throw InvalidInput(path.empty() ? "(top level)" : path, "text that is valid Unicode (no lone surrogate)",
                           py::repr(text).cast<std::string>());
    }
}

/// Converts a Python value to JSON, naming the path of anything that has no JSON form
/// (NaN, infinity, a set, an object...). numpy scalars convert through .item().
Json convert(const py::handle& o, const std::string& path) {
    if (o.is_none()) return nullptr;
    if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
    if (py::isinstance<py::int_>(o)) {
        try {
            if (o.attr("__lt__")(py::int_(0)).cast<bool>()) return o.cast<std::int64_t>();
            return o.cast<std::uint64_t>();
        } catch (const py::cast_error&) {
            throw InvalidInput(path.empty() ? "(top level)" : path, "an integer that fits in 64 bits",
                               py::repr(o).cast<std::string>());
        }
    }
    if (py::isinstance<py::float_>(o)) {
        const double v = o.cast<double>();
        if (!std::isfinite(v)) throw InvalidInput(path.empty() ? "(top level)" : path, "a finite number", show(v));
        return v;
    }
    if (py::isinstance<py::str>(o)) return utf8_text(o, path);
    static const py::object mapping = py::module_::import("collections.abc").attr("Mapping");
    if (py::isinstance(o, mapping)) {  // a dict, or a read-only view of one
        Json j = Json::object();
        for (auto item : py::reinterpret_borrow<py::object>(o).attr("items")()) {
            const py::tuple kv = py::reinterpret_borrow<py::tuple>(item);
            const py::handle first = kv[0], second = kv[1];
            if (!py::isinstance<py::str>(first))
                throw InvalidInput(path.empty() ? "(top level)" : path, "string keys", "key " + py::repr(first).cast<std::string>());
            const std::string key = utf8_text(first, path);
            j[key] = convert(second, join_path(path, key));
        }
        return j;
    }
    if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
        Json j = Json::array();
        std::size_t i = 0;
        for (auto item : o) j.push_back(convert(item, index_path(path, i++)));
        return j;
    }
    if (py::hasattr(o, "item") && py::hasattr(o, "dtype") && py::len(o.attr("shape")) == 0) return convert(o.attr("item")(), path);
    if (py::hasattr(o, "tolist") && py::hasattr(o, "dtype")) return convert(o.attr("tolist")(), path);
    throw InvalidInput(path.empty() ? "(top level)" : path, "a JSON value (dict, list, str, number, bool or None)",
                       "a " + py::str(o.get_type().attr("__name__")).cast<std::string>());
}
}  // namespace

Json to_cpp_json(const py::object& o) { return convert(o, ""); }

py::object to_python_json(const Json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

py::object data_frame(const Json& rows, const std::vector<std::string>& index, const std::vector<std::string>& columns) {
    const py::module_ pd = py::module_::import("pandas");
    py::object frame = columns.empty() ? pd.attr("DataFrame")(to_python_json(rows)) : pd.attr("DataFrame")(to_python_json(rows), py::arg("columns") = columns);
    if (index.empty()) return frame;  // a tidy table: rows in the order given
    return frame.attr("set_index")(index).attr("sort_index")();
}

py::object frozen(const py::object& value, const char* owner) {
    return py::module_::import("apmsim._frozen").attr("frozen")(value, owner);
}

}  // namespace apmsim::python
