#pragma once
/// \file simulation_summary.hpp
/// \brief The summary table of simulated costs: one row per arm x year x measure (and per
/// category and tier), with the statistics of stats::Summary.

#include "apmsim/simulation/results.hpp"
#include "apmsim/stats/summary.hpp"

#include <string>
#include <vector>

namespace apmsim {

struct SummaryRow {
    std::string arm;
    int year = 0;  ///< 1-based
    std::string measure;
    std::string category;  ///< "" = all
    std::string tier;      ///< "" = all
    stats::Summary stats;
};

/// One row per arm x year x measure: total_cost, cost_pmpm, program_cost, net_cost,
/// the cost of each category and tier, and (with an intervention) savings and net_savings.
/// Savings have their risk in the lower tail, costs in the upper.
std::vector<SummaryRow> summary_rows(const SimulationResults& r);

}  // namespace apmsim
