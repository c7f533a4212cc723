#pragma once
/// \file variance_decomposition.hpp
/// \brief Where each result's noise comes from (stats/variance_decomposition.hpp): a nested
/// run of `outer` parameter draws (trend, effects, uptake, quality) x `inner` trials on
/// each, and per measure, party and year the share of its variance the parameters cause.
/// A large parameter share says better data (or a contract that shares the trend) would
/// help; a large process share, a larger pool.

#include "apmsim/run.hpp"
#include "apmsim/stats/variance_decomposition.hpp"

#include <string>
#include <vector>

namespace apmsim {

struct VarianceDecompositionRow {
    std::string model, arm;  ///< model "" for simulated costs; arm "" for savings (both arms)
    int year = 0;            ///< 1-based; 0 = all years together (party results)
    std::string party;       ///< "" for simulated costs
    std::string measure;     ///< total_cost, savings, or net (a party's)
    stats::VarianceShares shares;
};

/// Runs `scenario` on outer x inner trials, the trial-level draws shared by blocks of
/// `inner` (SimulationOptions::parameter_block), and decomposes the variance of: each
/// arm's total_cost by year, savings by year (with an intervention), and each party's net
/// under each payment model (program arm) by year and over all years. The scenario's seed
/// and calibration trials are used.
std::vector<VarianceDecompositionRow> variance_decomposition(const Scenario& scenario, std::uint64_t outer, std::uint64_t inner,
                                                             const RunControl& control = {});

}  // namespace apmsim
