// simulate() and its results; the GIL is released while trials run.
#include "bindings.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

namespace apmsim::python {

namespace {
/// The results JSON of a Python Results object, with its settled payment models if any.
Json full_json(const py::object& self, const std::string& name) {
    Json j = results_to_json(self.cast<const SimulationResults&>(), name);
    if (py::hasattr(self, "payments") && !self.attr("payments").is_none())
        j["payment_models"] = payments_to_json(self.attr("payments").cast<const PaymentResults&>());
    return j;
}
}  // namespace

void register_simulation(py::module_& m) {
    py::module_ st = m.def_submodule("stats", "Risk statistics of per-trial outcomes (the same code as the C++ summaries)");
    using Values = std::vector<double>;
    st.def(
        "summarize",
        [](const Values& v, const std::string& adverse_tail) {
            if (adverse_tail != "upper" && adverse_tail != "lower")
                throw InvalidInput("adverse_tail", "\"upper\" (a cost: higher is worse) or \"lower\" (a result: higher is better)",
                                   "\"" + adverse_tail + "\"");
            return to_python_json(to_json(stats::summarize(v, adverse_tail == "upper" ? stats::Tail::upper : stats::Tail::lower)));
        },
        py::arg("values"), py::arg("adverse_tail") = "upper",
        "mean, sd, standard error, quantiles p01-p99, expected shortfall at 95% and 99% (the mean of the worst 5% / 1% "
        "on the adverse tail: upper for a cost, lower for a net result), P(value < 0)");
    st.def("quantile", [](const Values& v, double p) { return stats::quantile(v, p); }, py::arg("values"), py::arg("p"),
           "Type-7 (numpy default) quantile");
    st.def("value_at_risk", [](const Values& v, double p) { return stats::value_at_risk(v, p); }, py::arg("values"), py::arg("p"));
    st.def("tail_value_at_risk", [](const Values& v, double p) { return stats::tail_value_at_risk(v, p); }, py::arg("values"),
           py::arg("p"), "Mean of the values at or above the p-quantile (CTE)");
    st.def("upper_tail_probability", [](const Values& v, double x) { return stats::upper_tail_probability(v, x); }, py::arg("values"),
           py::arg("threshold"));
    st.def("lower_tail_probability", [](const Values& v, double x) { return stats::lower_tail_probability(v, x); }, py::arg("values"),
           py::arg("threshold"));

    py::class_<SimulationResults>(m, "Results", "Per-trial outputs of simulate(); .payments holds the settled payment models",
                                  py::dynamic_attr())
        .def_readonly("trials", &SimulationResults::trials)
        .def_readonly("seed", &SimulationResults::seed)
        .def_readonly("years", &SimulationResults::years)
        .def_readonly("tiers", &SimulationResults::tiers)
        .def_readonly("categories", &SimulationResults::categories)
        .def_readonly("components", &SimulationResults::components)
        .def_readonly("members", &SimulationResults::member_count)
        .def_property_readonly("arms", [](const SimulationResults& r) {
            std::vector<std::string> a;
            for (const auto& x : r.arms) a.push_back(x.name);
            return a;
        })
        .def_property_readonly_static("measures", [](py::object) { return SimulationResults::measures(); })
        .def(
            "samples",
            [](const SimulationResults& r, const std::string& measure, const std::string& arm, const std::optional<std::string>& category,
               const std::optional<std::string>& tier, const std::optional<std::string>& component) {
                return r.samples(measure, arm, category.value_or(""), tier.value_or(""), component.value_or(""));
            },
            py::arg("measure") = "total_cost", py::arg("arm") = "baseline", py::arg("category") = py::none(),
            py::arg("tier") = py::none(), py::arg("component") = py::none(),
            "A (trials, years) array of a measure for an arm, summed over matching tiers/categories")
        .def("member_level_cv", [](const SimulationResults& r, const std::string& arm, int year,
                                   const std::optional<std::string>& tier) { return r.member_level_cv(arm, year, tier.value_or("")); },
             py::arg("arm") = "baseline", py::arg("year") = 1, py::arg("tier") = py::none(),
             "Simulated cv of member-year cost, between tiers included (a tier: that tier's)")
        .def("within_tier_cv", &SimulationResults::within_tier_cv, py::arg("arm") = "baseline", py::arg("year") = 1,
             "sqrt(mean within-tier variance) / mean: the cv that governs the noise of the mean of a pool whose tier "
             "mix is fixed (the confidence-interval MSR's default)")
        .def_property_readonly("trend", [](const SimulationResults& r) { return py::array_t<double>(r.trend.size(), r.trend.data()); })
        .def_property_readonly("effect_factors", [](const SimulationResults& r) {
            if (r.effect_factors.empty()) return py::array_t<double>(std::vector<py::ssize_t>{static_cast<py::ssize_t>(r.trials), 0});
            return py::array_t<double>({static_cast<py::ssize_t>(r.trials), static_cast<py::ssize_t>(r.categories.size())}, r.effect_factors.data());
        })
        .def_property_readonly("member_costs", [](const SimulationResults& r) -> py::object {
            if (r.member_costs.empty())
                throw InvalidInput("Results.member_costs", "results simulated with member_detail=True", "member_detail=False");
            return py::array_t<double>({static_cast<py::ssize_t>(r.arms.size()), static_cast<py::ssize_t>(r.trials),
                                        static_cast<py::ssize_t>(r.years), static_cast<py::ssize_t>(r.member_count)},
                                       r.member_costs.data());
        }, "(arms, trials, years, members) annual cost per member, when simulated with member_detail=True")
        .def("_summary_rows", [](const SimulationResults& r) { return to_python_json(summary_to_json(r.summary())); })
        .def("to_json", [](const py::object& self, const std::string& name) { return to_python_json(full_json(self, name)); },
             py::arg("scenario_name") = "scenario", "The results JSON the CLI writes, as a dict (with payment_models when settled)")
        .def("save_json", [](const py::object& self, const py::object& path, const std::string& name) {
            const auto file = py::module_::import("os").attr("fspath")(path).cast<std::string>();
            write_file_atomically(file, full_json(self, name).dump(1) + "\n");
        }, py::arg("path"), py::arg("scenario_name") = "scenario", "Write the results JSON (atomically: temporary file, then rename)")
        .def("__repr__", [](const SimulationResults& r) {
            return "Results(trials=" + std::to_string(r.trials) + ", years=" + std::to_string(r.years) +
                   ", members=" + std::to_string(r.member_count) + ", arms=" + std::to_string(r.arms.size()) + ")";
        });

    m.def(
        "simulate",
        [](const Scenario& s, std::optional<std::uint64_t> trials, std::optional<std::uint64_t> seed, std::optional<unsigned> threads,
           std::optional<bool> member_detail) {
            SimulationOptions o = s.settings;
            if (trials) o.trials = *trials;
            if (seed) o.seed = *seed;
            if (threads) o.threads = *threads;
            if (member_detail) o.member_detail = *member_detail;
            RunResults r;
            {
                py::gil_scoped_release release;
                r = run(s, o);
            }
            py::object results = py::cast(std::move(r.simulation));
            results.attr("payments") = r.payments.models.empty() ? py::none() : py::cast(std::move(r.payments));
            return results;
        },
        py::arg("scenario"), py::arg("trials") = py::none(), py::arg("seed") = py::none(), py::arg("threads") = py::none(),
        py::arg("member_detail") = py::none(),
        "Simulate a scenario and settle its payment models (Results.payments); unset options come from the scenario's "
        "settings. Same seed, same results, whatever the threads.");
}

}  // namespace apmsim::python
