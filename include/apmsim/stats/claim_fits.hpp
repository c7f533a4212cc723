#pragma once
/// \file claim_fits.hpp
/// \brief Maximum-likelihood fits of a cost model cell from claims experience: event counts
/// with exposure (Poisson or negative binomial, with a test of overdispersion) and
/// severities (lognormal or gamma), each with standard errors, giving the Frequency and
/// Severity a scenario's cell takes.
///
/// Counts: member i with exposure e_i (years) has N_i ~ NB(mean lambda e_i, dispersion r),
/// the way the engine scales a cell's frequency (Frequency::draw_scaled), Poisson as r -> inf.
/// For fixed r the score for lambda is sum (n_i - lambda e_i) / (r + lambda e_i) = 0, solved by
/// bisection; the profile likelihood is maximised over log r by Brent's method. Overdispersion:
/// LR = 2 (l_NB - l_Poisson), whose null distribution on the boundary r = inf is half chi^2_0
/// and half chi^2_1 (Self & Liang 1987), so p = P(chi^2_1 > LR) / 2. The standard errors are
/// those of the observed information of (log lambda, log r), by central differences.
/// Severities: lognormal MLE mu = mean log x, sigma^2 = mean (log x - mu)^2, se(mu) = sigma /
/// sqrt n, se(sigma) = sigma / sqrt(2 n); gamma MLE shape a solving log a - digamma(a) =
/// log mean x - mean log x (Newton from Minka's start), se(a) = sqrt(a / (n (a trigamma(a) - 1))).
/// The family with the larger log-likelihood is `selected` (both have two parameters).
/// Tails: the excesses y = x - u of the amounts above a threshold u fitted by a generalized
/// Pareto distribution, P(Y > y) = (1 + xi y / beta)^(-1/xi), xi >= 0 (what the spliced
/// lognormal-Pareto severity takes), by maximum likelihood on the profile in
/// theta = xi / beta: xi(theta) = mean log(1 + theta y), l(theta) = -n log(xi / theta) -
/// n (1 + xi), maximised by Brent's method on log theta; theta -> 0 is the exponential
/// (xi = 0, beta = mean y), taken when no theta does better. Standard errors from the
/// observed information of (xi, log beta), by central differences.

#include "apmsim/core/errors.hpp"
#include "apmsim/distributions/distribution.hpp"

#include <span>
#include <string>

namespace apmsim::stats {

struct FrequencyFit {
    double rate = 0.0, rate_se = 0.0;  ///< lambda: events per unit of exposure, of the selected family
    double dispersion = 0.0, dispersion_se = 0.0;  ///< r of the negative binomial's fit (infinity: no overdispersion found)
    double poisson_log_likelihood = 0.0, negative_binomial_log_likelihood = 0.0;
    double overdispersion_statistic = 0.0, overdispersion_p_value = 1.0;  ///< LR and its boundary-corrected p-value
    std::string selected;  ///< "negative_binomial" when p < 0.05, else "poisson"
    double exposure = 0.0, events = 0.0;
    std::size_t members = 0;
    /// The selected frequency per unit of exposure (a year of exposure: a cell's frequency).
    Frequency frequency() const;
};

struct SeverityFit {
    double lognormal_mu = 0.0, lognormal_mu_se = 0.0, lognormal_sigma = 0.0, lognormal_sigma_se = 0.0;
    double gamma_shape = 0.0, gamma_shape_se = 0.0, gamma_scale = 0.0;
    double lognormal_log_likelihood = 0.0, gamma_log_likelihood = 0.0;
    std::string selected;  ///< "lognormal" or "gamma": the larger likelihood
    double mean = 0.0;     ///< the sample mean
    std::size_t claims = 0;
    Severity severity() const;
};

struct ParetoTailFit {
    double threshold = 0.0;  ///< u
    double shape = 0.0, shape_se = 0.0;  ///< xi >= 0
    double scale = 0.0, scale_se = 0.0;  ///< beta
    std::size_t exceedances = 0;
    double share_below = 0.0;  ///< of all the amounts, the share at or below u (the body's weight)
    double log_likelihood = 0.0;
};

/// Fits counts `events` with exposures `exposure` (the same length; exposure > 0, counts
/// whole and >= 0). InvalidInput names the argument and index of a bad value.
FrequencyFit fit_frequency(std::span<const double> events, std::span<const double> exposure);

/// Fits positive amounts (at least 2, not all equal).
SeverityFit fit_severity(std::span<const double> amounts);
/// Fits the generalized Pareto tail of `amounts` above `threshold` (file comment).
/// InvalidInput for fewer than 10 amounts above it, or amounts that are not positive.
ParetoTailFit fit_pareto_tail(std::span<const double> amounts, double threshold);

}  // namespace apmsim::stats
