#pragma once
/// \file frailty_posterior.hpp
/// \brief A member's frailty given the events seen over part of a year: what projects the
/// rest of that year (monitor.hpp) conditionally on the months observed.
///
/// The cost model's counts (population/cost_model.hpp, as the engine draws them): frailty
/// F ~ Gamma(shape k = 1 / cv^2, rate k), shared by a member-year's categories; in
/// category c, N_c | F ~ NegativeBinomial(mean lambda_c F, size r_c), which is
/// Poisson(lambda_c F G_c) with G_c ~ Gamma(r_c, rate r_c) (a Poisson cell: G_c = 1), where
/// lambda_c is the count expected over the part of the year seen (cell mean x relative risk
/// x exposure x completeness). Given the counts n_c seen (Bayes):
///   p(F | n) is proportional to F^(k-1) e^(-kF) prod_c NB(n_c; lambda_c F, r_c),
///   G_c | F, n ~ Gamma(shape r_c + n_c, rate r_c + lambda_c F)            (conjugate),
/// and the rest of the year's count is Poisson(lambda'_c F G_c). The density of x = log F
/// is log-concave; it is tabulated around its mode (Newton) out to where it has fallen by
/// e^-36, on 2048 points, and drawn by inverting its cumulative (linear within a cell).
/// With Poisson cells only, p(F | n) is Gamma(k + sum n, k + sum lambda): the tests' check.

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace apmsim::claims {

/// What was seen of one category: the count expected without frailty and the count observed.
struct CountSeen {
    double expected = 0.0;  ///< lambda_c >= 0
    std::uint32_t count = 0;
    double size = std::numeric_limits<double>::infinity();  ///< NB size r_c; infinity: Poisson
};

class FrailtyPosterior {
public:
    /// The posterior of a frailty with coefficient of variation `frailty_cv` (0: none, F = 1).
    /// InvalidInput for a negative cv, expected count or size, or a count with nothing expected.
    FrailtyPosterior(double frailty_cv, std::span<const CountSeen> seen);

    /// F by inverting the posterior's cumulative at u in (0, 1).
    double draw(double u) const;
    /// E[F | n], integrated on the grid.
    double mean() const { return mean_; }

private:
    double log_density(double x) const;
    double slope(double x) const;
    double curvature(double x) const;
    double find_mode() const;

    double shape_ = 0.0;  ///< k; 0: no frailty
    std::vector<CountSeen> seen_;
    std::vector<double> x_, cdf_;
    double mean_ = 1.0;
};

}  // namespace apmsim::claims
