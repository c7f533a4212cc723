// Checking a scenario document without running it (validation.hpp).
#include "apmsim/validation.hpp"

#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"

namespace apmsim {

ValidationReport validate_scenario_document(const Json& doc) {
    ValidationReport report;
    report.errors = scenario_problems(doc);
    if (!report.errors.empty()) return report;
    try {
        Scenario s = scenario_from_json(doc);
        check_scenario(s);
        report.warnings = scenario_warnings(s, doc);
        report.scenario = std::move(s);
    } catch (const InvalidInput& e) {
        report.errors.push_back(e);
    }
    return report;
}

}  // namespace apmsim
