// Sweeps and goal seek (sweep/): apmsim.sweep_variants, apmsim.run_sweep, apmsim.solve
// and Results.statistics(); the sweep database is read back in Python (apmsim._sweep).
#include "bindings.hpp"
#include "interruptible.hpp"
#include "apmsim/outputs/results_state.hpp"

#include "apmsim/outputs/statistics_table.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/sweep/run_sweep.hpp"
#include "apmsim/sweep/solve.hpp"
#include "apmsim/variance_decomposition.hpp"

#include <pybind11/stl.h>

#include <filesystem>
#include <memory>

namespace apmsim::python {

namespace {

/// A sweep given as a path (str or os.PathLike) or as a dict (relative "base" paths from the working folder).
SweepDefinition sweep_definition(const py::object& sweep) {
    if (py::isinstance<py::str>(sweep) || py::hasattr(sweep, "__fspath__"))
        return load_sweep(py::str(py::module_::import("os").attr("fspath")(sweep)).cast<std::string>());
    if (!py::isinstance<py::dict>(sweep)) throw InvalidInput("sweep", "a sweep file's path or a dict", std::string(py::str(sweep.get_type())));
    return sweep_from_json(to_cpp_json(sweep), std::filesystem::current_path().string());
}

Json scenario_document(const py::object& scenario) {
    if (py::isinstance<Scenario>(scenario)) return scenario_to_json(scenario.cast<const Scenario&>());
    if (py::isinstance<py::dict>(scenario)) return to_cpp_json(scenario);
    throw InvalidInput("scenario", "an apmsim.Scenario or a scenario dict", std::string(py::str(scenario.get_type())));
}

std::uint64_t trials_or_zero(const std::optional<std::uint64_t>& trials) {
    if (trials && (*trials < 1 || *trials > 0xFFFFFFFFull)) throw InvalidInput("trials", "1 to 4294967295", std::to_string(*trials));
    return trials.value_or(0);
}

std::uint64_t calibration_trials_or_zero(const std::optional<std::uint64_t>& trials) {
    if (trials && (*trials < 1 || *trials > 10'000'000)) throw InvalidInput("calibration_trials", "1 to 10000000", std::to_string(*trials));
    return trials.value_or(0);
}

/// A sweep database open for writing by Python's apmsim.sweep, which gathers the variants
/// run elsewhere (Dask workers) and stores each as it arrives: the same store as the CLI's.
class PythonSweepStore {
public:
    PythonSweepStore(const SweepDefinition& d, const std::string& db, const SweepOptions& o)
        : variants_(expand(d, o.trials, o.calibration_trials)), store_(std::make_unique<SweepStore>(db, sweep_identity(d, o), variants_, o.resume)) {}
    const std::set<std::size_t>& finished() const { return open().finished(); }
    void store(std::size_t id, const py::bytes& rows, double seconds) {
        if (id >= variants_.size()) throw InvalidInput("variant", "a variant id below " + std::to_string(variants_.size()), std::to_string(id));
        open().store(variants_[id], rows_from_state(std::string(rows)), seconds);
    }
    void close() { store_.reset(); }

private:
    SweepStore& open() const {
        if (!store_) throw InvalidInput("sweep store", "an open store", "a closed one");
        return *store_;
    }
    std::vector<Variant> variants_;
    std::unique_ptr<SweepStore> store_;
};

SweepOptions sweep_options(std::optional<std::uint64_t> trials, std::optional<std::uint64_t> calibration_trials, bool resume) {
    SweepOptions o;
    o.trials = trials_or_zero(trials);
    o.calibration_trials = calibration_trials_or_zero(calibration_trials);
    o.resume = resume;
    return o;
}

/// The variants of a sweep as tasks: groups of (variant id, scenario) that share a simulation.
py::list variant_groups(const py::object& sweep, std::optional<std::uint64_t> trials, std::optional<std::uint64_t> calibration_trials,
                        std::optional<unsigned> threads) {
    const std::vector<Variant> variants = expand(sweep_definition(sweep), trials_or_zero(trials), calibration_trials_or_zero(calibration_trials));
    std::vector<Scenario> scenarios;
    for (const Variant& v : variants) {
        scenarios.push_back(variant_scenario(v));
        if (threads) scenarios.back().settings.threads = *threads;
    }
    py::list groups;
    for (const auto& members : simulation_groups(scenarios)) {
        py::list group;
        for (std::size_t i : members) group.append(py::make_tuple(variants[i].id, scenarios[i]));
        groups.append(group);
    }
    return groups;
}

}  // namespace

void register_sweep(py::module_& m) {
    m.def("_variant_groups", &variant_groups, py::arg("sweep"), py::arg("trials") = py::none(), py::arg("calibration_trials") = py::none(),
          py::arg("threads") = py::none(),
          "The variants of a sweep as groups of (variant id, Scenario) that share one simulation: one task each");
    m.def(
        "_variant_statistics",
        [](const std::vector<Scenario>& scenarios) {
            std::vector<std::string> rows(scenarios.size());
            call_interruptibly([&](const RunControl& control) {
                run_statistics(scenarios, [&](std::size_t k, std::vector<StatisticRow>&& r) { rows[k] = rows_state(r); }, control);
                return 0;
            });
            py::list out;
            for (const std::string& r : rows) out.append(py::bytes(r));
            return out;
        },
        py::arg("scenarios"), "Each scenario's statistics table (as bytes for _SweepStore.store), run as a sweep runs them");
    py::class_<PythonSweepStore>(m, "_SweepStore", "A sweep database open for writing (the CLI's store), for apmsim.sweep")
        .def(py::init([](const py::object& sweep, const py::object& db, bool resume, std::optional<std::uint64_t> trials,
                         std::optional<std::uint64_t> calibration_trials) {
                 return std::make_unique<PythonSweepStore>(sweep_definition(sweep), py::str(py::module_::import("os").attr("fspath")(db)).cast<std::string>(),
                                                           sweep_options(trials, calibration_trials, resume));
             }),
             py::arg("sweep"), py::arg("db"), py::arg("resume") = false, py::arg("trials") = py::none(), py::arg("calibration_trials") = py::none())
        .def_property_readonly("finished", &PythonSweepStore::finished, "Ids of the variants already stored")
        .def("store", &PythonSweepStore::store, py::arg("variant"), py::arg("rows"), py::arg("seconds"),
             "Store a variant's statistics (bytes of _variant_statistics) and mark it finished, in one transaction")
        .def("close", &PythonSweepStore::close, "Release the database and its writer's lock");
    m.def(
        "sweep_variants",
        [](const py::object& sweep, std::optional<std::uint64_t> trials, std::optional<std::uint64_t> calibration_trials) {
            py::list out;
            for (const Variant& v : expand(sweep_definition(sweep), trials_or_zero(trials), calibration_trials_or_zero(calibration_trials))) {
                py::dict parameters;
                for (const auto& p : v.parameters) parameters[py::str(p.axis)] = to_python_json(p.value);
                py::dict row;
                row["id"] = v.id;
                row["parameters"] = parameters;
                row["seed"] = v.seed;
                row["scenario"] = variant_scenario(v);
                out.append(row);
            }
            return out;
        },
        py::arg("sweep"), py::arg("trials") = py::none(), py::arg("calibration_trials") = py::none(),
        "The variants of a sweep (a file path or a dict; docs/sweeps.md), each a dict with id, parameters (axis name -> "
        "value), seed and scenario (an apmsim.Scenario), every one loaded and checked. Example: "
        "[v['parameters'] for v in apmsim.sweep_variants('examples/sweeps/sharing_rate.json')]");
    m.def(
        "run_sweep",
        [](const py::object& sweep, const py::object& db_path, bool resume, std::optional<std::uint64_t> trials,
           std::optional<std::uint64_t> calibration_trials, std::optional<unsigned> threads, const py::object& progress) {
            const SweepDefinition d = sweep_definition(sweep);
            const std::string db = py::str(py::module_::import("os").attr("fspath")(db_path)).cast<std::string>();
            SweepOptions o = sweep_options(trials, calibration_trials, resume);
            if (threads) o.threads = *threads, o.threads_given = true;
            std::atomic<std::uint64_t> variants_done{0};  // run in this call
            const SweepProgress p = call_interruptibly(
                [&](const RunControl& control) {
                    return run_sweep(d, db, o, [&](const SweepProgress& s) { variants_done = s.done - s.skipped; }, control);
                },
                progress, &variants_done);
            py::dict out;
            out["variants"] = p.total;
            out["run"] = p.done - p.skipped;
            out["finished_before"] = p.skipped;
            return out;
        },
        py::arg("sweep"), py::arg("db"), py::kw_only(), py::arg("resume") = false, py::arg("trials") = py::none(),
        py::arg("calibration_trials") = py::none(), py::arg("threads") = py::none(), py::arg("progress") = py::none(),
        "Run every unfinished variant of a sweep into the SQLite database `db` (each committed as it finishes; variants that "
        "differ only in payment-model terms share one simulation). resume=True continues a database made from the same sweep. "
        "Ctrl-C stops within a second (KeyboardInterrupt) and keeps what finished. Read it with apmsim.read_sweep(db). "
        "progress: None or a callable, called with the variants run so far about every 100 ms. "
        "Returns {'variants', 'run', 'finished_before'}.");
    m.def(
        "variance_decomposition",
        [](const Scenario& scenario, std::uint64_t outer, std::uint64_t inner) {
            const auto rows = call_interruptibly([&](const RunControl& control) { return variance_decomposition(scenario, outer, inner, control); });
            Json out = Json::array();
            for (const auto& r : rows) {
                const auto& v = r.shares;
                auto number = [](double x) { return std::isnan(x) ? Json() : Json(x); };
                out.push_back({{"model", r.model}, {"arm", r.arm}, {"year", r.year}, {"party", r.party}, {"measure", r.measure},
                               {"variance", v.variance}, {"parameter_variance", v.parameter_variance}, {"process_variance", v.process_variance},
                               {"parameter_share", number(v.parameter_share)}, {"parameter_share_se", number(v.parameter_share_se)}});
            }
            return data_frame(out, {"model", "arm", "year", "party", "measure"});
        },
        py::arg("scenario"), py::kw_only(), py::arg("outer") = 200, py::arg("inner") = 10,
        "Where the noise comes from: the scenario run on outer x inner trials, its trial-level draws (trend, effects, uptake, "
        "quality) shared by blocks of `inner`, and the law of total variance per measure (each arm's total_cost and savings by "
        "year; each party's net by model, year 0 = all years): parameter_variance (what better data would remove), "
        "process_variance (what a larger pool reduces), parameter_share and its jackknife standard error. Dollars squared. "
        "Example: apmsim.variance_decomposition(s, outer=200, inner=10).xs('net', level='measure')");
    m.def(
        "solve",
        [](const py::object& scenario, const std::string& vary, std::pair<double, double> between, const std::string& target,
           std::optional<std::uint64_t> trials, std::optional<std::uint64_t> calibration_trials, std::optional<double> tolerance) {
            const Json doc = scenario_document(scenario);
            const SolveTarget t = SolveTarget::parse(target);
            SolveOptions o;
            o.trials = trials_or_zero(trials);
            o.calibration_trials = calibration_trials_or_zero(calibration_trials);
            if (tolerance) {
                if (!(*tolerance > 0)) throw InvalidInput("tolerance", "a number > 0", show(*tolerance));
                o.tolerance = *tolerance;
            }
            const SolveResult r = call_interruptibly([&](const RunControl& control) { return solve(doc, vary, between.first, between.second, t, o, control); });
            py::dict out;
            out["value"] = r.value;
            out["statistic"] = r.statistic;
            out["standard_error"] = r.standard_error;
            out["interval_95"] = py::make_tuple(r.low, r.high);
            out["simulations"] = r.simulations;
            py::list evaluations;
            for (const auto& e : r.evaluations) evaluations.append(py::make_tuple(e.x, e.statistic));
            out["evaluations"] = evaluations;
            return out;
        },
        py::arg("scenario"), py::arg("vary"), py::arg("between"), py::arg("target"), py::kw_only(), py::arg("trials") = py::none(),
        py::arg("calibration_trials") = py::none(), py::arg("tolerance") = py::none(),
        "Goal seek on common random numbers: the value of the number at JSON pointer `vary` within `between` = (lo, hi) where "
        "`target` (e.g. 'model=capitation party=provider statistic=p_negative <= 0.2') switches from missed to met. Returns "
        "{'value', 'statistic', 'standard_error', 'interval_95', 'simulations', 'evaluations'}; interval_95 is the range the "
        "value would take on 95% of other random numbers (NaN when the statistic has no standard error).");
}

Json statistics_rows(const SimulationResults& sim, const PaymentResults& pay) {
    Json rows = Json::array();
    for (const StatisticRow& r : statistics_table(sim, pay))
        rows.push_back({{"model", r.model}, {"arm", r.arm}, {"year", r.year}, {"party", r.party}, {"component", r.component},
                        {"category", r.category}, {"tier", r.tier}, {"measure", r.measure}, {"statistic", r.statistic},
                        {"value", std::isnan(r.value) ? Json() : Json(r.value)}});
    return rows;
}

}  // namespace apmsim::python
