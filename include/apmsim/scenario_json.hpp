#pragma once
/// \file scenario_json.hpp
/// \brief Scenario documents: read from JSON (errors name the file, line and JSON path)
/// and written back.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/scenario.hpp"

#include <string>
#include <vector>

namespace apmsim {

/// The keys of a scenario document (the first name of every JSON path in it).
inline const std::vector<std::string>& scenario_keys() {
    static const std::vector<std::string> keys = {"name", "years", "tiers", "categories", "population", "cost_model",
                                                  "intervention", "settings", "delivery", "payment_models",
                                                  "federal_match", "status_quo"};
    return keys;
}

/// Parses a scenario document (with its "settings"); errors name the JSON path.
Scenario scenario_from_json(const Json& j);
/// Every problem of a scenario document at once, each with its JSON path (none: it loads):
/// unknown top-level keys, the settings, the delivery basis, the intervention and each
/// component of each payment model and every member of a member list checked on their
/// own; then the first problem of the rest (a generated population, the cost model's
/// names, the checks across sections).
std::vector<InvalidInput> scenario_problems(const Json& j);
/// Reads a file; syntax errors name the file, line and column, others the file and JSON path.
/// Its "cost_model" may be a path (relative to the scenario's folder) to a cost model
/// document (cost_model_document) with the scenario's tiers and categories.
Scenario load_scenario(const std::string& file);

/// The scenario format's "cost_model" object of `m`.
Json cost_model_to_json(const CostModel& m);
/// A cost model on its own: the "cost_model" object plus its "tiers" and "categories"
/// (what `apmsim calibrate` writes and a scenario's "cost_model" may name by path).
Json cost_model_document(const CostModel& m);
CostModel cost_model_document_from_json(const Json& j, const std::string& path = "");
CostModel load_cost_model(const std::string& file);
/// A cost model document as the "cost_model" part of `scenario` (a scenario document): its
/// tiers and categories checked against the scenario's (errors name `where` + the key),
/// then dropped. What a scenario naming a cost model file, and Scenario.cost_model = a
/// calibration's document in Python, both do.
Json cost_model_part(const Json& scenario, Json document, const std::string& where);
/// The scenario as a JSON document: a generated population in its "generate" form,
/// any other as member columns. scenario_from_json(scenario_to_json(s)) reproduces s.
Json scenario_to_json(const Scenario& s);

SimulationOptions options_from_json(const Json& j, const std::string& path);
Json to_json(const SimulationOptions& o);

}  // namespace apmsim
