// Scenario: built from JSON (a path or a dict) or the bundled default program.
#include "bindings.hpp"
#include "value_type.hpp"

#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/core/files.hpp"
#include "apmsim/core/json_pointer.hpp"
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/core/json_file.hpp"
#include "apmsim/results_document.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/validation.hpp"

#include <pybind11/stl.h>

namespace apmsim::python {

namespace {
/// Replaces one part of a scenario only if the whole scenario stays valid.
template <class Change>
void edit_validated(Scenario& s, Change change) {
    Scenario copy = s;
    change(copy);
    copy.validate();
    s = std::move(copy);
}
/// The scenario with the value at JSON pointer `pointer` of its document replaced (or a
/// key left at its default set); the result is checked as a file would be.
Scenario with_value(const Scenario& s, const std::string& pointer, const py::object& value) {
    Json doc = scenario_to_json(s);
    doc[pointer_into(doc, pointer, "pointer", true)] = to_cpp_json(value);
    return scenario_from_json(doc);
}

/// A top-level part of the scenario document as a read-only view, and its replacement.
py::object part(const Scenario& s, const char* key, const char* owner) {
    const Json doc = scenario_to_json(s);
    return frozen(doc.contains(key) ? to_python_json(doc.at(key)) : py::none(), owner);
}
void replace_part(Scenario& s, const char* key, const py::object& value) {
    Json doc = scenario_to_json(s);
    if (value.is_none()) doc.erase(key);
    else doc[key] = to_cpp_json(value);
    // A cost model document (apmsim.calibrate's, with its tiers and categories): checked against the scenario's.
    if (std::string_view(key) == "cost_model" && doc[key].is_object() && (doc[key].contains("tiers") || doc[key].contains("categories")))
        doc[key] = cost_model_part(doc, doc[key], "cost_model.");
    s = scenario_from_json(doc);
}

}  // namespace

void register_scenario(py::module_& m) {
    m.def(
        "validate",
        [](const py::object& scenario) {
            Json doc;
            if (py::isinstance<py::dict>(scenario)) doc = to_cpp_json(scenario);
            else doc = read_json_file(py::str(py::module_::import("os").attr("fspath")(scenario)).cast<std::string>(), "a scenario file (JSON)");
            const ValidationReport report = validate_scenario_document(doc);
            py::list errors, warnings;
            for (const InvalidInput& e : report.errors)
                errors.append(py::dict(py::arg("where") = e.where(), py::arg("expected") = e.expected(), py::arg("actual") = e.actual()));
            for (const ScenarioWarning& w : report.warnings) warnings.append(py::dict(py::arg("where") = w.where, py::arg("message") = w.message));
            return py::dict(py::arg("errors") = errors, py::arg("warnings") = warnings);
        },
        py::arg("scenario"),
        "Check a scenario (a dict or a file path) without running it: every problem at once, each a dict with its JSON path "
        "('where'), 'expected' and 'actual', and warnings about legal but implausible terms ('where', 'message'). "
        "Returns {'errors': [...], 'warnings': [...]}; no errors means apmsim.Scenario.from_dict / load and run accept it.");
    py::class_<Scenario> cls(m, "Scenario", "Population, cost model, intervention, delivery, payment models and default settings");
    add_json_value_behaviour<Scenario>(cls, scenario_to_json, scenario_from_json);
    cls.def_static(
           "load", [](const py::object& path) { return load_scenario(py::module_::import("os").attr("fspath")(path).cast<std::string>()); },
           py::arg("path"), "Load a scenario from a JSON file")
        .def_static(
            "from_results",
            [](const py::object& results) {
                if (py::isinstance<py::dict>(results)) return scenario_of_results(to_cpp_json(results), "results");
                const auto file = py::module_::import("os").attr("fspath")(results).cast<std::string>();
                return scenario_of_results(read_json_file(file, "a results file (JSON)"), file);
            },
            py::arg("results"),
            "The resolved scenario a results file (a path, or Results.to_dict()) records, its settings as run: "
            "apmsim.run(Scenario.from_results(path)) replays it to the same numbers")
        .def(
            "save",
            [](const Scenario& s, const py::object& path) {
                write_file_atomically(py::module_::import("os").attr("fspath")(path).cast<std::string>(), scenario_to_json(s).dump(2) + "\n");
            },
            py::arg("path"), "Write the scenario's JSON file (atomically: a temporary file, then a rename)")
        .def_static("default_cmc_program", &Scenario::default_cmc_program, py::arg("members") = 1000, py::arg("years") = 3,
                    py::arg("payment_models") = true,
                    "The bundled synthetic CMC program of shared/DOMAIN.md section 2 (with an illustrative delivery "
                    "basis and four payment models unless payment_models=False)")
        .def_property(
            "payment_models", [](const Scenario& s) { return frozen(py::cast(s.payment_models), "Scenario.payment_models"); },
            [](Scenario& s, const std::vector<PaymentModel>& models) {
                edit_validated(s, [&](Scenario& c) { c.payment_models = models; });
            },
            "The payment models settled by run() (PaymentModel objects; a read-only view: assign a new list to change, which validates)")
        .def_property(
            "delivery", [](const Scenario& s) { return frozen(to_python_json(to_json(s.delivery)), "Scenario.delivery"); },
            [](Scenario& s, const py::object& d) {
                edit_validated(s, [&](Scenario& c) { c.delivery = delivery_from_json(to_cpp_json(d), "delivery"); });
            },
            "Who delivers each category's care and at what cost (provider_share, pcp_share, provider_cost_ratio, "
            "pcp_cost_ratio, program_cost_borne_by); a read-only view: assign a whole dict to change, which validates")
        .def_property(
            "federal_match", [](const Scenario& s) { return part(s, "federal_match", "Scenario.federal_match"); },
            [](Scenario& s, const py::object& v) { replace_part(s, "federal_match", v); },
            "Who pays the payer's cost: {'fmap': share or [one per year], 'health_home': {'rule': 'aca_2703' or 'ace_kids', "
            "'first_quarter': 1}}; None: not split. Results then gain payer_state and payer_federal. A read-only view: "
            "assign a whole dict (or None) to change, which validates")
        .def_property(
            "status_quo", [](const Scenario& s) { return s.status_quo_model(); },
            [](Scenario& s, const py::object& v) { replace_part(s, "status_quo", v); },
            "The payment model every other is compared with in summaries (Results.compare, the results file's status_quo, "
            "the CLI): the one named, else fee_for_service when a model has that name; None when there is none or no other "
            "model on its population segment. Assign a model name (or None for the default), which validates")
        .def("with_value", &with_value, py::arg("pointer"), py::arg("value"),
             "A new scenario with the value at a JSON pointer (RFC 6901) into its document replaced, or a term left at its "
             "default set; checked as a file would be (ValueError naming the path). The scenario itself is unchanged. "
             "Example: s.with_value('/payment_models/1/components/3/sharing_rate', 0.6)")
        .def_property(
            "intervention", [](const Scenario& s) { return part(s, "intervention", "Scenario.intervention"); },
            [](Scenario& s, const py::object& v) { replace_part(s, "intervention", v); },
            "The program: name, effects (relative change in expected counts by category: mean, sd) and program_cost_pmpm "
            "(dollars per member per month by item); None without one. A read-only view: assign a whole dict (or None) to change, which validates")
        .def_property(
            "cost_model", [](const Scenario& s) { return part(s, "cost_model", "Scenario.cost_model"); },
            [](Scenario& s, const py::object& v) { replace_part(s, "cost_model", v); },
            "Frequency and severity by category and tier, frailty_cv, trend (annual mean and sd), seasonality, copula, "
            "tier_transitions. A read-only view: assign a whole dict to change, which validates; a cost model document with "
            "its tiers and categories (apmsim.calibrate's Calibration.cost_model) is accepted when they are the scenario's")
        .def_property(
            "population", [](const Scenario& s) { return part(s, "population", "Scenario.population"); },
            [](Scenario& s, const py::object& v) { replace_part(s, "population", v); },
            "The members: {'generate': {'members', 'tier_mix'}} or {'members': columns}. A read-only view: assign a whole "
            "dict to change, which validates")
        .def_property(
            "name", [](const Scenario& s) { return s.name; },
            [](Scenario& s, const py::object& v) { replace_part(s, "name", v); }, "The scenario's name (results files carry it)")
        .def_property_readonly("years", &Scenario::years)
        .def_property_readonly("members", [](const Scenario& s) { return s.population.size(); })
        .def_property_readonly("tiers", [](const Scenario& s) { return s.cost_model.tiers; })
        .def_property_readonly("categories", [](const Scenario& s) { return s.cost_model.categories; })
        .def_property_readonly("has_intervention", [](const Scenario& s) { return s.intervention.has_value(); })
        .def_property(
            "settings", [](const Scenario& s) { return frozen(to_python_json(to_json(s.settings)), "Scenario.settings"); },
            [](Scenario& s, const py::object& d) {
                edit_validated(s, [&](Scenario& c) { c.settings = options_from_json(to_cpp_json(d), "settings"); });
            },
            "Default simulation options: trials, seed, threads, member_detail, calibration_trials, mode (a read-only view: assign "
            "a whole dict to change, which validates)")
        .def(
            "member_year_moments",
            [](const Scenario& s, const std::string& tier) {
                const int t = CostModel::index_of(s.cost_model.tiers, tier);
                if (t < 0) throw InvalidInput("tier", "a tier of the scenario", "\"" + tier + "\"");
                const auto mo = member_year_moments(s.cost_model, static_cast<std::size_t>(t));
                py::dict d;
                d["mean"] = mo.mean;
                d["variance"] = mo.variance;
                d["cv"] = mo.cv();
                py::dict by_cat;
                for (std::size_t c = 0; c < mo.category_mean.size(); ++c)
                    by_cat[py::str(s.cost_model.categories[c])] = py::make_tuple(mo.category_mean[c], mo.category_variance[c]);
                d["categories"] = by_cat;
                return d;
            },
            py::arg("tier"), "Closed-form mean, variance and CV of one member-year's cost in a tier (base year, no program)")
        .def("__repr__",
             [](const Scenario& s) {
                 return "Scenario(name='" + s.name + "', members=" + std::to_string(s.population.size()) +
                        ", years=" + std::to_string(s.years()) + ", intervention=" +
                        (s.intervention ? "'" + s.intervention->name + "'" : std::string("None")) + ")";
             });
}

}  // namespace apmsim::python
