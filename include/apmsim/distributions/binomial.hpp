#pragma once
/// \file binomial.hpp
/// \brief Binomial(n, p).

#include "apmsim/distributions/common.hpp"
#include "apmsim/distributions/discrete_inversion.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>

namespace apmsim {

class Binomial {
public:
    static constexpr const char* type_name = "binomial";

    Binomial(double n, double p) : n_(n), p_(p) {
        check::non_negative("Binomial.n", n);
        if (n != std::floor(n) || n > 1e9) throw InvalidInput("Binomial.n", "a whole number <= 1e9", show(n));
        check::probability("Binomial.p", p);
    }

    double n() const { return n_; }
    double p() const { return p_; }
    double mean() const { return n_ * p_; }
    double variance() const { return n_ * p_ * (1.0 - p_); }
    double pmf(double k) const {
        if (k < 0.0 || k > n_ || k != std::floor(k)) return 0.0;
        return boost::math::pdf(boost::math::binomial_distribution<>(n_, p_), k);
    }
    double cdf(double x) const {
        if (x < 0.0) return 0.0;
        if (x >= n_) return 1.0;
        return boost::math::cdf(boost::math::binomial_distribution<>(n_, p_), std::floor(x));
    }
    double quantile(double p) const {
        detail::check_probability_argument("Binomial", p);
        if (p == 1.0) return p_ == 0.0 ? 0.0 : n_;
        return invert(n_, p_, p);
    }
    double limited_expected_value(double u) const { return detail::discrete_limited_expected_value(*this, u); }

    /// A count from Binomial(n, min(1, p * scale)): the frailty scales the per-trial
    /// probability, capped at 1 (then the mean is no longer n p scale). Inverts `u`,
    /// so it is non-decreasing in both u and scale.
    std::uint32_t draw_scaled(double scale, double u) const { return prepare_scaled(scale, u).count(); }
    /// draw_scaled in two steps (detail::CountDraw): the engine runs the recursions of a
    /// member-year's counts together.
    detail::CountDraw prepare_scaled(double scale, double u) const {
        const random::LogP0Terms t = log_p0_terms(scale);
        const double log_p0 = t.log_p0(std::log1p(t.argument));
        return prepare(n_, std::min(1.0, p_ * scale), u, log_p0, std::exp(log_p0));
    }
    /// prepare_scaled with p(0) computed outside (random::count_p0s of log_p0_terms(scale)):
    /// p(0) of the side inverted, Binomial(n, min(p, 1 - p)).
    random::LogP0Terms log_p0_terms(double scale) const {
        const double p = std::min(1.0, p_ * scale);
        return {n_, -std::min(p, 1.0 - p), 0.0};
    }
    detail::CountDraw prepare_scaled(double scale, double u, double log_p0, double p0) const {
        return prepare(n_, std::min(1.0, p_ * scale), u, log_p0, p0);
    }
    template <class UniformSource>
    std::uint32_t draw(UniformSource& source) const {
        return draw_scaled(1.0, source.uniform());
    }

private:
    /// Inverts Binomial(n, p); for p > 1/2 it inverts n - Binomial(n, 1-p) at 1-u,
    /// which keeps the count non-decreasing in u. There the complement is inverted
    /// strictly (smallest j with F'(j) > 1-u), so that n - j is the smallest k with
    /// F(k) >= u also when u is exactly a value of the cdf.
    static std::uint32_t invert(double n, double p, double u) {
        const double log_p0 = n * std::log1p(-std::min(p, 1.0 - p));
        return prepare(n, p, u, log_p0, std::exp(log_p0)).count();
    }
    /// log_p0 = n log1p(-min(p, 1 - p)), p0 = exp(log_p0): p(0) of the side inverted.
    static detail::CountDraw prepare(double n, double p, double u, double log_p0, double p0) {
        if (n <= 0.0 || p <= 0.0) return detail::CountDraw::of(0);
        if (p >= 1.0) return detail::CountDraw::of(static_cast<std::uint32_t>(n));
        if (log_p0 < detail::min_log_p0) {  // p0 would underflow
            const auto dist = boost::math::binomial_distribution<>(n, p);
            return detail::CountDraw::of(detail::invert_by_search(u, n * p, std::sqrt(n * p * (1.0 - p)), [&dist, n](double k) {
                return k >= n ? 1.0 : boost::math::cdf(dist, k);
            }));
        }
        const auto trials = static_cast<std::uint32_t>(n);
        if (p > 0.5) return detail::CountDraw::by_recursion(low_recursion(n, 1.0 - p, 1.0 - u, p0, true), trials, trials, true);
        return detail::CountDraw::by_recursion(low_recursion(n, p, u, p0, false), 0, trials);
    }
    /// Binomial(n, p <= 1/2) at u: p(j+1) = p(j) (n - j) / (j + 1) odds, from p(0) = (1 - p)^n.
    static random::CountRecursion low_recursion(double n, double p, double u, double p0, bool strict) {
        return {u, p0, n, -1.0, 1.0, p / (1.0 - p), strict};
    }
    double n_, p_;
};

}  // namespace apmsim
