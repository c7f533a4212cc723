#pragma once
/// \file poisson.hpp
/// \brief Poisson(mean).

#include "apmsim/distributions/common.hpp"
#include "apmsim/distributions/discrete_inversion.hpp"

#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <limits>

namespace apmsim {

class Poisson {
public:
    static constexpr const char* type_name = "poisson";

    explicit Poisson(double mean) : mean_(mean) {
        check::non_negative("Poisson.mean", mean);
        check_count_range("Poisson", mean, mean);
    }

    double mean() const { return mean_; }
    double variance() const { return mean_; }
    double pmf(double k) const {
        if (k < 0.0 || k != std::floor(k)) return 0.0;
        if (mean_ == 0.0) return k == 0.0 ? 1.0 : 0.0;
        return std::exp(k * std::log(mean_) - mean_ - std::lgamma(k + 1.0));
    }
    double cdf(double x) const {
        if (x < 0.0) return 0.0;
        if (mean_ == 0.0 || x == std::numeric_limits<double>::infinity()) return 1.0;
        return boost::math::cdf(boost::math::poisson_distribution<>(mean_), std::floor(x));
    }
    /// Smallest k with cdf(k) >= p (the inverse used for sampling).
    double quantile(double p) const {
        detail::check_probability_argument("Poisson", p);
        if (p == 1.0) return mean_ == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
        return invert(mean_, p);
    }
    double limited_expected_value(double u) const { return detail::discrete_limited_expected_value(*this, u); }

    /// A count from Poisson(mean * scale), inverting `u`, so it is non-decreasing
    /// in both u and scale.
    std::uint32_t draw_scaled(double scale, double u) const { return prepare_scaled(scale, u).count(); }
    /// draw_scaled in two steps (detail::CountDraw): the engine runs the recursions of a
    /// member-year's counts together.
    detail::CountDraw prepare_scaled(double scale, double u) const {
        const double lambda = mean_ * scale;
        return prepare(lambda, u, std::exp(-lambda));
    }
    /// prepare_scaled with p(0) computed outside (random::count_p0s of log_p0_terms(scale)).
    random::LogP0Terms log_p0_terms(double scale) const { return {0.0, 0.0, -(mean_ * scale)}; }
    detail::CountDraw prepare_scaled(double scale, double u, double /*log_p0*/, double p0) const { return prepare(mean_ * scale, u, p0); }
    template <class UniformSource>
    std::uint32_t draw(UniformSource& source) const {
        return draw_scaled(1.0, source.uniform());
    }

private:
    static std::uint32_t invert(double lambda, double u) { return prepare(lambda, u, std::exp(-lambda)).count(); }
    /// p0 = exp(-lambda).
    static detail::CountDraw prepare(double lambda, double u, double p0) {
        if (lambda <= 0.0) return detail::CountDraw::of(0);
        if (lambda > -detail::min_log_p0) {  // exp(-lambda) would underflow the recursion
            const auto dist = boost::math::poisson_distribution<>(lambda);
            return detail::CountDraw::of(detail::invert_by_search(u, lambda, std::sqrt(lambda),
                                                                  [&dist](double k) { return boost::math::cdf(dist, k); }));
        }
        // p(k+1) = p(k) lambda / (k + 1)
        return detail::CountDraw::by_recursion({u, p0, lambda, 0.0, 1.0, 1.0, false});
    }
    double mean_;
};

}  // namespace apmsim
