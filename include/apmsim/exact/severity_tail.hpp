#pragma once
/// \file severity_tail.hpp
/// \brief Upper-tail quantities of a severity computed without cancellation, for
/// discretising far into the tail: the survival function S(x) = P(X > x) and the
/// stop-loss transform pi(u) = E[(X - u)+] (Loss Models, appendix A and section 3.1):
///   lognormal: pi(u) = e^{mu + s^2/2} Phi(s - z) - u Phi(-z), z = (ln u - mu)/s;
///   gamma:     pi(u) = a theta Q(a + 1, u/theta) - u Q(a, u/theta);
///   Weibull:   pi(u) = theta G(1 + 1/k) Q(1 + 1/k, (u/theta)^k) - u e^{-(u/theta)^k};
///   Lomax:     pi(u) = theta/(a - 1) (theta/(u + theta))^{a - 1} (a > 1);
///   spliced above the threshold t: (1 - w) E[(Y - (u - t))+] with the GPD's
///              beta (1 + xi y/beta)^{1 - 1/xi} / (1 - xi); below it, E[X] - E[min(X, u)].
/// pi is +inf when E[X] is.

#include "apmsim/distributions/distribution.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <type_traits>

namespace apmsim {

/// P(X > x), from the upper tail where the type has it.
inline double severity_survival(const Severity& severity, double x) {
    if (!(x > 0.0)) return 1.0 - cdf(severity, x);
    return std::visit(
        [x](const auto& d) -> double {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Lognormal>) {
                return random::standard_normal_cdf(-(std::log(x) - d.mu()) / d.sigma());
            } else if constexpr (std::is_same_v<D, Gamma>) {
                return boost::math::gamma_q(d.shape(), x / d.scale());
            } else if constexpr (std::is_same_v<D, Weibull>) {
                return std::exp(-std::pow(x / d.scale(), d.shape()));
            } else if constexpr (std::is_same_v<D, Pareto>) {
                return std::exp(-d.shape() * std::log1p(x / d.scale()));
            } else {
                if (x <= d.threshold()) return 1.0 - d.cdf(x);
                const double y = x - d.threshold(), xi = d.tail_shape(), beta = d.tail_scale();
                const double log_s = xi > 0.0 ? -std::log1p(xi * y / beta) / xi : -y / beta;
                return (1.0 - d.body_weight()) * std::exp(log_s);
            }
        },
        severity);
}

/// E[(X - u)+] for u >= 0.
inline double severity_stop_loss(const Severity& severity, double u) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double m = mean(severity);
    if (!std::isfinite(m)) return inf;
    if (!(u > 0.0)) return m - u;
    return std::visit(
        [u, m](const auto& d) -> double {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Lognormal>) {
                const double z = (std::log(u) - d.mu()) / d.sigma();
                return m * random::standard_normal_cdf(d.sigma() - z) - u * random::standard_normal_cdf(-z);
            } else if constexpr (std::is_same_v<D, Gamma>) {
                const double t = u / d.scale();
                return m * boost::math::gamma_q(d.shape() + 1.0, t) - u * boost::math::gamma_q(d.shape(), t);
            } else if constexpr (std::is_same_v<D, Weibull>) {
                const double t = std::pow(u / d.scale(), d.shape());
                return m * boost::math::gamma_q(1.0 + 1.0 / d.shape(), t) - u * std::exp(-t);
            } else if constexpr (std::is_same_v<D, Pareto>) {
                return d.scale() / (d.shape() - 1.0) * std::exp(-(d.shape() - 1.0) * std::log1p(u / d.scale()));
            } else {
                if (u <= d.threshold()) return m - d.limited_expected_value(u);
                const double y = u - d.threshold(), xi = d.tail_shape(), beta = d.tail_scale();
                const double tail = xi > 0.0 ? beta / (1.0 - xi) * std::exp((1.0 - 1.0 / xi) * std::log1p(xi * y / beta))
                                             : beta * std::exp(-y / beta);
                return (1.0 - d.body_weight()) * tail;
            }
        },
        severity);
}

}  // namespace apmsim
