// Sweeps and goal seek (sweep/): apmsim.sweep_variants, apmsim.run_sweep, apmsim.solve
// and Results.statistics(); the sweep database is read back in Python (apmsim._sweep).
#include "bindings.hpp"
#include "interruptible.hpp"

#include "apmsim/outputs/statistics_table.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/sweep/run_sweep.hpp"
#include "apmsim/sweep/solve.hpp"

#include <pybind11/stl.h>

#include <filesystem>

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

}  // namespace

void register_sweep(py::module_& m) {
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
           std::optional<std::uint64_t> calibration_trials, std::optional<unsigned> threads) {
            const SweepDefinition d = sweep_definition(sweep);
            const std::string db = py::str(py::module_::import("os").attr("fspath")(db_path)).cast<std::string>();
            SweepOptions o;
            o.trials = trials_or_zero(trials);
            o.calibration_trials = calibration_trials_or_zero(calibration_trials);
            o.resume = resume;
            if (threads) o.threads = *threads, o.threads_given = true;
            const SweepProgress p = call_interruptibly([&](const RunControl& control) { return run_sweep(d, db, o, {}, control); });
            py::dict out;
            out["variants"] = p.total;
            out["run"] = p.done - p.skipped;
            out["finished_before"] = p.skipped;
            return out;
        },
        py::arg("sweep"), py::arg("db"), py::kw_only(), py::arg("resume") = false, py::arg("trials") = py::none(),
        py::arg("calibration_trials") = py::none(), py::arg("threads") = py::none(),
        "Run every unfinished variant of a sweep into the SQLite database `db` (each committed as it finishes; variants that "
        "differ only in payment-model terms share one simulation). resume=True continues a database made from the same sweep. "
        "Ctrl-C stops within a second (KeyboardInterrupt) and keeps what finished. Read it with apmsim.read_sweep(db). "
        "Returns {'variants', 'run', 'finished_before'}.");
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
