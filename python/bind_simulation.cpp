// simulate() and its results; the GIL is released while trials run.
#include "argument_checks.hpp"
#include "bindings.hpp"
#include "interruptible.hpp"
#include "apmsim/outputs/results_state.hpp"
#include "apmsim/run_part.hpp"
#include "apmsim/base_case_cache.hpp"

#include "apmsim/core/files.hpp"
#include "apmsim/results_document.hpp"
#include "apmsim/outputs/json.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/stats/summary.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

namespace apmsim::python {

namespace {
stats::Tail tail_from_string(const std::string& adverse_tail) {
    if (adverse_tail != "upper" && adverse_tail != "lower")
        throw InvalidInput("adverse_tail", "\"upper\" (a cost: higher is worse) or \"lower\" (a result: higher is better)", "\"" + adverse_tail + "\"");
    return adverse_tail == "upper" ? stats::Tail::upper : stats::Tail::lower;
}

/// The values of a sample for the statistics: 1-D, finite, at least one.
std::vector<double> sample_values(const py::object& values) {
    std::vector<double> v = vector_argument("values", values, "a sample of outcomes");
    check_not_empty("values", v.size());
    return v;
}

/// An optional whole-number option of run() (unset: the scenario's settings).
template <class T>
void set_option(T& option, const char* name, const std::optional<Whole>& value) {
    if (value) option = whole_number<T>(name, *value);
}

/// Results with their payments and the resolved scenario they ran (each or None) as Python sees them.
py::object results_object(SimulationResults simulation, const py::object& payments, const py::object& scenario) {
    py::object results = py::cast(std::move(simulation));
    results.attr("payments") = payments;
    results.attr("scenario") = scenario;
    return results;
}

py::object attribute_or_none(const py::object& self, const char* name) {
    if (!py::hasattr(self, name)) return py::none();
    return self.attr(name);
}

/// The results JSON of a Python Results object: what `apmsim run --out` writes (version,
/// resolved scenario and warnings included) when it records its scenario, else the numbers.
Json full_json(const py::object& self, const std::optional<std::string>& name) {
    const auto& simulation = self.cast<const SimulationResults&>();
    const py::object payments = attribute_or_none(self, "payments"), scenario = attribute_or_none(self, "scenario");
    const PaymentResults none;
    const PaymentResults& pay = payments.is_none() ? none : payments.cast<const PaymentResults&>();
    if (!scenario.is_none()) {
        Scenario s = scenario.cast<Scenario>();
        if (name) s.name = *name;
        return results_document(s, s.settings, simulation, pay);
    }
    Json j = results_to_json(simulation, name.value_or("scenario"));
    if (!pay.models.empty()) j["payment_models"] = payments_to_json(pay);
    return j;
}
/// The resolved scenario of joined parts: the parts' (the same but for their trial ranges)
/// with the union's trials; None when the parts record none.
py::object merged_scenario(const std::vector<py::object>& parts, const SimulationResults& merged) {
    const py::object first = attribute_or_none(parts[0], "scenario");
    auto ranged_out = [](Scenario s) {  // and the threads, which never change a number
        s.settings.trials = 1;
        s.settings.trial_begin = 0;
        s.settings.threads = 0;
        return scenario_to_json(s);
    };
    for (std::size_t k = 1; k < parts.size(); ++k) {
        const py::object other = attribute_or_none(parts[k], "scenario");
        if (first.is_none() != other.is_none() ||
            (!first.is_none() && ranged_out(first.cast<Scenario>()) != ranged_out(other.cast<Scenario>())))
            throw InvalidInput("parts[" + std::to_string(k) + "]", "a part of the same scenario as parts[0] (all but trials and trial_begin)",
                               "another scenario");
    }
    if (first.is_none()) return py::none();
    Scenario s = first.cast<Scenario>();
    s.settings.trials = merged.trials;
    s.settings.trial_begin = merged.trial_begin;
    return py::cast(std::move(s));
}

/// The baseline of Results.compare by default: the recorded scenario's status quo.
std::string status_quo_of(const py::object& self) {
    const py::object scenario = attribute_or_none(self, "scenario");
    if (scenario.is_none()) return "fee_for_service";
    const auto model = scenario.cast<const Scenario&>().status_quo_model();
    if (!model) throw InvalidInput("Results.compare baseline_model", "a model to compare with: the scenario names no status_quo and has no fee_for_service "
                                                                    "model with another on its segment", "None");
    return *model;
}
}  // namespace

void register_simulation(py::module_& m) {
    py::module_ st = m.def_submodule("stats", "Risk statistics of per-trial outcomes (the same code as the C++ summaries)");
    st.def(
        "summarize",
        [](const py::object& v, const std::string& adverse_tail) {
            return to_python_json(to_json(stats::summarize(sample_values(v), tail_from_string(adverse_tail))));
        },
        py::arg("values"), py::arg("adverse_tail") = "upper",
        "mean, sd, standard error, quantiles p01-p99, expected shortfall at 95% and 99% (the mean of the worst 5% / 1% "
        "on the adverse tail: upper for a cost, lower for a net result), p_negative = P(value < 0)");
    st.def("quantile", [](const py::object& v, double p) { return stats::quantile(sample_values(v), p); }, py::arg("values"), py::arg("p"),
           "Type-7 (numpy default) quantile");
    st.def(
        "expected_shortfall",
        [](const py::object& v, double p, const std::string& adverse_tail) {
            return stats::expected_shortfall(sample_values(v), p, tail_from_string(adverse_tail));
        },
        py::arg("values"), py::arg("p"), py::arg("adverse_tail") = "upper",
        "Mean of the worst 100(1 - p)% of the values on the adverse tail (the one tail measure: TVaR, CTE); "
        "the boundary value weighted when n (1 - p) is not whole");
    st.def(
        "upper_tail_probability",
        [](const py::object& v, double x) {
            check_not_nan("threshold", x);
            return stats::upper_tail_probability(sample_values(v), x);
        },
        py::arg("values"), py::arg("threshold"), "P(value > threshold) in the sample");
    st.def(
        "lower_tail_probability",
        [](const py::object& v, double x) {
            check_not_nan("threshold", x);
            return stats::lower_tail_probability(sample_values(v), x);
        },
        py::arg("values"), py::arg("threshold"), "P(value < threshold) in the sample");

    py::class_<SimulationResults>(m, "Results", "Per-trial outputs of simulate(); .payments holds the settled payment models",
                                  py::dynamic_attr())
        .def_readonly("trials", &SimulationResults::trials)
        .def_readonly("seed", &SimulationResults::seed)
        .def_readonly("years", &SimulationResults::years)
        .def_readonly("tiers", &SimulationResults::tiers)
        .def_readonly("categories", &SimulationResults::categories)
        .def_readonly("program_cost_items", &SimulationResults::program_cost_items, "The intervention's program cost items")
        .def_readonly("members", &SimulationResults::members_at_start, "The population's members (at the start, with churn)")
        .def_readonly("member_slots", &SimulationResults::member_count,
                      "Member slots: the members, then with churn the slots kept for entrants (member_costs' last axis)")
        .def_property_readonly("arms", [](const SimulationResults& r) {
            std::vector<std::string> a;
            for (const auto& x : r.arms) a.push_back(x.name);
            return a;
        })
        .def_property_readonly_static("measures", [](py::object) { return SimulationResults::measures(); })
        .def(
            "samples",
            [](const SimulationResults& r, const std::string& measure, const std::string& arm, const std::optional<std::string>& category,
               const std::optional<std::string>& tier, const std::optional<std::string>& item) {
                return r.samples(measure, arm, category.value_or(""), tier.value_or(""), item.value_or(""));
            },
            py::arg("measure") = "total_cost", py::arg("arm") = "baseline", py::arg("category") = py::none(),
            py::arg("tier") = py::none(), py::arg("item") = py::none(),
            "A (trials, years) array of a measure for an arm, summed over matching tiers/categories")
        .def("member_level_cv",
             [](const SimulationResults& r, const std::string& arm, const Whole& year, const std::optional<std::string>& tier) {
                 return r.member_level_cv(arm, whole_number<int>("year", year, 1, r.years), tier.value_or(""));
             },
             py::arg("arm") = "baseline", py::arg("year") = 1, py::arg("tier") = py::none(),
             "Simulated cv of member-year cost, between tiers included (a tier: that tier's)")
        .def("within_tier_cv",
             [](const SimulationResults& r, const std::string& arm, const Whole& year) {
                 return r.within_tier_cv(arm, whole_number<int>("year", year, 1, r.years));
             },
             py::arg("arm") = "baseline", py::arg("year") = 1,
             "sqrt(mean within-tier variance) / mean: the cv that governs the noise of the mean of a pool whose tier "
             "mix is fixed (the confidence-interval MSR's default)")
        .def("participant_months", [](const SimulationResults& r, const std::optional<std::string>& tier) { return r.participant_months(tier.value_or("")); },
             py::arg("tier") = py::none(),
             "(trials, years) eligible months of the program's participants (by the tier of the year; a tier: that tier's), "
             "the months its costs are paid for; all member-months unless the intervention sets target_tiers or uptake")
        .def_property_readonly("trend", [](const SimulationResults& r) { return py::array_t<double>(r.trend.size(), r.trend.data()); })
        .def_property_readonly("effect_factors", [](const SimulationResults& r) {
            if (r.effect_factors.empty()) return py::array_t<double>(std::vector<py::ssize_t>{static_cast<py::ssize_t>(r.trials), 0});
            return py::array_t<double>({static_cast<py::ssize_t>(r.trials), static_cast<py::ssize_t>(r.categories.size())}, r.effect_factors.data());
        })
        .def_property_readonly("tier_effect_factors", [](const SimulationResults& r) {
            if (r.tier_effect_factors.empty())
                return py::array_t<double>(std::vector<py::ssize_t>{static_cast<py::ssize_t>(r.trials), static_cast<py::ssize_t>(r.tiers.size()), 0});
            return py::array_t<double>({static_cast<py::ssize_t>(r.trials), static_cast<py::ssize_t>(r.tiers.size()),
                                        static_cast<py::ssize_t>(r.categories.size())}, r.tier_effect_factors.data());
        }, "(trials, tiers, categories) the program's count factor each trial drew for each tier and category (1: no effect)")
        .def_property_readonly("upward_transition_factors", [](const SimulationResults& r) {
            return py::array_t<double>(static_cast<py::ssize_t>(r.upward_transition_factors.size()), r.upward_transition_factors.data());
        }, "(trials,) the factor each trial drew on participants' chances of moving to a costlier tier (empty: no rising-risk change)")
        .def_property_readonly("member_costs", [](const SimulationResults& r) -> py::object {
            if (r.member_costs.empty())
                throw InvalidInput("Results.member_costs", "results simulated with member_detail=True", "member_detail=False");
            return py::array_t<double>({static_cast<py::ssize_t>(r.arms.size()), static_cast<py::ssize_t>(r.trials),
                                        static_cast<py::ssize_t>(r.years), static_cast<py::ssize_t>(r.member_count)},
                                       r.member_costs.data());
        }, "(arms, trials, years, members) annual cost per member, when simulated with member_detail=True")
        .def("summary", [](const SimulationResults& r) { return data_frame(summary_to_json(summary_rows(r)), {"arm", "year", "measure", "category", "tier"}); },
             "pandas DataFrame, one row per arm x year x measure (and per category and tier) with mean, sd, standard_error, "
             "quantiles p01-p99, expected_shortfall_95/99 (the mean of the worst 5% / 1%: the upper tail for costs, the lower "
             "for savings) and p_negative")
        .def("statistics", [](const py::object& self) {
            const PaymentResults none;
            const py::object p = attribute_or_none(self, "payments");
            const PaymentResults& pay = p.is_none() ? none : p.cast<const PaymentResults&>();
            return data_frame(statistics_rows(self.cast<const SimulationResults&>(), pay), {});
        }, "Every statistic in one tidy pandas DataFrame (columns model, arm, year, party, component, category, tier, "
           "measure, statistic, value): the table a sweep stores and `apmsim run --summary-csv` writes")
        .def("compare", [](const py::object& self, const std::optional<std::string>& baseline_model, const py::object& arm) -> py::object {
            const py::object payments = attribute_or_none(self, "payments");
            if (payments.is_none()) throw InvalidInput("Results.compare", "results with settled payment models", "a scenario without payment models");
            return payments.attr("compare")(baseline_model ? *baseline_model : status_quo_of(self), arm);
        }, py::arg("baseline_model") = py::none(), py::arg("arm") = py::none(),
             (std::string(compare_doc) + ". baseline_model: the scenario's status quo (Scenario.status_quo) by default").c_str())
        .def_property_readonly("status_quo", [](const py::object& self) -> std::optional<std::string> {
            const py::object scenario = attribute_or_none(self, "scenario");
            if (scenario.is_none()) return std::nullopt;
            return scenario.cast<const Scenario&>().status_quo_model();
        }, "The payment model the others are compared with (the scenario's status_quo), or None")
        .def("to_dict", [](const py::object& self, const std::optional<std::string>& name) { return to_python_json(full_json(self, name)); },
             py::arg("scenario_name") = py::none(),
             "The results JSON `apmsim run --out` writes, as a dict: payment_models when settled, and apmsim_version, "
             "resolved_scenario and warnings when the results record their scenario (results of apmsim.run do); "
             "scenario_name overrides the recorded name")
        .def("__eq__", [](const py::object& self, const py::object& other) {
            if (!py::isinstance<SimulationResults>(other)) return false;
            return results_state(self.cast<const SimulationResults&>()) == results_state(other.cast<const SimulationResults&>()) &&
                   attribute_or_none(self, "payments").equal(attribute_or_none(other, "payments")) &&
                   attribute_or_none(self, "scenario").equal(attribute_or_none(other, "scenario"));
        })
        .def("__hash__", [](const py::object&) -> py::int_ { throw py::type_error("unhashable: Results"); })
        .def("__reduce__", [](const py::object& self) {
            return py::make_tuple(py::module_::import("apmsim._state").attr("restore_results"),
                                  py::make_tuple(py::bytes(results_state(self.cast<const SimulationResults&>())),
                                                 attribute_or_none(self, "payments"), attribute_or_none(self, "scenario")));
        })
        .def("save", [](const py::object& self, const py::object& path, const std::optional<std::string>& name) {
            const auto file = py::module_::import("os").attr("fspath")(path).cast<std::string>();
            write_file_atomically(file, full_json(self, name).dump(1) + "\n");
        }, py::arg("path"), py::arg("scenario_name") = py::none(),
           "Write the results JSON of to_dict() (atomically: temporary file, then rename); `apmsim run --replay` and "
           "Scenario.from_results read it back")
        .def_readonly("trial_begin", &SimulationResults::trial_begin, "The first trial's number (0 but for a part of a larger run)")
        .def_property_readonly("mode", [](const SimulationResults& r) { return std::string(mode_name(r.mode)); },
                               "How the costs were drawn: \"exact\" (every event's severity) or \"tabulated\" (sums from quantile tables)")
        .def("__repr__", [](const SimulationResults& r) {
            return "Results(trials=" + std::to_string(r.trials) + (r.trial_begin ? ", trial_begin=" + std::to_string(r.trial_begin) : "") + ", years=" + std::to_string(r.years) +
                   ", members=" + std::to_string(r.members_at_start) + ", arms=" + std::to_string(r.arms.size()) +
                   (r.mode == SimulationMode::exact ? "" : ", mode=" + std::string(mode_name(r.mode))) + ")";
        });

    m.def(
        "read_run_part",
        [](const py::object& path) {
            RunPart part = read_run_part(py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>());
            const bool settled = !part.results.payments.models.empty();
            return results_object(std::move(part.results.simulation), settled ? py::cast(std::move(part.results.payments)) : py::none(),
                                  py::cast(std::move(part.scenario)));
        },
        py::arg("path"),
        "The results of a part file written by apmsim run --part (with its scenario as run): apmsim.merge_trial_ranges joins "
        "them like the results of apmsim.run(trial_begin=...)");
    m.def("_results_from_state", [](const py::bytes& state, const py::object& payments, const py::object& scenario) {
        return results_object(results_from_state(std::string(state)), payments, scenario);
    });
    m.def(
        "run",
        [](const Scenario& s, const std::optional<Whole>& trials, const std::optional<Whole>& seed, const std::optional<Whole>& threads,
           std::optional<bool> member_detail, const std::optional<Whole>& calibration_trials, const py::object& progress,
           const std::optional<Whole>& trial_begin, const std::optional<std::string>& mode) {
            SimulationOptions o = s.settings;  // the ranges of the options are checked by o.validate() in run()
            set_option(o.trials, "trials", trials);
            set_option(o.trial_begin, "trial_begin", trial_begin);
            set_option(o.seed, "seed", seed);
            set_option(o.threads, "threads", threads);
            if (member_detail) o.member_detail = *member_detail;
            set_option(o.calibration_trials, "calibration_trials", calibration_trials);
            if (mode) o.mode = mode_from_name("mode", *mode);
            if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
                throw InvalidInput("progress", "None or a callable taking the trials done", std::string(py::str(progress.get_type())));
            RunResults r = call_interruptibly([&](const RunControl& control) { return run(s, o, control); }, progress);
            const bool settled = !r.payments.models.empty();
            Scenario resolved = s;  // the settings as run, but the thread count: it never changes a number
            resolved.settings = o;
            resolved.settings.threads = s.settings.threads;
            return results_object(std::move(r.simulation), settled ? py::cast(std::move(r.payments)) : py::none(),
                                  py::cast(std::move(resolved)));
        },
        py::arg("scenario"), py::arg("trials") = py::none(), py::arg("seed") = py::none(), py::arg("threads") = py::none(),
        py::arg("member_detail") = py::none(), py::arg("calibration_trials") = py::none(), py::arg("progress") = py::none(),
        py::arg("trial_begin") = py::none(), py::arg("mode") = py::none(),
        "Simulate a scenario and settle its payment models (Results.payments); unset options come from the scenario's "
        "settings. Same seed, same results, whatever the threads. Ctrl-C stops it within a second (KeyboardInterrupt). "
        "progress: None or a callable, called with the trials done about every 100 ms (apmsim.run draws a bar with it). "
        "trial_begin: the first trial's number (a part of a larger run; merge_trial_ranges joins the parts). "
        "mode: \"exact\" (every event's severity drawn) or \"tabulated\" (sums of severities from quantile tables)");
    m.def(
        "merge_trial_ranges",
        [](const std::vector<py::object>& parts) {
            std::vector<RunResults> runs;
            for (std::size_t k = 0; k < parts.size(); ++k) {
                if (!py::isinstance<SimulationResults>(parts[k]))
                    throw InvalidInput("parts[" + std::to_string(k) + "]", "Results of apmsim.run", std::string(py::str(parts[k].get_type())));
                const py::object payments = attribute_or_none(parts[k], "payments");
                runs.push_back({parts[k].cast<const SimulationResults&>(), payments.is_none() ? PaymentResults{} : payments.cast<const PaymentResults&>()});
            }
            RunResults merged;
            {
                py::gil_scoped_release release;
                merged = merge_trial_ranges(runs);
            }
            py::object scenario = merged_scenario(parts, merged.simulation);
            return results_object(std::move(merged.simulation), merged.payments.models.empty() ? py::none() : py::cast(std::move(merged.payments)),
                                  scenario);
        },
        py::arg("parts"),
        "Results of apmsim.run over consecutive trial ranges of one scenario and seed (trial_begin=..., trials=...), "
        "joined into the results of one run over their union, bit for bit: how a large run is spread over Dask workers "
        "(apmsim.run_split). ValueError naming parts[k] when a part is missing, out of order or of another run");
    m.def(
        "base_case_cache_info",
        [] {
            const BaseCaseCacheInfo i = base_case_cache_info();
            py::dict out;
            out["hits"] = i.hits;
            out["misses"] = i.misses;
            out["entries"] = i.entries;
            out["bytes"] = i.bytes;
            out["capacity_bytes"] = i.capacity_bytes;
            return out;
        },
        "The process's base-case cache (the pilot, calibration sample and simulated base period that runs of the same "
        "base case share; results are bit-identical with or without it): hits, misses, entries, bytes, capacity_bytes");
    m.def("clear_base_case_cache", &clear_base_case_cache, "Drops every entry of the base-case cache and zeroes its counters");
    m.def(
        "set_base_case_cache_capacity",
        [](const Whole& bytes) { set_base_case_cache_capacity(whole_number<std::size_t>("bytes", bytes, 0)); },
        py::arg("bytes"), "At most this many bytes in the base-case cache (default 256 MiB); 0 turns it off");
}

}  // namespace apmsim::python
