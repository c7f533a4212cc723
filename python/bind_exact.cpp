// Python bindings: discretisation, exact/approximate aggregate distributions, the pool
// distribution and its error rates. The Pythonic wrappers (keyword arguments, __array__)
// are in apmsim/_exact.py; long computations release the GIL.
#include "argument_checks.hpp"
#include "bindings.hpp"

#include "apmsim/distributions/json.hpp"
#include "apmsim/exact/exact.hpp"
#include "apmsim/scenario.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>

namespace apmsim::python {
namespace {

/// Pickling by recipe: a value made by a deterministic function pickles as the function's
/// name and arguments (its `_recipe`), and apmsim._state.rebuild calls it again.
py::tuple reduce_by_recipe(const py::object& self, const char* type, const char* maker) {
    if (!py::hasattr(self, "_recipe")) throw py::type_error(std::string(type) + ": only one made by " + maker + " pickles (its arguments rebuild it)");
    return py::make_tuple(py::module_::import("apmsim._state").attr("rebuild"), self.attr("_recipe"));
}

py::array_t<double> to_array(const std::vector<double>& v) {
    return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::dict moments_dict(const Moments& m) {
    py::dict d;
    d["mean"] = m.mean;
    d["variance"] = m.variance;
    d["skewness"] = m.skewness;
    return d;
}

py::dict diagnostics_dict(const AggregateDiagnostics& g) {
    py::dict d;
    d["method"] = g.method;
    d["discretization"] = g.discretization;
    d["step"] = g.step;
    d["nodes"] = g.nodes;
    d["upper"] = g.step * static_cast<double>(g.nodes - 1);
    d["severity_tail_mass"] = g.severity_tail_mass;
    d["missing_mass"] = g.missing_mass;
    d["aliasing_estimate"] = g.aliasing_estimate;
    d["roundoff"] = g.roundoff;
    d["mass_below_zero"] = g.mass_below_zero;
    d["fft_length"] = g.fft_length;
    d["tilt"] = g.tilt;
    d["rescalings"] = g.rescalings;
    d["samples"] = g.samples;
    d["seed"] = g.seed;
    d["notes"] = g.notes;
    return d;
}

/// f applied elementwise to `x` (named `name`): a float for a Python number, else an array of x's shape.
template <class F>
py::object elementwise(const char* name, const py::object& x, F f) {
    return broadcast_apply<1>({name}, {x}, [&f](const std::array<double, 1>& v) { return f(v[0]); });
}

/// A count distribution from an apmsim object or a JSON-style dict.
Frequency to_frequency(const py::object& o) {
    if (py::isinstance<Poisson>(o)) return o.cast<Poisson>();
    if (py::isinstance<NegativeBinomial>(o)) return o.cast<NegativeBinomial>();
    if (py::isinstance<Binomial>(o)) return o.cast<Binomial>();
    if (py::isinstance<ZeroModifiedPoisson>(o)) return o.cast<ZeroModifiedPoisson>();
    if (py::isinstance<py::dict>(o)) return frequency_from_json(to_cpp_json(o), "frequency");
    throw InvalidInput("frequency", "a Poisson, NegativeBinomial, Binomial or ZeroModifiedPoisson (or its dict)",
                       py::repr(o).cast<std::string>());
}

/// A severity distribution from an apmsim object or a JSON-style dict.
Severity to_severity(const py::object& o) {
    if (py::isinstance<Lognormal>(o)) return o.cast<Lognormal>();
    if (py::isinstance<Gamma>(o)) return o.cast<Gamma>();
    if (py::isinstance<Weibull>(o)) return o.cast<Weibull>();
    if (py::isinstance<Pareto>(o)) return o.cast<Pareto>();
    if (py::isinstance<SplicedLognormalPareto>(o)) return o.cast<SplicedLognormalPareto>();
    if (py::isinstance<py::dict>(o)) return severity_from_json(to_cpp_json(o), "severity");
    throw InvalidInput("severity", "a Lognormal, Gamma, Weibull, Pareto or SplicedLognormalPareto (or its dict)",
                       py::repr(o).cast<std::string>());
}

/// An optional lattice length: unset is 0 (the library chooses); given, it must be > 0.
double optional_positive(const char* name, const std::optional<double>& value) {
    if (!value) return 0.0;
    check::positive(name, *value);
    return *value;
}

std::size_t optional_nodes(const std::optional<Whole>& nodes) {
    if (!nodes) return 0;
    return whole_number<std::size_t>("nodes", *nodes, 2, max_grid_nodes, " nodes");
}

}  // namespace

void register_exact(py::module_& m) {
    using AD = AggregateDistribution;

    py::class_<DiscretizedSeverity>(m, "DiscretizedSeverity",
                                    "A severity on the lattice 0, h, 2h, ...: masses, plus the probability beyond it")
        .def_property_readonly("masses", [](const DiscretizedSeverity& d) { return to_array(d.masses); })
        .def_readonly("step", &DiscretizedSeverity::step)
        .def_readonly("tail_mass", &DiscretizedSeverity::tail_mass, "Probability beyond the lattice (masses sum to 1 - tail_mass)")
        .def_property_readonly("method", [](const DiscretizedSeverity& d) { return std::string(discretization_name(d.method)); })
        .def_property_readonly("nodes", &DiscretizedSeverity::nodes)
        .def_property_readonly("upper", &DiscretizedSeverity::upper)
        .def_property_readonly("grid", [](const DiscretizedSeverity& d) {
            std::vector<double> x(d.masses.size());
            for (std::size_t j = 0; j < x.size(); ++j) x[j] = d.step * static_cast<double>(j);
            return to_array(x);
        })
        .def("total", &DiscretizedSeverity::total, "Sum of the masses (compensated)")
        .def("lattice_mean", &DiscretizedSeverity::lattice_mean, "sum_j x_j masses_j")
        .def("__len__", &DiscretizedSeverity::nodes)
        .def("__array__", [](const DiscretizedSeverity& d, const py::object& dtype, const py::object&) {
            return py::module_::import("numpy").attr("asarray")(to_array(d.masses), dtype);
        }, py::arg("dtype") = py::none(), py::arg("copy") = py::none(), "numpy.asarray(discretized) is its masses")
        .def(py::pickle(
            [](const DiscretizedSeverity& d) { return py::make_tuple(d.masses, d.step, d.tail_mass, std::string(discretization_name(d.method))); },
            [](const py::tuple& t) {
                if (t.size() != 4) throw InvalidInput("state", "a DiscretizedSeverity state of 4 fields", std::to_string(t.size()) + " fields");
                return DiscretizedSeverity{t[0].cast<std::vector<double>>(), t[1].cast<double>(), t[2].cast<double>(),
                                           discretization_from_name("method", t[3].cast<std::string>())};
            }))
        .def("__repr__", [](const DiscretizedSeverity& d) {
            return "DiscretizedSeverity(method='" + std::string(discretization_name(d.method)) + "', step=" + show(d.step) +
                   ", nodes=" + std::to_string(d.masses.size()) + ", tail_mass=" + show(d.tail_mass) + ")";
        });

    m.def(
        "discretize",
        [](const py::object& severity_object, double step, std::optional<double> upper, const std::string& method,
           std::optional<Whole> nodes, double scale) {
            const Severity severity = to_severity(severity_object);
            const Discretization how = discretization_from_name("method", method);
            check::positive("step", step);
            check::positive("scale", scale);
            Grid grid;
            if (nodes && upper) throw InvalidInput("upper", "either upper or nodes, not both", show(*upper));
            if (nodes) {
                grid = Grid{step, optional_nodes(nodes)};
            } else {
                // Default upper end: the 1 - 1e-10 quantile (the tail beyond is reported).
                const double u = upper ? *upper : scale * quantile(severity, 1.0 - 1e-10);
                if (upper) check::positive("upper", *upper);
                grid = Grid::up_to(step, u, "discretize");
            }
            py::gil_scoped_release release;
            return discretize(severity, grid, how, scale);
        },
        py::arg("severity"), py::arg("step"), py::arg("upper") = py::none(), py::arg("method") = "rounding", py::kw_only(),
        py::arg("nodes") = py::none(), py::arg("scale") = 1.0, "Discretise `severity` (times `scale`) on the lattice 0, step, 2 step, ... up to `upper` (rounded up to a "
        "node) or with `nodes` nodes; by default up to the severity's 1 - 1e-10 quantile. method: upper, lower, rounding "
        "or unbiased (local moment matching: keeps E[min(X, upper)]). The probability beyond the lattice is reported as "
        "tail_mass, never dropped silently.");

    py::class_<AD>(m, "AggregateDistribution",
                   "Distribution of an aggregate loss: lattice (panjer, fft, pool), approximation or simulation", py::dynamic_attr())
        .def("__reduce__", [](const py::object& self) { return reduce_by_recipe(self, "AggregateDistribution", "apmsim.aggregate"); })
        .def_property_readonly("method", &AD::method)
        .def_property_readonly("step", &AD::step)
        .def_property_readonly("nodes", &AD::nodes)
        .def_property_readonly("grid", [](const AD& d) { return to_array(d.grid()); }, "Lattice values 0, h, ..., (nodes-1) h")
        .def("pmf", [](const AD& d) { return to_array(d.pmf()); }, "Probabilities on the lattice (numpy)")
        .def(
            "cdf",
            [](const AD& d, const py::object& x) -> py::object {
                if (x.is_none()) return to_array(d.cdf_values());
                return elementwise("x", x, [&d](double v) { return d.cdf(v); });
            },
            py::arg("x") = py::none(), "P(S <= x); without x the lattice cdf (numpy)")
        .def("cdf_left", [](const AD& d, const py::object& x_) { return elementwise("x", x_, [&d](double x) { return d.cdf_left(x); }); }, py::arg("x"), "P(S < x)")
        .def("quantile", [](const AD& d, const py::object& p_) { return elementwise("p", p_, [&d](double p) { return d.quantile(p); }); }, py::arg("p"),
             "Smallest x with F(x) >= p")
        .def("expected_shortfall", [](const AD& d, const py::object& p_) { return elementwise("p", p_, [&d](double p) { return d.expected_shortfall(p); }); },
             py::arg("p"), "Expected shortfall (TVaR) VaR_p + E[(S - VaR_p)+]/(1 - p): the mean of the worst 100(1 - p)%")
        .def("stop_loss_premium", [](const AD& d, const py::object& x_) { return elementwise("d", x_, [&d](double x) { return d.stop_loss_premium(x); }); }, py::arg("d"),
             "E[(S - d)+]")
        .def("limited_expected_value", [](const AD& d, const py::object& u_) { return elementwise("u", u_, [&d](double u) { return d.limited_expected_value(u); }); },
             py::arg("u"), "E[min(S, u)]")
        .def("moments", [](const AD& d) { return moments_dict(d.moments()); }, "mean, variance, skewness of the computed distribution")
        .def("analytic_moments", [](const AD& d) { return moments_dict(d.analytic_moments()); }, "closed-form mean, variance, skewness")
        .def("moment_errors", [](const AD& d) {
            const MomentErrors e = d.moment_errors();
            py::dict r;
            r["mean_relative"] = e.mean_relative;
            r["variance_relative"] = e.variance_relative;
            r["skewness_absolute"] = e.skewness_absolute;
            return r;
        }, "computed minus analytic moments (the validation figures)")
        .def_property_readonly("diagnostics", [](const AD& d) { return diagnostics_dict(d.diagnostics()); })
        .def("false_reward_probability",
             [](const AD& d, double msr, std::optional<double> b) { return false_reward_probability(d, msr, b); }, py::arg("msr"),
             py::arg("benchmark") = py::none(), "P(S <= benchmark (1 - msr)); benchmark defaults to the analytic mean")
        .def("false_penalty_probability",
             [](const AD& d, double mlr, std::optional<double> b) { return false_penalty_probability(d, mlr, b); },
             py::arg("mlr"), py::arg("benchmark") = py::none(), "P(S >= benchmark (1 + mlr))")
        .def("expected_shared_savings",
             [](const AD& d, double rate, double msr, std::optional<double> b, std::optional<double> cap) {
                 return expected_shared_savings(d, rate, msr, b, cap);
             },
             py::arg("sharing_rate"), py::arg("msr"), py::arg("benchmark") = py::none(), py::arg("savings_cap") = py::none(),
             "rate E[min(B - S, cap B) 1{S <= B (1 - msr)}]")
        .def("__repr__", [](const AD& d) {
            const Moments a = d.analytic_moments();
            return "AggregateDistribution(method='" + d.method() + "', step=" + show(d.step()) + ", nodes=" +
                   std::to_string(d.nodes()) + ", mean=" + show(a.mean) + ")";
        });

    const AggregateOptions aggregate_defaults;  // the one place the defaults are written: AggregateOptions
    m.def(
        "aggregate",
        [](const py::object& frequency_object, const py::object& severity_object, const std::string& method, std::optional<double> step,
           const std::string& discretization, std::optional<Whole> nodes, std::optional<double> upper, double tail_target,
           double padding, double tilt, const Whole& samples, const Whole& seed) {
            const Frequency frequency = to_frequency(frequency_object);
            const Severity severity = to_severity(severity_object);
            AggregateOptions o;
            o.method = aggregate_method_from_name("method", method);
            o.discretization = discretization_from_name("discretization", discretization);
            o.step = optional_positive("step", step);
            o.nodes = optional_nodes(nodes);
            o.upper = optional_positive("upper", upper);
            o.tail_target = tail_target;
            o.padding = padding;
            o.tilt = tilt;
            o.samples = whole_number<std::uint64_t>("samples", samples, 2, AggregateOptions::max_samples, " samples");
            o.seed = whole_number<std::uint64_t>("seed", seed);
            o.validate();
            AggregateDistribution d = [&] {
                py::gil_scoped_release release;
                return aggregate(frequency, severity, o);
            }();
            py::object out = py::cast(std::move(d));
            // Every method is deterministic (a simulation's draws come from `seed`): the
            // arguments rebuild it exactly, so it pickles as them (apmsim._state).
            py::dict recipe(py::arg("frequency") = to_python_json(to_json(frequency)), py::arg("severity") = to_python_json(to_json(severity)),
                            py::arg("method") = method, py::arg("step") = step, py::arg("discretization") = discretization,
                            py::arg("nodes") = nodes ? nodes->value : py::none(), py::arg("upper") = upper, py::arg("tail_target") = tail_target,
                            py::arg("padding") = padding, py::arg("tilt") = tilt, py::arg("samples") = samples.value, py::arg("seed") = seed.value);
            out.attr("_recipe") = py::make_tuple("aggregate", recipe);
            return out;
        },
        py::arg("frequency"), py::arg("severity"), py::arg("method") = aggregate_method_name(aggregate_defaults.method),
        py::arg("step") = py::none(), py::arg("discretization") = discretization_name(aggregate_defaults.discretization), py::kw_only(),
        py::arg("nodes") = py::none(), py::arg("upper") = py::none(), py::arg("tail_target") = aggregate_defaults.tail_target,
        py::arg("padding") = aggregate_defaults.padding, py::arg("tilt") = aggregate_defaults.tilt,
        py::arg("samples") = aggregate_defaults.samples, py::arg("seed") = aggregate_defaults.seed,
        "Distribution of S = X_1 + ... + X_N for a count `frequency` and a `severity` (distribution objects or their "
        "dicts). method: panjer (recursion, robust when P(N=0) underflows), fft (padded, exponentially tilted transform "
        "with an aliasing estimate), normal, normal_power, translated_gamma or simulation (`samples` draws on the Philox "
        "streams of `seed`). The lattice 0, step, ..., upper is chosen automatically unless step, nodes or upper are "
        "given (a step of at most 1/256 of the mean given a claim); diagnostics['missing_mass'] is the probability it does "
        "not hold, which stop-loss premiums and expected shortfalls count; quantiles and retentions beyond it raise. "
        "Defaults: apmsim::AggregateOptions.");

    py::class_<PoolDistribution>(m, "PoolDistribution", "Exact distribution of a pool's annual cost, total and by tier", py::dynamic_attr())
        .def("__reduce__", [](const py::object& self) { return reduce_by_recipe(self, "PoolDistribution", "apmsim.pool_distribution"); })
        .def_readonly("total", &PoolDistribution::total)
        .def_property_readonly("tiers", [](const PoolDistribution& p) {
            py::dict d;
            for (std::size_t t = 0; t < p.tiers.size(); ++t) d[py::str(p.tier_names[t])] = p.tiers[t];
            return d;
        }, "Each tier's members' cost (empty with tier transitions)")
        .def_property_readonly("members_by_tier", [](const PoolDistribution& p) {
            py::dict d;
            for (std::size_t t = 0; t < p.tier_names.size(); ++t) d[py::str(p.tier_names[t])] = p.members_by_tier[t];
            return d;
        })
        .def("__repr__", [](const PoolDistribution& p) {
            return "PoolDistribution(mean=" + show(p.total.analytic_moments().mean) + ", step=" + show(p.total.step()) +
                   ", nodes=" + std::to_string(p.total.nodes()) + ")";
        });

    const PoolOptions pool_defaults;  // the one place the defaults are written: PoolOptions
    m.def(
        "pool_distribution",
        [](const Scenario& scenario, const Whole& year, const std::string& arm, std::optional<double> step, std::optional<Whole> nodes,
           std::optional<double> upper, const std::string& discretization, double padding, double tilt) {
            PoolOptions o;
            o.year = whole_number<int>("year", year, 1, scenario.years());
            o.arm = arm;
            o.step = optional_positive("step", step);
            o.nodes = optional_nodes(nodes);
            o.upper = optional_positive("upper", upper);
            o.discretization = discretization_from_name("discretization", discretization);
            o.padding = padding;
            o.tilt = tilt;
            PoolDistribution d = [&] {
                py::gil_scoped_release release;
                return pool_distribution(scenario, o);
            }();
            py::object out = py::cast(std::move(d));
            out.attr("_recipe") = py::make_tuple(
                "pool_distribution",
                py::dict(py::arg("scenario") = scenario, py::arg("year") = year.value, py::arg("arm") = arm, py::arg("step") = step,
                         py::arg("nodes") = nodes ? nodes->value : py::none(), py::arg("upper") = upper, py::arg("discretization") = discretization,
                         py::arg("padding") = padding, py::arg("tilt") = tilt));
            return out;
        },
        py::arg("scenario"), py::arg("year") = pool_defaults.year, py::arg("arm") = pool_defaults.arm, py::kw_only(),
        py::arg("step") = py::none(), py::arg("nodes") = py::none(), py::arg("upper") = py::none(),
        py::arg("discretization") = discretization_name(pool_defaults.discretization), py::arg("padding") = pool_defaults.padding,
        py::arg("tilt") = pool_defaults.tilt, "Exact distribution of a scenario's pool cost in `year` (1-based) for `arm`: members of a tier share a compound "
        "distribution per category, categories and members are independent, tiers convolve. Scenarios with frailty, a "
        "copula, a random trend or random intervention effects raise InvalidInput (common shocks). Defaults: "
        "apmsim::PoolOptions.");
}

}  // namespace apmsim::python
