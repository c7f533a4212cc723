#pragma once
// Checks of the arguments Python passes to the bindings, made before any reaches C++:
// numbers and arrays (their shapes, lengths, NaN and infinity), whole numbers (counts,
// sizes, years) and numpy broadcasting. A bad value raises InvalidInput (a ValueError)
// naming the argument, what was expected and what was given; a value of the wrong Python
// type (a str where numbers go) raises TypeError. Binding-only: not part of the C++ core.
#include "bindings.hpp"

#include <pybind11/numpy.h>

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace apmsim::python {

/// Values one call may make at once (sample(n), aggregate(samples=...), the result of a
/// vectorised function): 800 MB of doubles.
inline constexpr std::uint64_t max_drawn_values = 100'000'000;

/// A Python whole number of any size: an int, a numpy integer, anything with __index__.
/// pybind11's own integer conversion turns -1 (for an unsigned count) or 10**30 into a
/// TypeError about the signature; this one is range-checked by whole_number() instead.
struct Whole {
    py::object value;
};

/// A float64, C-ordered numpy array.
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// Which values that are not finite an argument refuses: none (the C++ code judges them
/// in context, e.g. a ratio whose weight is 0), NaN, or NaN and infinity.
enum class NonFinite { allowed, nan_refused, refused };

inline std::string type_name(const py::handle& value) { return py::str(py::type::of(value).attr("__name__")).cast<std::string>(); }

/// "a number" (0-d), "5 values" (1-D), "a 4 x 3 array" (2-D and more).
inline std::string shape_text(const std::vector<py::ssize_t>& shape) {
    if (shape.empty()) return "a number";
    if (shape.size() == 1) return std::to_string(shape[0]) + (shape[0] == 1 ? " value" : " values");
    std::string dims;
    for (const py::ssize_t n : shape) dims += (dims.empty() ? "" : " x ") + std::to_string(n);
    return "a " + dims + " array";
}
inline std::vector<py::ssize_t> shape_of(const py::array& a) { return {a.shape(), a.shape() + a.ndim()}; }
inline std::string shape_text(const py::array& a) { return shape_text(shape_of(a)); }

/// "[7]" or "[1, 2]": the position of element `flat` of a C-ordered array of `shape`.
inline std::string index_text(const std::vector<py::ssize_t>& shape, py::ssize_t flat) {
    std::vector<py::ssize_t> index(shape.size());
    for (std::size_t k = shape.size(); k-- > 0;) {
        index[k] = flat % shape[k];
        flat /= shape[k];
    }
    std::string text;
    for (const py::ssize_t i : index) text += (text.empty() ? "" : ", ") + std::to_string(i);
    return "[" + text + "]";
}

/// What an array that is not of numbers holds, by its numpy dtype kind.
inline std::string dtype_text(const std::string& kind) {
    if (kind == "U" || kind == "S") return "an array of str";
    if (kind == "c") return "an array of complex numbers";
    if (kind == "M" || kind == "m") return "an array of dates or times";
    return "an array of objects that are not all numbers";
}

/// `value` (a number, a sequence or an array of numbers) as a float64 array. Not numbers
/// (None, str, objects) is a TypeError; nested sequences of different lengths InvalidInput.
inline DoubleArray numeric_array(const std::string& name, const py::handle& value) {
    const std::string expected = name + ": expected a number or an array of numbers, got ";
    if (value.is_none() || py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value))
        throw py::type_error(expected + type_name(value));
    py::array a;
    try {
        a = py::module_::import("numpy").attr("asarray")(value);
    } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_ValueError)) throw;
        throw InvalidInput(name, "a number or a rectangular array of numbers", "nested sequences of different lengths");
    }
    const std::string kind = py::str(a.dtype().attr("kind")).cast<std::string>();
    if (kind != "b" && kind != "i" && kind != "u" && kind != "f")
        throw py::type_error(expected + (a.ndim() == 0 ? type_name(value) : dtype_text(kind)));
    return DoubleArray::ensure(a);
}

/// The first element of `values` that `rule` refuses, or -1.
inline py::ssize_t first_refused(const DoubleArray& values, NonFinite rule) {
    if (rule == NonFinite::allowed) return -1;
    const double* v = values.data();
    for (py::ssize_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(v[i]) && (rule == NonFinite::refused || std::isnan(v[i]))) return i;
    return -1;
}
inline std::string refused_text(NonFinite rule) { return rule == NonFinite::refused ? "a finite number" : "a number, not NaN"; }

/// Refuses NaN (and infinity when `rule` is refused) in `values`, naming the element: cost[3].
inline void check_finite(const std::string& name, const DoubleArray& values, NonFinite rule = NonFinite::refused) {
    const py::ssize_t i = first_refused(values, rule);
    if (i < 0) return;
    throw InvalidInput(values.ndim() == 0 ? name : name + index_text(shape_of(values), i), refused_text(rule), show(values.data()[i]));
}
inline void check_not_nan(const std::string& name, double value) {
    if (std::isnan(value)) throw InvalidInput(name, "a number, not NaN", show(value));
}

/// `a` has `ndim` dimensions; `meaning` says what they are ("a 2-D array (risks x periods)").
inline void check_dimensions(const std::string& name, const py::array& a, py::ssize_t ndim, const std::string& meaning) {
    if (a.ndim() != ndim) throw InvalidInput(name, meaning, shape_text(a));
}
inline void check_same_length(const std::string& name, std::size_t n, const std::string& other_name, std::size_t other_n) {
    if (n != other_n)
        throw InvalidInput(name, std::to_string(other_n) + " values (as many as " + other_name + ")", std::to_string(n) + " values");
}
/// `m` is rows x cols, the shape of `other_name`.
inline void check_shape(const std::string& name, const Eigen::MatrixXd& m, Eigen::Index rows, Eigen::Index cols,
                        const std::string& other_name) {
    if (m.rows() != rows || m.cols() != cols)
        throw InvalidInput(name, shape_text({rows, cols}) + " (the shape of " + other_name + ")", shape_text({m.rows(), m.cols()}));
}
inline void check_not_empty(const std::string& name, std::size_t n, const std::string& what = "at least one value") {
    if (n == 0) throw InvalidInput(name, what, "none");
}

/// A 1-D argument of numbers ("one value per member"): no NaN, and no infinity unless allowed.
inline std::vector<double> vector_argument(const std::string& name, const py::handle& value, const std::string& meaning,
                                           NonFinite rule = NonFinite::refused) {
    const DoubleArray a = numeric_array(name, value);
    check_dimensions(name, a, 1, "a 1-D array (" + meaning + ")");
    check_finite(name, a, rule);
    return {a.data(), a.data() + a.size()};
}

/// A 2-D argument of numbers (rows x columns as `meaning` says), as an Eigen matrix.
inline Eigen::MatrixXd matrix_argument(const std::string& name, const py::handle& value, const std::string& meaning,
                                       NonFinite rule = NonFinite::refused) {
    const DoubleArray a = numeric_array(name, value);
    check_dimensions(name, a, 2, "a 2-D array (" + meaning + ")");
    check_finite(name, a, rule);
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(a.data(), a.shape(0), a.shape(1));
}

/// A whole number in [lo, hi]: "2 to 4194304 nodes" (`unit` follows the range) or, when
/// hi is the most T holds, "a whole number >= 0" / "... at most 18446744073709551615".
template <class T>
T whole_number(const std::string& name, const Whole& value, T lo = std::numeric_limits<T>::min(),
               T hi = std::numeric_limits<T>::max(), const std::string& unit = "") {
    const bool below = value.value < py::int_(lo), above = py::int_(hi) < value.value;
    if (!below && !above) return value.value.cast<T>();
    std::string expected = std::to_string(lo) + " to " + std::to_string(hi) + unit;
    if (hi == std::numeric_limits<T>::max())
        expected = below ? "a whole number >= " + std::to_string(lo) : "a whole number at most " + std::to_string(hi);
    throw InvalidInput(name, expected, py::str(value.value).cast<std::string>());
}

/// Whole numbers >= 0 that fit in an int (e.g. group indices), one per element of a 1-D `value`.
inline std::vector<int> index_argument(const std::string& name, const py::handle& value, const std::string& meaning) {
    const std::vector<double> v = vector_argument(name, value, meaning);
    std::vector<int> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != std::floor(v[i]) || v[i] < 0.0 || v[i] > std::numeric_limits<int>::max())
            throw InvalidInput(name + "[" + std::to_string(i) + "]", "a whole number >= 0", show(v[i]));
        out[i] = static_cast<int>(v[i]);
    }
    return out;
}

/// The shape `values` broadcast to (numpy's rules), naming the first argument that does not fit.
template <std::size_t N>
std::vector<py::ssize_t> broadcast_shape(const std::array<const char*, N>& names, const std::array<DoubleArray, N>& values) {
    std::vector<py::ssize_t> shape;
    std::string with;  // the arguments that gave `shape` its dimensions
    for (std::size_t k = 0; k < N; ++k) {
        const std::vector<py::ssize_t> s = shape_of(values[k]);
        if (s.size() > shape.size()) shape.insert(shape.begin(), s.size() - shape.size(), 1);
        for (std::size_t d = 0; d < s.size(); ++d) {
            py::ssize_t& out = shape[shape.size() - s.size() + d];
            if (s[d] != 1 && out != 1 && s[d] != out)
                throw InvalidInput(names[k], "a number or values that broadcast with " + with + " (" + shape_text(shape) + ")",
                                   shape_text(s));
            if (out == 1) out = s[d];
        }
        if (!s.empty()) with += (with.empty() ? "" : " and ") + std::string(names[k]);
    }
    double size = 1.0;
    for (const py::ssize_t n : shape) size *= static_cast<double>(n);
    if (size > static_cast<double>(max_drawn_values))
        throw InvalidInput(with, "arrays that broadcast to at most " + std::to_string(max_drawn_values) + " values", shape_text(shape));
    return shape;
}

/// Offset of element `index` (of the broadcast `shape`) in `a` (C-ordered, aligned right).
inline py::ssize_t broadcast_offset(const py::array& a, const std::vector<py::ssize_t>& shape, const std::vector<py::ssize_t>& index) {
    py::ssize_t offset = 0;
    const std::size_t skip = shape.size() - static_cast<std::size_t>(a.ndim());
    for (std::size_t d = skip; d < shape.size(); ++d) {
        const py::ssize_t n = a.shape(static_cast<py::ssize_t>(d - skip));
        offset = offset * n + (n == 1 ? 0 : index[d]);
    }
    return offset;
}

/// " (element [1, 2])" for an element of an array, "" for a number: the position of an
/// element of a vectorised argument, which keeps its plain name as `where`.
inline std::string element_text(const std::vector<py::ssize_t>& shape, py::ssize_t flat) {
    return shape.empty() ? "" : " (element " + index_text(shape, flat) + ")";
}

/// f(x) for every x of the numpy-broadcast arguments (numbers or arrays; NaN refused): a
/// float when every argument is a number, else an array of the broadcast shape. An
/// InvalidInput f raises about an argument of that shape gets the element's position.
template <std::size_t N, class F>
py::object broadcast_apply(const std::array<const char*, N>& names, const std::array<py::object, N>& args, F f) {
    std::array<DoubleArray, N> values;
    for (std::size_t k = 0; k < N; ++k) {
        values[k] = numeric_array(names[k], args[k]);
        const py::ssize_t nan = first_refused(values[k], NonFinite::nan_refused);
        if (nan >= 0) throw InvalidInput(names[k], refused_text(NonFinite::nan_refused), "nan" + element_text(shape_of(values[k]), nan));
    }
    const std::vector<py::ssize_t> shape = broadcast_shape(names, values);
    py::array_t<double> out(shape);
    double* dst = out.mutable_data();
    std::vector<py::ssize_t> index(shape.size(), 0);
    std::array<double, N> x{};
    for (py::ssize_t i = 0; i < out.size(); ++i) {
        for (std::size_t k = 0; k < N; ++k) x[k] = values[k].data()[broadcast_offset(values[k], shape, index)];
        try {
            dst[i] = f(x);
        } catch (const InvalidInput& e) {
            for (std::size_t k = 0; k < N && !shape.empty(); ++k)
                if (e.where() == names[k] && shape_of(values[k]) == shape)
                    throw InvalidInput(e.where(), e.expected(), e.actual() + element_text(shape, i));
            throw;
        }
        for (std::size_t d = shape.size(); d-- > 0 && ++index[d] == shape[d];) index[d] = 0;
    }
    if (shape.empty()) return py::float_(dst[0]);
    return out;
}

/// T, whatever I is: repeats a parameter type over an index pack.
template <std::size_t I, class T>
using Repeat = T;

/// A binding of a function of N numbers, vectorised by broadcast_apply over arguments
/// named `names`: vectorized<N>(names, f) takes N Python objects.
template <std::size_t N, class F, std::size_t... I>
auto vectorized(const std::array<const char*, N>& names, F f, std::index_sequence<I...>) {
    return [names, f](Repeat<I, const py::object&>... args) {
        return broadcast_apply<N>(names, {args...}, [&f](const std::array<double, N>& x) { return f(x[I]...); });
    };
}
template <std::size_t N, class F>
auto vectorized(const std::array<const char*, N>& names, F f) {
    return vectorized<N>(names, f, std::make_index_sequence<N>{});
}

}  // namespace apmsim::python

namespace pybind11::detail {
/// Loads anything with __index__ (not a float or a str: those stay TypeErrors) as a Whole.
template <>
struct type_caster<apmsim::python::Whole> {
    PYBIND11_TYPE_CASTER(apmsim::python::Whole, const_name("int"));
    bool load(handle src, bool) {
        if (!src || PyFloat_Check(src.ptr()) || !PyIndex_Check(src.ptr())) return false;
        object index = reinterpret_steal<object>(PyNumber_Index(src.ptr()));
        if (!index) {
            PyErr_Clear();
            return false;
        }
        value.value = std::move(index);
        return true;
    }
    static handle cast(const apmsim::python::Whole& w, return_value_policy, handle) { return w.value.inc_ref(); }
};
}  // namespace pybind11::detail
