#pragma once
/// \file rising_risk.hpp
/// \brief Rising risk (CARE Award lesson 10; shared/DOMAIN.md section 9): a program that
/// keeps children from moving into a costlier tier. Its terms are a relative change in
/// every probability of moving up, drawn once per trial; here, what "up" means and the
/// transition matrix a participant follows.
///
/// A tier is costlier than another when its expected allowed cost per member-year,
/// sum_c E[N_c] E[X_c] (full year, base-year dollars), is higher. With the trial's factor
/// f = max(0, 1 + change) scaled by the ramp-up of the program year the move is made in,
/// f_k = max(0, 1 + ramp_k (f - 1)), a participant moves from tier i to a costlier tier j
/// with probability f_k P(i, j); what the program prevents stays in tier i:
///   P'(i, i) = P(i, i) + (1 - f_k) U_i,   U_i = sum over costlier j of P(i, j).
/// An increase (f_k > 1) is capped where it would take more than the chance of staying
/// (P'(i, i) = 0 at the cap). Moves down and sideways are unchanged.

#include "apmsim/core/errors.hpp"
#include "apmsim/population/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace apmsim {

/// Relative change in every probability of moving to a costlier tier: Normal(mean, sd)
/// drawn once per trial, factor max(0, 1 + change). -0.2: a fifth of the rises prevented.
struct UpwardTransitionChange {
    double mean = 0.0;
    double sd = 0.0;

    void validate(const std::string& where) const {
        check::in_closed(where + ".mean", mean, -1.0, 10.0);
        check::in_closed(where + ".sd", sd, 0.0, 10.0);
        if (mean == 0.0 && sd == 0.0)
            throw InvalidInput(where, "a change in the chance of moving up (mean or sd not 0)", "mean 0 and sd 0: no effect");
    }
    bool operator==(const UpwardTransitionChange&) const = default;
};

/// [from * tiers + to]: 1 when tier `to` has a higher expected cost per member-year than `from`.
inline std::vector<std::uint8_t> costlier_tiers(const CostModel& model) {
    const std::size_t T = model.tier_count();
    std::vector<double> tier_mean(T, 0.0);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t c = 0; c < model.category_count(); ++c)
            tier_mean[t] += mean(model.cell(t, c).frequency) * mean(model.cell(t, c).severity);
    std::vector<std::uint8_t> out(T * T, 0);
    for (std::size_t i = 0; i < T; ++i)
        for (std::size_t j = 0; j < T; ++j) out[i * T + j] = tier_mean[j] > tier_mean[i] ? 1 : 0;
    return out;
}

/// The row-major transition matrix of a participant whose upward moves are scaled by `factor`.
inline std::vector<double> participant_transitions(const Eigen::MatrixXd& p, const std::vector<std::uint8_t>& costlier, double factor) {
    const auto T = static_cast<std::size_t>(p.rows());
    std::vector<double> out(T * T);
    for (std::size_t i = 0; i < T; ++i) {
        double up = 0.0;
        for (std::size_t j = 0; j < T; ++j) up += costlier[i * T + j] ? p(i, j) : 0.0;
        const double f = up > 0.0 ? std::min(factor, (p(i, i) + up) / up) : 1.0;
        for (std::size_t j = 0; j < T; ++j) out[i * T + j] = costlier[i * T + j] ? f * p(i, j) : p(i, j);
        out[i * T + i] = std::max(0.0, p(i, i) + (1.0 - f) * up);
    }
    return out;
}

/// Checks that a change of the upward moves can act: the cost model has tier transitions
/// and some tier the program enrols (`enrolled`, by index) can move to a costlier one.
inline void check_rising_risk_can_act(const CostModel& model, const std::vector<bool>& enrolled, const std::string& where) {
    if (model.tier_transition.size() == 0)
        throw InvalidInput(where, "cost_model.tier_transitions (members who change tier)", "fixed tiers: the change could have no effect");
    const std::vector<std::uint8_t> costlier = costlier_tiers(model);
    const std::size_t T = model.tier_count();
    for (std::size_t i = 0; i < T; ++i)
        for (std::size_t j = 0; j < T; ++j)
            if (enrolled[i] && costlier[i * T + j] && model.tier_transition(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > 0.0)
                return;
    throw InvalidInput(where, "an enrolled tier with a chance of moving to a costlier tier",
                       "no enrolled tier moves up: the change could have no effect");
}

}  // namespace apmsim
