#pragma once
/// \file analytic_moments.hpp
/// \brief Closed-form moments of a member-year's cost: the independent answer the
/// simulation is checked against (shared/DOMAIN.md section 2 "Resulting targets").
///
/// With frailty F (mean 1, variance v = cv^2) multiplying every category's expected
/// count m_c, and N_c | F negative binomial (mean m_c F, dispersion r_c) or Poisson:
///   E[N_c] = m_c,  Var[N_c] = m_c + m_c^2 (v + (1 + v) / r_c),
///   Var[S_c] = E[N_c] Var[X_c] + Var[N_c] E[X_c]^2,
///   Cov(S_c, S_d) = E[X_c] E[X_d] m_c m_d v   (c != d, through the shared frailty).
/// Full year of exposure, base-year dollars, no intervention, no copula.

#include "apmsim/population/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace apmsim {

struct MemberYearMoments {
    double mean = 0.0;
    double variance = 0.0;
    std::vector<double> category_mean;
    std::vector<double> category_variance;
    double cv() const { return std::sqrt(variance) / mean; }
};

/// The moments of a member-year's cost of the categories `counted` (empty: every category).
inline MemberYearMoments member_year_moments(const CostModel& model, std::size_t tier, const std::vector<bool>& counted = {}) {
    if (model.copula_correlation.size() != 0)
        throw InvalidInput("cost_model.copula", "no copula (closed-form moments assume independent categories given frailty)",
                           "a copula");
    const double v = model.frailty_cv * model.frailty_cv;
    const std::size_t nc = model.category_count();
    MemberYearMoments out;
    out.category_mean.resize(nc);
    out.category_variance.resize(nc);
    std::vector<double> count_times_severity(nc);
    for (std::size_t c = 0; c < nc; ++c) {
        if (!counted.empty() && !counted[c]) continue;
        const auto& cell = model.cell(tier, c);
        double m = 0.0, inv_r = 0.0;
        if (const auto* nb = std::get_if<NegativeBinomial>(&cell.frequency)) {
            m = nb->mean();
            inv_r = 1.0 / nb->dispersion();
        } else if (const auto* p = std::get_if<Poisson>(&cell.frequency)) {
            m = p->mean();
        } else {
            throw InvalidInput("cost_model.cells." + model.categories[c] + "." + model.tiers[tier] + ".frequency",
                               "poisson or negative_binomial for closed-form moments", type_name(cell.frequency));
        }
        const double mu = mean(cell.severity);
        const double var_n = m + m * m * (v + (1.0 + v) * inv_r);
        out.category_mean[c] = m * mu;
        out.category_variance[c] = m * variance(cell.severity) + var_n * mu * mu;
        count_times_severity[c] = m * mu;
        out.mean += out.category_mean[c];
        out.variance += out.category_variance[c];
    }
    double total = 0.0, squares = 0.0;
    for (double x : count_times_severity) {
        total += x;
        squares += x * x;
    }
    out.variance += v * (total * total - squares);
    return out;
}

}  // namespace apmsim

namespace apmsim {

/// Each tier's expected cost per member-year, sum_c E[N_c] E[X_c], relative to the
/// mix-weighted mean: the natural risk score of a tier. Needs finite means.
inline std::vector<double> relative_tier_costs(const CostModel& model, const std::vector<double>& mix) {
    std::vector<double> tier_mean(model.tier_count(), 0.0);
    double overall = 0.0;
    for (std::size_t t = 0; t < tier_mean.size(); ++t) {
        for (std::size_t c = 0; c < model.category_count(); ++c) {
            const double m = mean(model.cell(t, c).frequency) * mean(model.cell(t, c).severity);
            if (!std::isfinite(m))
                throw InvalidInput("cost_model.cells." + model.categories[c] + "." + model.tiers[t] + ".severity",
                                   "a finite mean (risk scores are relative expected costs)", show(m));
            tier_mean[t] += m;
        }
        overall += (t < mix.size() ? mix[t] : 0.0) * tier_mean[t];
    }
    if (!(overall > 0.0)) throw InvalidInput("population.generate.tier_mix", "a mix with positive expected cost", show(overall));
    for (auto& m : tier_mean) m /= overall;
    return tier_mean;
}

}  // namespace apmsim
