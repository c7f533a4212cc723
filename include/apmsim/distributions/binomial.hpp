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
    std::uint32_t draw_scaled(double scale, double u) const {
        return invert(n_, std::min(1.0, p_ * scale), u);
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
        if (n <= 0.0 || p <= 0.0) return 0;
        if (p >= 1.0) return static_cast<std::uint32_t>(n);
        if (n * std::log1p(-std::min(p, 1.0 - p)) < detail::min_log_p0) {  // p0 would underflow
            const auto dist = boost::math::binomial_distribution<>(n, p);
            return detail::invert_by_search(u, n * p, std::sqrt(n * p * (1.0 - p)), [&dist, n](double k) {
                return k >= n ? 1.0 : boost::math::cdf(dist, k);
            });
        }
        if (p > 0.5) return static_cast<std::uint32_t>(n) - invert_low(n, 1.0 - p, 1.0 - u, true);
        return invert_low(n, p, u, false);
    }
    static std::uint32_t invert_low(double n, double p, double u, bool strict) {
        const double odds = p / (1.0 - p);
        const auto k = detail::invert_by_recursion(
            u, std::exp(n * std::log1p(-p)),
            [n, odds](std::uint32_t j) { return (n - j) / static_cast<double>(j + 1) * odds; }, strict);
        return std::min<std::uint32_t>(k, static_cast<std::uint32_t>(n));
    }
    double n_, p_;
};

}  // namespace apmsim
