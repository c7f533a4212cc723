// The results JSON of a run, and replaying it (results_document.hpp).
#include "apmsim/results_document.hpp"

#include "apmsim/outputs/json.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/version.hpp"

#include <cstring>
#include <utility>
#include <vector>

namespace apmsim {

namespace {
/// The scenario as run (its settings replaced by `options`) and its JSON without the
/// thread count, which never changes a number: a results file is the same byte for byte
/// whatever the threads (a replay runs on the default, or --threads).
std::pair<Scenario, Json> resolved_scenario(const Scenario& scenario, const SimulationOptions& options) {
    Scenario resolved = scenario;
    resolved.settings = options;
    Json j = scenario_to_json(resolved);
    j["settings"].erase("threads");
    return {std::move(resolved), std::move(j)};
}

Json warnings_json(const Scenario& resolved, const Json& resolved_json) {
    Json warnings = Json::array();
    for (const ScenarioWarning& w : scenario_warnings(resolved, resolved_json)) warnings.push_back({{"where", w.where}, {"message", w.message}});
    return warnings;
}
}  // namespace

Json results_document(const Scenario& scenario, const SimulationOptions& options, const SimulationResults& simulation,
                      const PaymentResults& payments) {
    Json j = results_to_json(simulation, scenario.name);
    if (!payments.models.empty()) j["payment_models"] = payments_to_json(payments);
    if (const auto base = scenario.status_quo_model(); base && !payments.models.empty())
        j["status_quo"] = {{"model", *base}, {"net_change", net_changes_to_json(compare_models(payments, *base))}};
    j["results_format"] = results_format;
    j["apmsim_version"] = version;
    const auto [resolved, resolved_json] = resolved_scenario(scenario, options);
    j["resolved_scenario"] = resolved_json;
    j["warnings"] = warnings_json(resolved, resolved_json);
    return j;
}

Json results_warnings(const Scenario& scenario, const SimulationOptions& options) {
    const auto [resolved, resolved_json] = resolved_scenario(scenario, options);
    return warnings_json(resolved, resolved_json);
}

Scenario scenario_of_results(const Json& results, const std::string& file) {
    if (!results.is_object() || !results.contains("resolved_scenario"))
        throw InvalidInput(file + ": resolved_scenario", "a results file written by apmsim run --out or Results.save (it records the scenario it ran)",
                           results.is_object() ? "no resolved_scenario" : describe(results));
    try {
        return scenario_from_json(results.at("resolved_scenario"));
    } catch (const InvalidInput& e) {
        throw InvalidInput(file + ": resolved_scenario." + e.where(), e.expected(), e.actual());
    }
}

namespace {
std::string pointer_token(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

/// Numbers compare bit for bit (a replay must reproduce them exactly); 1 and 1.0 alike.
bool same_number(const Json& a, const Json& b) {
    if (a.is_number_float() || b.is_number_float()) {
        const double x = a.get<double>(), y = b.get<double>();
        return std::memcmp(&x, &y, sizeof x) == 0;
    }
    return a == b;
}

std::string first_difference(const Json& recorded, const Json& replayed, const std::string& pointer) {
    const std::string at = pointer.empty() ? "/" : pointer;
    if (recorded.is_number() && replayed.is_number())
        return same_number(recorded, replayed) ? "" : at + ": recorded " + recorded.dump() + ", replayed " + replayed.dump();
    if (recorded.type() != replayed.type()) return at + ": recorded " + describe(recorded) + ", replayed " + describe(replayed);
    if (recorded.is_object()) {
        for (auto it = recorded.begin(); it != recorded.end(); ++it) {
            const std::string next = pointer + "/" + pointer_token(it.key());
            if (!replayed.contains(it.key())) return next + ": recorded, missing from the replay";
            if (auto d = first_difference(it.value(), replayed.at(it.key()), next); !d.empty()) return d;
        }
        for (auto it = replayed.begin(); it != replayed.end(); ++it)
            if (!recorded.contains(it.key())) return pointer + "/" + pointer_token(it.key()) + ": in the replay, not recorded";
        return "";
    }
    if (recorded.is_array()) {
        if (recorded.size() != replayed.size())
            return at + ": recorded " + std::to_string(recorded.size()) + " entries, replayed " + std::to_string(replayed.size());
        for (std::size_t i = 0; i < recorded.size(); ++i)
            if (auto d = first_difference(recorded[i], replayed[i], pointer + "/" + std::to_string(i)); !d.empty()) return d;
        return "";
    }
    return recorded == replayed ? "" : at + ": recorded " + recorded.dump() + ", replayed " + replayed.dump();
}

}  // namespace

std::string replay_difference(const Json& recorded, const Json& replayed) {
    // What each format added at the top level; a file of an older format is compared without it.
    static const std::vector<std::pair<std::string, int>> added = {{"results_format", 2}, {"status_quo", 2}, {"member_slots", 3}, {"mode", 4}};
    if (!recorded.is_object() || !replayed.is_object()) return first_difference(recorded, replayed, "");
    const int format = recorded.contains("results_format") && recorded.at("results_format").is_number_integer()
                           ? recorded.at("results_format").get<int>()
                           : 1;
    Json as_recorded = replayed;
    // The version is not a result: another version that gives the same numbers replays identically
    // (the CLI notes the versions differ).
    if (recorded.contains("apmsim_version")) as_recorded["apmsim_version"] = recorded.at("apmsim_version");
    if (format < results_format) {
        if (format >= 2) as_recorded["results_format"] = format;
        if (format < 3 && as_recorded.contains("member_slots")) as_recorded["members"] = as_recorded["member_slots"];  // format 2 counted slots
        for (const auto& [key, since] : added)
            if (since > format && !recorded.contains(key)) as_recorded.erase(key);
    }
    return first_difference(recorded, as_recorded, "");
}

}  // namespace apmsim
