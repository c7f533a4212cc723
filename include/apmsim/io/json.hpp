#pragma once
/// \file json.hpp
/// \brief JSON for distributions, scenarios and results, and atomic file output.

#include "apmsim/contracts/payment_results.hpp"
#include "apmsim/core/json_reader.hpp"
#include "apmsim/distributions/distribution.hpp"
#include "apmsim/population/scenario.hpp"
#include "apmsim/simulation/options.hpp"
#include "apmsim/simulation/results.hpp"

#include <string>

namespace apmsim {

/// {"type": "negative_binomial", "mean": 1.6, "dispersion": 1.0}, or a type's mean/cv form.
Frequency frequency_from_json(const Json& j, const std::string& path);
/// {"type": "lognormal", "mu": 9, "sigma": 1.2} or {"type": "lognormal", "mean": 26000, "cv": 2.5}.
Severity severity_from_json(const Json& j, const std::string& path);
Json to_json(const Frequency& f);
Json to_json(const Severity& s);

/// Parses a scenario document (with its "settings"); errors name the JSON path.
Scenario scenario_from_json(const Json& j);
/// Reads a file; syntax errors name the file, line and column, others the file and JSON path.
Scenario load_scenario(const std::string& file);
/// The scenario as a JSON document: a generated population in its "generate" form,
/// any other as member columns. scenario_from_json(scenario_to_json(s)) reproduces s.
Json scenario_to_json(const Scenario& s);

SimulationOptions options_from_json(const Json& j, const std::string& path);
Json to_json(const SimulationOptions& o);

Json to_json(const stats::Summary& s);
/// One object per summary row: arm, year, measure, category, tier and the statistics.
Json summary_to_json(const std::vector<SummaryRow>& rows);

/// Summary rows plus, for each arm, total_cost per trial and year (and savings).
Json results_to_json(const SimulationResults& r, const std::string& scenario_name);

/// Payment model rows (model, arm, year, party, measure and the statistics).
Json payment_summary_to_json(const std::vector<PaymentSummaryRow>& rows);
/// Per model and year: P(shared savings paid), P(losses owed), false reward/penalty, ...
Json payment_indicators_to_json(const std::vector<PaymentIndicatorRow>& rows);
/// The calibration sample (trials, seed) and what contracts fixed from it: {"trials", "seed", "rows": [...]}.
Json calibration_to_json(const PaymentResults& p);
/// Summary, indicators and per-trial net results (trials x years) of every model and party.
Json payments_to_json(const PaymentResults& p);

/// Writes to `file` through a temporary file in the same folder and a rename, so a
/// failed or interrupted write never leaves a partial output behind.
void write_file_atomically(const std::string& file, const std::string& content);

}  // namespace apmsim
