// Distributions: each concrete type is one line through bind_distribution<T>.
#include "argument_checks.hpp"
#include "bindings.hpp"
#include "value_type.hpp"

#include "apmsim/distributions/distribution.hpp"
#include "apmsim/distributions/json.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

namespace apmsim::python {
namespace {

/// The variant (Frequency or Severity) a distribution type belongs to: counts have a pmf.
template <class D>
struct VariantOf {
    using type = std::conditional_t<requires(const D& d) { d.pmf(1.0); }, Frequency, Severity>;
};

template <class D>
typename VariantOf<D>::type from_json_value(const Json& j) {
    if constexpr (std::is_same_v<typename VariantOf<D>::type, Frequency>) return frequency_from_json(j, D::type_name);
    else return severity_from_json(j, D::type_name);
}

/// A method of one number or array, vectorised; its argument is named "Lognormal.cdf(x)" in
/// errors, as the C++ checks of the distributions name it.
template <class D, class Method>
auto vectorized_method(const char* name, const char* method, const char* arg, Method f) {
    const std::string where = std::string(name) + "." + method + "(" + arg + ")";
    return [where, f](const D& d, const py::object& x) {
        return broadcast_apply<1>({where.c_str()}, {x}, [&](const std::array<double, 1>& v) { return (d.*f)(v[0]); });
    };
}

template <class D, class... Ctor>
py::class_<D> bind_distribution(py::module_& m, const char* name, const char* doc, Ctor&&... ctor) {
    py::class_<D> c(m, name, doc);
    c.def(std::forward<Ctor>(ctor)...);
    c.def("mean", &D::mean)
        .def("variance", &D::variance)
        .def("cdf", vectorized_method<D>(name, "cdf", "x", &D::cdf), py::arg("x"))
        .def("quantile", vectorized_method<D>(name, "quantile", "p", &D::quantile), py::arg("p"))
        .def("limited_expected_value", vectorized_method<D>(name, "limited_expected_value", "u", &D::limited_expected_value), py::arg("u"))
        .def(
            "sample",
            [](const D& d, const Whole& n, const Whole& seed) {
                const auto count = whole_number<std::size_t>("n", n, 0, max_drawn_values, " values");
                const auto stream = whole_number<std::uint64_t>("seed", seed);
                std::vector<double> v;
                {
                    py::gil_scoped_release release;
                    v = apmsim::sample(d, count, stream);
                }
                return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
            },
            py::arg("n"), py::arg("seed") = 0)
        .def_property_readonly_static("type_name", [](py::object) { return std::string(D::type_name); })
        .def("__repr__", [name](const D& d) { return std::string(name) + "(" + to_json(typename VariantOf<D>::type(d)).dump() + ")"; });
    add_json_value_behaviour<D>(
        c, [](const D& d) { return to_json(typename VariantOf<D>::type(d)); },
        [](const Json& j) {
            auto v = from_json_value<D>(j);
            if (!std::holds_alternative<D>(v)) throw InvalidInput("type", std::string("\"") + D::type_name + "\"", "another distribution");
            return std::get<D>(v);
        });
    if constexpr (requires { D::from_mean_cv(1.0, 1.0); })
        c.def_static("from_mean_cv", &D::from_mean_cv, py::arg("mean"), py::arg("cv"));
    if constexpr (requires(const D& d) { d.pmf(1.0); }) c.def("pmf", vectorized_method<D>(name, "pmf", "k", &D::pmf), py::arg("k"));
    return c;
}

}  // namespace

void register_distributions(py::module_& m) {
    bind_distribution<Poisson>(m, "Poisson", "Poisson(mean)", py::init<double>(), py::arg("mean"));
    bind_distribution<NegativeBinomial>(m, "NegativeBinomial", "NegativeBinomial(mean, dispersion): Var = mean + mean^2/dispersion",
                                        py::init<double, double>(), py::arg("mean"), py::arg("dispersion"))
        .def_property_readonly("dispersion", &NegativeBinomial::dispersion);
    bind_distribution<Binomial>(m, "Binomial", "Binomial(n, p)", py::init<double, double>(), py::arg("n"), py::arg("p"));
    bind_distribution<ZeroModifiedPoisson>(m, "ZeroModifiedPoisson", "ZeroModifiedPoisson(mean, p0): mean is the parent Poisson's lambda",
                                           py::init<double, double>(), py::arg("mean"), py::arg("p0"));
    bind_distribution<Lognormal>(m, "Lognormal", "Lognormal(mu, sigma)", py::init<double, double>(), py::arg("mu"), py::arg("sigma"));
    bind_distribution<Gamma>(m, "Gamma", "Gamma(shape, scale)", py::init<double, double>(), py::arg("shape"), py::arg("scale"));
    bind_distribution<Weibull>(m, "Weibull", "Weibull(shape, scale)", py::init<double, double>(), py::arg("shape"), py::arg("scale"));
    bind_distribution<Pareto>(m, "Pareto", "Pareto(shape, scale): Lomax (Pareto II), support from 0", py::init<double, double>(),
                              py::arg("shape"), py::arg("scale"));
    bind_distribution<SplicedLognormalPareto>(
        m, "SplicedLognormalPareto", "Lognormal body below threshold, generalized Pareto tail above",
        py::init<double, double, double, double, double, std::optional<double>>(), py::arg("mu"), py::arg("sigma"),
        py::arg("threshold"), py::arg("tail_shape"), py::arg("tail_scale"), py::arg("body_weight") = py::none());
}

}  // namespace apmsim::python
