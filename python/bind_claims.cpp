// Python bindings of the claims family: calibrating a cost model from members and claims
// extracts, and synthesising such extracts (apmsim._claims adds the Pythonic layer).
#include "bindings.hpp"

#include "apmsim/calibration_report.hpp"
#include "apmsim/monitor.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/synth.hpp"

#include <pybind11/stl.h>

namespace apmsim::python {
namespace {

/// A reader of a path, or of CSV text in memory standing for `name` in errors.
csv::Reader reader(const std::string& path_or_text, bool is_text, const std::string& name) {
    return is_text ? csv::Reader::from_text(path_or_text, name) : csv::Reader(path_or_text);
}

Json calibrate_extracts(const std::string& members, bool members_text, const std::string& claims, bool claims_text,
                        const py::object& column_map, const py::object& manual, bool strict, const std::string& first,
                        const std::string& valuation, double extreme_threshold, double tail_factor, const std::string& seasonality,
                        std::optional<double> tail_quantile) {
    const claims::ColumnMap map = column_map.is_none() ? claims::ColumnMap{} : claims::ColumnMap::from_json(to_cpp_json(column_map), "map");
    claims::StandardiseOptions so;
    so.strict = strict, so.first = first, so.valuation = valuation, so.extreme_threshold = extreme_threshold;
    claims::CalibrationOptions co;
    co.tail_factor = tail_factor, co.seasonality = seasonality, co.tail_quantile = tail_quantile;
    if (!manual.is_none()) co.manual = cost_model_document_from_json(to_cpp_json(manual), "manual");
    py::gil_scoped_release release;
    csv::Reader m = reader(members, members_text, "<members DataFrame>"), c = reader(claims, claims_text, "<claims DataFrame>");
    return calibration_report(calibrate_claims(m, c, map, so, co));
}

Json synthesize_extracts(const Scenario& scenario, const std::string& out_dir, std::uint64_t seed, std::optional<std::size_t> members,
                         std::optional<int> years, const std::string& start, const std::string& valuation, double lag_days,
                         const std::map<std::string, double>& rates) {
    SynthOptions o;
    o.seed = seed, o.members = members, o.years = years, o.start = start, o.valuation = valuation, o.mean_payment_lag_days = lag_days;
    for (const auto& [name, rate] : rates) {
        std::size_t k = 0;
        while (k < MessRates::names.size() && name != MessRates::names[k]) ++k;
        if (k == MessRates::names.size()) {
            std::string known;
            for (const char* n : MessRates::names) known += (known.empty() ? "" : ", ") + std::string(n);
            throw InvalidInput("mess." + name, "a mess rule: " + known, "\"" + name + "\"");
        }
        o.mess.rate(k) = rate;
    }
    py::gil_scoped_release release;
    return synthesize(scenario, o, out_dir).to_json();
}

/// The options of apmsim.monitor, as a dict (the Python layer fills every key).
Json monitor_extracts(const Scenario& scenario, const std::string& members, bool members_text, const std::string& claims, bool claims_text,
                      const py::object& column_map, const py::dict& o) {
    const claims::ColumnMap map = column_map.is_none() ? claims::ColumnMap{} : claims::ColumnMap::from_json(to_cpp_json(column_map), "map");
    claims::StandardiseOptions so;
    so.strict = o["strict"].cast<bool>(), so.first = o["first"].cast<std::string>(), so.valuation = o["through"].cast<std::string>();
    so.extreme_threshold = o["extreme_threshold"].cast<double>();
    MonitorOptions mo;
    mo.start = o["start"].cast<std::string>(), mo.trials = o["trials"].cast<std::uint64_t>(), mo.threads = o["threads"].cast<unsigned>();
    mo.seed = o["seed"].is_none() ? scenario.settings.seed : o["seed"].cast<std::uint64_t>();
    mo.band = o["band"].cast<double>(), mo.tail_factor = o["tail_factor"].cast<double>();
    py::gil_scoped_release release;
    csv::Reader m = reader(members, members_text, "<members DataFrame>"), c = reader(claims, claims_text, "<claims DataFrame>");
    return monitor_report_to_json(monitor_claims(scenario, m, c, map, so, mo));
}

}  // namespace

void register_claims(py::module_& m) {
    m.def(
        "_calibrate_extracts",
        [](const std::string& members, bool members_text, const std::string& claims, bool claims_text, const py::object& column_map,
           const py::object& manual, bool strict, const std::string& first, const std::string& valuation, double extreme_threshold,
           double tail_factor, const std::string& seasonality, std::optional<double> tail_quantile) {
            return to_python_json(calibrate_extracts(members, members_text, claims, claims_text, column_map, manual, strict, first, valuation,
                                                     extreme_threshold, tail_factor, seasonality, tail_quantile));
        },
        "The report of apmsim.calibrate (use that: it takes paths or DataFrames and gives DataFrames).");
    m.def(
        "_synthesize_extracts",
        [](const Scenario& scenario, const std::string& out_dir, std::uint64_t seed, std::optional<std::size_t> members,
           std::optional<int> years, const std::string& start, const std::string& valuation, double lag_days,
           const std::map<std::string, double>& rates) {
            return to_python_json(synthesize_extracts(scenario, out_dir, seed, members, years, start, valuation, lag_days, rates));
        },
        "The truth of apmsim.synthesize (use that).");
    m.def(
        "_monitor_extracts",
        [](const Scenario& scenario, const std::string& members, bool members_text, const std::string& claims, bool claims_text,
           const py::object& column_map, const py::dict& options) {
            return to_python_json(monitor_extracts(scenario, members, members_text, claims, claims_text, column_map, options));
        },
        "The report of apmsim.monitor (use that: it takes paths or DataFrames and gives DataFrames and a fan chart).");
    py::list mess_rules;
    for (const char* name : MessRates::names) mess_rules.append(name);
    m.attr("_mess_rules") = mess_rules;
    m.def(
        "_cost_model_document", [](const Scenario& s) { return to_python_json(cost_model_document(s.cost_model)); },
        "A scenario's cost model as a document with its tiers and categories.");
    m.def(
        "_load_cost_model_document", [](const std::string& file) { return to_python_json(cost_model_document(load_cost_model(file))); },
        "A cost model file, checked, as a document.");
}

}  // namespace apmsim::python
