#pragma once
/// \file compound_moments.hpp
/// \brief Closed-form moments of a compound sum S = X_1 + ... + X_N: raw moments of the
/// severities, cumulants of the counts and of S, used as the analytic answer every
/// computed aggregate distribution is checked against.
///
/// Cumulants of a compound (the cumulant generating function of S is K_N(K_X(t)),
/// differentiated three times; Loss Models, section 9.3):
///   k1(S) = k1(N) m1,   k2(S) = k1(N) k2(X) + k2(N) m1^2,
///   k3(S) = k1(N) k3(X) + 3 k2(N) m1 k2(X) + k3(N) m1^3,
/// where m1 = E[X] and k_i(X) are the severity's cumulants. Independent sums add cumulants.

#include "apmsim/distributions/distribution.hpp"

#include <array>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <type_traits>

namespace apmsim {

/// The first three cumulants: mean, variance and third central moment.
struct Cumulants {
    double k1 = 0.0, k2 = 0.0, k3 = 0.0;

    double mean() const { return k1; }
    double variance() const { return k2; }
    /// k3 / k2^(3/2); 0 for a degenerate variable, infinite when k3 is.
    double skewness() const {
        if (!(k2 > 0.0)) return 0.0;
        if (!std::isfinite(k3) || !std::isfinite(k2)) return std::isfinite(k2) ? k3 : std::numeric_limits<double>::quiet_NaN();
        return k3 / (k2 * std::sqrt(k2));
    }
    Cumulants& operator+=(const Cumulants& o) {
        k1 += o.k1;
        k2 += o.k2;
        k3 += o.k3;
        return *this;
    }
    /// Cumulants of the sum of `n` independent copies.
    Cumulants times(double n) const { return {n * k1, n * k2, n * k3}; }
};

/// Cumulants from raw moments m1, m2, m3 (infinite moments propagate as +inf).
inline Cumulants cumulants_from_raw(double m1, double m2, double m3) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    Cumulants c;
    c.k1 = m1;
    if (!std::isfinite(m1)) return {inf, inf, inf};
    c.k2 = std::isfinite(m2) ? m2 - m1 * m1 : inf;
    c.k3 = (std::isfinite(m2) && std::isfinite(m3)) ? m3 - 3.0 * m1 * m2 + 2.0 * m1 * m1 * m1 : inf;
    return c;
}

/// E[X^k] for k = 1, 2, 3 (+inf where the moment does not exist). Formulas: Loss Models,
/// appendix A (lognormal e^{k mu + k^2 sigma^2 / 2}; gamma theta^k Gamma(a+k)/Gamma(a);
/// Weibull theta^k Gamma(1 + k/tau); Lomax theta^k k! / prod_{i=1..k}(alpha - i)); the
/// spliced severity mixes the truncated lognormal body with threshold + GPD tail,
/// E[Y^k] of the GPD being beta^k k! / prod_{i=1..k}(1 - i xi).
inline double raw_moment(const Severity& severity, int k) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (k < 1 || k > 3) throw InvalidInput("k", "1, 2 or 3", std::to_string(k));
    const double kk = k;
    return std::visit(
        [&](const auto& d) -> double {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Lognormal>) {
                return std::exp(kk * d.mu() + 0.5 * kk * kk * d.sigma() * d.sigma());
            } else if constexpr (std::is_same_v<D, Gamma>) {
                double m = 1.0;
                for (int i = 0; i < k; ++i) m *= (d.shape() + i) * d.scale();
                return m;
            } else if constexpr (std::is_same_v<D, Weibull>) {
                return std::pow(d.scale(), kk) * boost::math::tgamma(1.0 + kk / d.shape());
            } else if constexpr (std::is_same_v<D, Pareto>) {
                if (!(d.shape() > kk)) return inf;
                double m = 1.0;
                for (int i = 1; i <= k; ++i) m *= i * d.scale() / (d.shape() - i);
                return m;
            } else {  // SplicedLognormalPareto
                const double xi = d.tail_shape(), beta = d.tail_scale(), t = d.threshold();
                if (!(xi * kk < 1.0)) return inf;
                // GPD raw moments E[Y^i], i = 0..k.
                std::array<double, 4> ey{1.0, 0.0, 0.0, 0.0};
                for (int i = 1; i <= k; ++i) ey[i] = ey[i - 1] * i * beta / (1.0 - i * xi);
                // E[(t + Y)^k] by the binomial expansion.
                double tail = 0.0, binom = 1.0;
                for (int i = 0; i <= k; ++i) {
                    tail += binom * std::pow(t, kk - i) * ey[i];
                    binom = binom * (k - i) / (i + 1);
                }
                // E[X^k | X <= t] of the lognormal body: e^{k mu + k^2 s^2/2} Phi(z - k s) / Phi(z).
                const double s = d.sigma(), z = (std::log(t) - d.mu()) / s;
                const double body = std::exp(kk * d.mu() + 0.5 * kk * kk * s * s) *
                                    random::standard_normal_cdf(z - kk * s) / random::standard_normal_cdf(z);
                return d.body_weight() * body + (1.0 - d.body_weight()) * tail;
            }
        },
        severity);
}

/// Cumulants of a severity multiplied by `scale` (> 0).
inline Cumulants severity_cumulants(const Severity& severity, double scale = 1.0) {
    return cumulants_from_raw(scale * raw_moment(severity, 1), scale * scale * raw_moment(severity, 2),
                              scale * scale * scale * raw_moment(severity, 3));
}

/// Cumulants of a count. Negative binomial with beta = mean/r: k2 = m(1+beta),
/// k3 = m(1+beta)(1+2beta); binomial: nq, nq(1-q), nq(1-q)(1-2q); the zero-modified
/// Poisson from its raw moments (1-p0)/(1-e^-lambda) times the Poisson's.
inline Cumulants frequency_cumulants(const Frequency& frequency) {
    return std::visit(
        [](const auto& d) -> Cumulants {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Poisson>) {
                return {d.mean(), d.mean(), d.mean()};
            } else if constexpr (std::is_same_v<D, NegativeBinomial>) {
                const double m = d.mean(), beta = m / d.dispersion();
                return {m, m * (1.0 + beta), m * (1.0 + beta) * (1.0 + 2.0 * beta)};
            } else if constexpr (std::is_same_v<D, Binomial>) {
                const double n = d.n(), q = d.p();
                return {n * q, n * q * (1.0 - q), n * q * (1.0 - q) * (1.0 - 2.0 * q)};
            } else {  // ZeroModifiedPoisson
                const double l = d.poisson_mean(), c = (1.0 - d.p0()) / -std::expm1(-l);
                return cumulants_from_raw(c * l, c * (l + l * l), c * (l * l * l + 3.0 * l * l + l));
            }
        },
        frequency);
}

/// Cumulants of the compound sum with severities multiplied by `severity_scale`.
inline Cumulants compound_cumulants(const Frequency& frequency, const Severity& severity, double severity_scale = 1.0) {
    const Cumulants n = frequency_cumulants(frequency);
    const Cumulants x = severity_cumulants(severity, severity_scale);
    const double m1 = x.k1;
    if (n.k1 == 0.0) return {};  // no claims
    Cumulants s;
    s.k1 = n.k1 * m1;
    s.k2 = n.k1 * x.k2 + n.k2 * m1 * m1;
    s.k3 = n.k1 * x.k3 + 3.0 * n.k2 * m1 * x.k2 + n.k3 * m1 * m1 * m1;
    if (!std::isfinite(x.k2)) s.k2 = s.k3 = std::numeric_limits<double>::infinity();
    if (!std::isfinite(x.k3)) s.k3 = std::numeric_limits<double>::infinity();
    return s;
}

}  // namespace apmsim
