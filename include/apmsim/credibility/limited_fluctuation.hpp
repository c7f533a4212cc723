#pragma once
/// \file limited_fluctuation.hpp
/// \brief Limited-fluctuation ("classical") credibility: full-credibility standards and
/// the square-root rule for partial credibility.
///
/// Sources: shared/DOMAIN.md section 6 and ASOP 25; Klugman, Panjer & Willmot, Loss
/// Models, chapter on limited fluctuation credibility. The experience is fully credible
/// when it lies within +-k of its mean with probability p, so z = Phi^-1((1 + p) / 2):
///   claim counts (Poisson):      n_F = (z / k)^2              (1,082 for p = 90%, k = 5%)
///   aggregate cost, in claims:   n_F (sigma_N^2 / mu_N + cv_severity^2)   (Poisson: 1 + cv^2)
///   aggregate cost, in exposure: (z / k)^2 cv^2 units of exposure whose cost has CV cv
///   partial credibility:         Z = min(1, sqrt(n / n_F)),   Z x experience + (1 - Z) x manual.

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/core/errors.hpp"

#include <algorithm>
#include <cmath>

namespace apmsim {

namespace detail {
inline double full_credibility_ratio(double probability, double tolerance) {
    check::in_open("probability", probability, 0.0, 1.0);
    check::in_open("tolerance", tolerance, 0.0, 1.0);
    const double r = confidence_z(probability, Sides::two, "probability") / tolerance;
    return r * r;
}
}  // namespace detail

/// Expected number of claims for full credibility of the claim frequency: (z / k)^2.
inline double full_credibility_claims(double probability = 0.90, double tolerance = 0.05) {
    return detail::full_credibility_ratio(probability, tolerance);
}

/// Expected number of claims for full credibility of aggregate (pure-premium) cost:
/// (z / k)^2 (variance-to-mean ratio of the claim count + cv_severity^2). The ratio is 1
/// for Poisson counts, which gives the familiar (z / k)^2 (1 + cv^2).
inline double full_credibility_aggregate(double severity_cv, double probability = 0.90, double tolerance = 0.05,
                                         double frequency_variance_to_mean = 1.0) {
    check::non_negative("severity_cv", severity_cv);
    check::positive("frequency_variance_to_mean", frequency_variance_to_mean);
    return detail::full_credibility_ratio(probability, tolerance) *
           (frequency_variance_to_mean + severity_cv * severity_cv);
}

/// Units of exposure (e.g. member-years) for full credibility of the mean cost per unit,
/// when the cost of one unit has coefficient of variation cv: (z / k)^2 cv^2.
inline double full_credibility_exposure(double cost_cv, double probability = 0.90, double tolerance = 0.05) {
    check::positive("cost_cv", cost_cv);
    return detail::full_credibility_ratio(probability, tolerance) * cost_cv * cost_cv;
}

/// The square-root rule: Z = min(1, sqrt(n / n_full)); n and n_full in the same units.
inline double partial_credibility(double n, double n_full) {
    check::non_negative("n", n);
    check::positive("n_full", n_full);
    return std::min(1.0, std::sqrt(n / n_full));
}

/// The credibility-weighted estimate Z x experience + (1 - Z) x manual.
inline double credibility_weighted(double credibility, double experience, double manual) {
    check::probability("credibility", credibility);
    check::finite("experience", experience);
    check::finite("manual", manual);
    return credibility * experience + (1.0 - credibility) * manual;
}

}  // namespace apmsim
