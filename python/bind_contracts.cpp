// Payment models: component types (one registration per alternative of apmsim::Component,
// automatic), PaymentModel, and the settled PaymentResults.
#include "bindings.hpp"
#include "apmsim/outputs/results_state.hpp"
#include "value_type.hpp"

#include "apmsim/contracts/component.hpp"
#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/outputs/json.hpp"
#include "apmsim/outputs/payment_results.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

namespace apmsim::python {

namespace {

/// A component dict ({"type": ..., "years": [...], terms...}) -> ComponentInForce, with
/// errors located at `path`.
Json component_dict(const py::handle& o, const std::string& path) {
    if (py::hasattr(o, "to_dict")) return to_cpp_json(o.attr("to_dict")());
    if (py::isinstance<py::dict>(o)) return to_cpp_json(py::reinterpret_borrow<py::object>(o));
    throw InvalidInput(path, "a component (e.g. apmsim.FeeForService()) or a dict with a \"type\"",
                       py::str(py::type::of(o)).cast<std::string>());
}

PaymentModel make_model(const std::string& name, const py::iterable& components, const py::object& quality, const py::object& segment) {
    Json j{{"name", name}, {"components", Json::array()}};
    std::size_t i = 0;
    for (const auto& c : components) j["components"].push_back(component_dict(c, index_path("PaymentModel.components", i++)));
    if (!quality.is_none()) j["quality"] = to_cpp_json(quality);
    if (!segment.is_none()) j["segment"] = to_cpp_json(segment);
    return payment_model_from_json(j, "PaymentModel");
}

}  // namespace

void register_contracts(py::module_& m) {
    // The component types: their names and terms; the Python classes are built from this
    // list (python/apmsim/_contracts.py), and a dict of terms is checked here.
    m.def("component_types", [] {
        py::list out;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((out.append(py::make_tuple(std::variant_alternative_t<I, Component>::type_name,
                                        std::variant_alternative_t<I, Component>::class_name,
                                        std::variant_alternative_t<I, Component>::keys(),
                                        std::string(std::variant_alternative_t<I, Component>::example)))),
             ...);
        }(std::make_index_sequence<std::variant_size_v<Component>>{});
        return out;
    }, "(type name, Python class name, term names, an example in JSON) of every contract component type");
    m.def(
        "check_component",
        [](const py::dict& terms, const std::string& where) {
            const Json j = to_cpp_json(terms);
            JsonObject o(j, where);
            const std::string type = o.string("type");
            if (o.has("years")) json_numbers(o.at("years"), o.path("years"));
            ComponentInForce c{component_from_json(type, o), {}};
            Json back{{"type", type}};
            if (j.contains("years")) back["years"] = j["years"];
            std::visit([&](const auto& t) { t.to_json(back); }, c.terms);
            return to_python_json(back);
        },
        py::arg("terms"), py::arg("where"), "Validate a component dict; returns it with every default filled in");

    py::class_<PaymentModel> payment_model(m, "PaymentModel", "A named list of contract components settled together");
    add_json_value_behaviour<PaymentModel>(
        payment_model, [](const PaymentModel& p) { return to_json(p); }, [](const Json& j) { return payment_model_from_json(j, "PaymentModel"); });
    payment_model.def(py::init(&make_model), py::arg("name"), py::arg("components"), py::arg("quality") = py::none(),
              py::arg("segment") = py::none(),
              "components: component objects (apmsim.FeeForService(...), ...) or dicts with a \"type\"; "
              "quality: {\"fixed\": 0.9} or {\"measures\": [...]}; segment: the population segment it covers "
              "(population.segments; None: the whole population)")
        .def_readonly("name", &PaymentModel::name)
        .def_readonly("segment", &PaymentModel::segment, "The population segment it covers (\"\": the whole population)")
        .def_property_readonly(
            "components", [](const PaymentModel& p) { return frozen(to_python_json(to_json(p)["components"]), "PaymentModel.components"); },
            "The components as dicts of their terms (a read-only view)")
        .def("__repr__", [](const PaymentModel& p) {
            std::string types;
            for (const auto& c : p.components) types += (types.empty() ? "" : ", ") + std::string(component_type(c.terms));
            return "PaymentModel('" + p.name + "', [" + types + "])";
        });

    py::class_<PaymentResults> results(m, "PaymentResults", "Each payment model's settlement per party, arm, trial and year");
    add_value_behaviour<PaymentResults>(results, payments_state, payments_from_state);
    results
        .def_readonly("models", &PaymentResults::models)
        .def_readonly("arms", &PaymentResults::arms)
        .def_readonly("trials", &PaymentResults::trials)
        .def_readonly("years", &PaymentResults::years)
        .def_property_readonly_static("parties", [](py::object) { return std::vector<std::string>(party_names.begin(), party_names.end()); })
        .def_property_readonly("derived_parties", &PaymentResults::derived_parties,
                               "Rows derived from the payer's, beside the parties: payer_state and payer_federal with a "
                               "federal_match (state + federal = payer), else none; samples() and summary() take them like a party")
        .def_readonly("metrics", &PaymentResults::metric_names, "Every metric the settlement books (flows and the quality score)")
        .def(
            "samples",
            [](const PaymentResults& p, const std::string& model, const std::string& party, const std::string& measure,
               const std::optional<std::string>& arm) { return p.samples(model, party, measure, arm.value_or("")); },
            py::arg("model"), py::arg("party"), py::arg("measure") = "net", py::arg("arm") = py::none(),
            "(trials, years) revenue, payments, delivery_cost or net of a party (or of a derived row: payer_state, "
            "payer_federal); arm defaults to the program's")
        .def_property_readonly_static("comparisons", [](py::object) { return std::vector<std::string>(comparison_names.begin(), comparison_names.end()); })
        .def_property_readonly("comparing_components", [](const PaymentResults& p) {
            std::map<std::string, std::vector<std::string>> out;
            for (std::size_t i = 0; i < p.models.size(); ++i) out[p.models[i]] = p.comparing_components[i];
            return out;
        }, "model -> labels of its components that compare a benchmark with expenditure (type, or type@index)")
        .def_readonly("calibration_trials", &PaymentResults::calibration_trials)
        .def_readonly("calibration_seed", &PaymentResults::calibration_seed)
        .def(
            "metric",
            [](const PaymentResults& p, const std::string& model, const std::string& name, const std::optional<std::string>& arm,
               const std::optional<std::string>& component) { return p.metric(model, name, arm.value_or(""), component.value_or("")); },
            py::arg("model"), py::arg("name"), py::arg("arm") = py::none(), py::arg("component") = py::none(),
            "(trials, years) of a flow metric (see metrics; summed over components) or of a comparison (benchmark, "
            "expenditure, savings_rate) of one comparing component (see comparing_components; may be omitted when the "
            "model has one), NaN in years it is not in force")
        .def("summary", [](const PaymentResults& p) { return data_frame(payment_summary_to_json(p.summary()), {"model", "arm", "year", "party", "measure"}); },
             "pandas DataFrame, one row per model x arm x year (0 = all years) x party x measure (revenue, payments, "
             "delivery_cost, net) with the statistics: mean, sd, standard_error, min, p01-p99, max, expected_shortfall_95/99 "
             "(the mean of the worst 5% / 1%: the lower tail for net and revenue, the upper for payments and costs), p_negative")
        .def("metric_summary", [](const PaymentResults& p) { return data_frame(metric_summary_to_json(p.metric_summary()), {"model", "arm", "year", "component", "metric"}); },
             "pandas DataFrame, one row per model x arm x year x metric: each flow and the quality score a model books "
             "(component \"\"), and each comparing component's benchmark, expenditure and savings_rate (component = its label), "
             "with the same statistics as summary()")
        .def("indicators", [](const PaymentResults& p) { return data_frame(payment_indicators_to_json(p.indicators()), {"model", "year"}); },
             "pandas DataFrame per model and year: p_savings_paid, p_losses_owed (by any component that pays for savings or "
             "charges for losses), mean amounts, stop-loss recoveries and premium, p_false_reward, p_false_penalty, "
             "p_missed_reward, p_penalty_despite_savings")
        .def("calibration", [](const PaymentResults& p) {
            return data_frame(calibration_to_json(p)["rows"], {"model", "component", "year", "quantity"}, {"model", "component", "year", "quantity", "value"});
        }, "pandas DataFrame of what the contracts fixed before the year from the calibration sample (its own seed and "
           "calibration_trials trials of the base case): expected recoveries and cost with standard errors, truncation points")
        .def("compare",
             [](const PaymentResults& p, const std::string& baseline_model, const std::optional<std::string>& arm) {
                 return data_frame(model_comparison_to_json(compare_models(p, baseline_model, arm.value_or(p.program_arm()))),
                                   {"model", "arm", "year", "party", "measure"});
             },
             py::arg("baseline_model") = "fee_for_service", py::arg("arm") = py::none(), compare_doc)
        .def("to_dict", [](const PaymentResults& p) { return to_python_json(payments_to_json(p)); },
             "The payment_models part of the results file, as a dict")
        .def("__repr__", [](const PaymentResults& p) {
            return "PaymentResults(models=" + std::to_string(p.models.size()) + ", trials=" + std::to_string(p.trials) +
                   ", years=" + std::to_string(p.years) + ")";
        });
}

}  // namespace apmsim::python
