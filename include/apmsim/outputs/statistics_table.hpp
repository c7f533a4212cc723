#pragma once
/// \file statistics_table.hpp
/// \brief Every statistic of a run in one tidy (long) table: one row per model x arm x
/// year x party (or component, category, tier) x measure x statistic. It is what a sweep
/// stores per variant and what `apmsim run --summary-csv` writes; the per-trial samples
/// of the headline measures have their own long table (`--samples`).
///
/// Rows, in this order:
///   simulated costs (model ""): the measures of summary_rows(), by category and tier;
///   party measures (party set): revenue, payments, delivery_cost, net, year 0 = all years;
///   contract metrics (measure = the metric, component set for comparisons);
///   indicators (measure "indicator", statistic = its name: p_savings_paid, ...; NaN
///   when it does not apply, e.g. a false reward without a component that pays for savings).

#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/simulation/results.hpp"
#include "apmsim/stats/summary.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace apmsim {

struct StatisticRow {
    std::string model;   ///< payment model; "" for simulated costs
    std::string arm;     ///< baseline or intervention
    int year = 0;        ///< 1-based; 0 = all years together (party measures)
    std::string party;   ///< for party measures; else ""
    std::string component;       ///< comparing component of a comparison metric; else ""
    std::string category, tier;  ///< simulated costs of one category or tier; "" = all
    std::string measure;         ///< total_cost, ..., net, a metric name, or "indicator"
    std::string statistic;       ///< count, mean, sd, ..., p_negative, or an indicator's name
    double value = 0;
};

/// The numeric statistics of a summary, by name, in the order of the results files.
std::vector<std::pair<std::string_view, double>> statistic_values(const stats::Summary& s);

/// The whole table for a run (pass empty payment results when there are no models).
std::vector<StatisticRow> statistics_table(const SimulationResults& simulation, const PaymentResults& payments);
/// Its two parts: the simulated costs' rows, and the payment models' rows appended to `rows`.
std::vector<StatisticRow> simulation_statistics(const SimulationResults& simulation);
void append_payment_statistics(std::vector<StatisticRow>& rows, const PaymentResults& payments);

/// The tail that hurts for a measure: the lower one for results where higher is better
/// (savings, net_savings, a party's net, revenue, savings_rate), else the upper one.
stats::Tail adverse_tail_of(std::string_view measure);

/// The per-trial values that a row of the table summarises (the row's statistic
/// labels ignored), or nothing for rows that summarise no one sample per trial
/// (contract metrics, indicators).
std::vector<double> trials_behind(const SimulationResults& simulation, const PaymentResults& payments, const StatisticRow& row);

/// One value of one trial: the per-trial long table of the headline measures.
struct SampleRow {
    std::uint64_t trial = 0;  ///< 0-based, as the random streams count them
    int year = 0;             ///< 1-based
    std::string arm, measure, model, party;
    double value = 0;
};

/// Per trial and year: total_cost, cost_pmpm, program_cost and net_cost of each arm,
/// savings and net_savings (with an intervention), and every taking-part party's
/// revenue, payments, delivery_cost and net under each payment model, both arms.
std::vector<SampleRow> samples_table(const SimulationResults& simulation, const PaymentResults& payments);

/// The tables as CSV text (RFC 4180 quoting; numbers in shortest round-trip form, NaN empty).
std::string statistics_csv(const std::vector<StatisticRow>& rows);
std::string samples_csv(const std::vector<SampleRow>& rows);

}  // namespace apmsim
