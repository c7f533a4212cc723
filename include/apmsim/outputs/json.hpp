#pragma once
/// \file json.hpp
/// \brief The results files: simulation and payment results as JSON.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/outputs/model_comparison.hpp"
#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/outputs/simulation_summary.hpp"
#include "apmsim/simulation/results.hpp"

#include <string>
#include <vector>

namespace apmsim {

Json to_json(const stats::Summary& s);
/// One object per summary row: arm, year, measure, category, tier and the statistics.
Json summary_to_json(const std::vector<SummaryRow>& rows);

/// Summary rows plus, for each arm, total_cost per trial and year (and savings).
Json results_to_json(const SimulationResults& r, const std::string& scenario_name);

/// Party rows (model, arm, year, party, measure and the statistics).
Json payment_summary_to_json(const std::vector<PaymentSummaryRow>& rows);
/// Rows of compare_models(): model, arm, year, party, measure, the difference's statistics, standard_error_independent.
Json model_comparison_to_json(const std::vector<ModelComparisonRow>& rows);
/// The rows of measure net only, without the measure column (the results JSON's status_quo).
Json net_changes_to_json(const std::vector<ModelComparisonRow>& rows);
/// Metric rows (model, arm, year, component, metric and the statistics).
Json metric_summary_to_json(const std::vector<MetricSummaryRow>& rows);
/// Per model and year: P(shared savings paid), P(losses owed), false reward/penalty, ...
Json payment_indicators_to_json(const std::vector<PaymentIndicatorRow>& rows);
/// The calibration sample (trials, seed) and what contracts fixed from it: {"trials", "seed", "rows": [...]}.
Json calibration_to_json(const PaymentResults& p);
/// Summaries, indicators, calibration and per-trial net results (trials x years) of every model and party.
Json payments_to_json(const PaymentResults& p);

}  // namespace apmsim
