#pragma once
/// \file risk_design.hpp
/// \brief Design matrices for risk adjustment from member-level factors (tier, age band,
/// sex, markers), and fitting from a Population plus member costs.
///
/// Encoding: with a tier column, one indicator per tier (no intercept), so a tier's
/// coefficient is its relative weight for the reference age band and sex; without
/// tiers, an "intercept" column. Age band and sex get one indicator per level except the
/// reference level (the first in sorted order); markers enter as given (typically 0/1).
/// Levels are sorted, so the design does not depend on row order. Column names are
/// "tier=A", "age_band=5-9", "sex=M" and the marker names.

#include "apmsim/credibility/risk_adjustment.hpp"
#include "apmsim/population/population.hpp"
#include "apmsim/simulation/results.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace apmsim {

/// Member-level risk factors; an empty column is not used.
struct RiskFactors {
    std::vector<std::string> tier;
    std::vector<std::string> age_band;
    std::vector<std::string> sex;
    std::vector<std::string> marker_names;
    std::vector<std::vector<double>> markers;  ///< one column per marker name, one value per member
};

/// A design matrix with its column names and the predictive-ratio groups (the tiers,
/// or one group "all").
struct RiskDesign {
    Eigen::MatrixXd matrix;
    std::vector<std::string> names;
    std::vector<int> groups;
    std::vector<std::string> group_names;
};

namespace detail {
inline std::vector<std::string> sorted_levels(const std::vector<std::string>& column) {
    std::vector<std::string> levels(column);
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    return levels;
}
inline int level_index(const std::vector<std::string>& levels, const std::string& v) {
    return static_cast<int>(std::lower_bound(levels.begin(), levels.end(), v) - levels.begin());
}
}  // namespace detail

/// Builds the design for `members` members from the factors (see the file comment).
RiskDesign risk_design(const RiskFactors& f, std::size_t members);

/// Fits relative risk weights from member-level factors, costs and member-months;
/// predictive ratios are by tier.
RiskWeightFit fit_risk_weights(const RiskFactors& factors, const std::vector<double>& cost,
                                      const std::vector<double>& exposure);

/// Which Population columns enter the model.
struct PopulationRiskFactors {
    bool tier = true;
    bool age_band = true;
    bool sex = true;
    std::vector<std::string> marker_names;
    std::vector<std::vector<double>> markers;
};

/// Fits from a Population and each member's cost in `year` (0-based; exposure = the
/// population's months in that year). `tier_names` labels the tier indices (the cost
/// model's tiers). member_costs can come from member_costs_of(results, ...).
RiskWeightFit fit_risk_weights(const Population& population, const std::vector<std::string>& tier_names,
                                      const std::vector<double>& member_costs, int year = 0,
                                      const PopulationRiskFactors& use = {});

/// One trial-year of member costs from results simulated with member_detail
/// (layout [arm][trial][year][member]).
std::vector<double> member_costs_of(const SimulationResults& r, const std::string& arm = "baseline",
                                           std::uint64_t trial = 0, int year = 0);

}  // namespace apmsim
