#pragma once
/// \file zero_modified_poisson.hpp
/// \brief ZeroModifiedPoisson(mean, p0): the (a,b,1) zero-modified Poisson of Loss Models.
///
/// `mean` is the Poisson parameter lambda of the parent distribution, as in Loss
/// Models' notation; `p0` is the modified probability of zero. P(N=k) = (1 - p0)
/// e^-lambda lambda^k / (k! (1 - e^-lambda)) for k >= 1. p0 = 0 is the zero-truncated
/// Poisson. The distribution's own mean is (1 - p0) lambda / (1 - e^-lambda).

#include "apmsim/distributions/common.hpp"
#include "apmsim/distributions/discrete_inversion.hpp"
#include "apmsim/distributions/poisson.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace apmsim {

class ZeroModifiedPoisson {
public:
    static constexpr const char* type_name = "zero_modified_poisson";

    ZeroModifiedPoisson(double mean, double p0) : lambda_(mean), p0_(p0) {
        check::positive("ZeroModifiedPoisson.mean", mean);
        check::in_closed("ZeroModifiedPoisson.p0", p0, 0.0, 1.0);
        if (p0 == 1.0) throw InvalidInput("ZeroModifiedPoisson.p0", "a probability in [0, 1)", show(p0));
        check_count_range("ZeroModifiedPoisson", mean, mean);  // the parent Poisson's range bounds its own
    }

    /// The parent Poisson's lambda (the constructor's `mean`).
    double poisson_mean() const { return lambda_; }
    double p0() const { return p0_; }

    double mean() const { return (1.0 - p0_) * lambda_ / -std::expm1(-lambda_); }
    double variance() const {
        const double second = (1.0 - p0_) * (lambda_ + lambda_ * lambda_) / -std::expm1(-lambda_);
        const double m = mean();
        return second - m * m;
    }
    double pmf(double k) const {
        if (k < 0.0 || k != std::floor(k)) return 0.0;
        if (k == 0.0) return p0_;
        return (1.0 - p0_) * Poisson(lambda_).pmf(k) / -std::expm1(-lambda_);
    }
    /// p0 + (1 - p0) P(1 <= parent <= x) / P(parent >= 1) below the parent's median, and
    /// 1 - (1 - p0) P(parent > x) / P(parent >= 1) (its complement) above it: each form
    /// where it does not round across p0 or 1.
    double cdf(double x) const {
        if (x < 0.0) return 0.0;
        if (x < 1.0) return p0_;
        if (x == std::numeric_limits<double>::infinity()) return 1.0;
        const boost::math::poisson_distribution<> parent(lambda_);
        const double k = std::floor(x), nonzero = -std::expm1(-lambda_);
        const double below = boost::math::cdf(parent, k);
        const double value = below < 0.5 ? p0_ + (1.0 - p0_) * (below - std::exp(-lambda_)) / nonzero
                                         : 1.0 - (1.0 - p0_) * boost::math::cdf(boost::math::complement(parent, k)) / nonzero;
        return std::clamp(value, p0_, 1.0);
    }
    double quantile(double p) const {
        detail::check_probability_argument("ZeroModifiedPoisson", p);
        if (p == 1.0) return std::numeric_limits<double>::infinity();
        return invert(lambda_, p0_, p);
    }
    double limited_expected_value(double u) const { return detail::discrete_limited_expected_value(*this, u); }

    /// A count whose mean is `scale` times mean(): while (1 - p0) scale <= 1 the non-zero
    /// mass is thinned (p0' = 1 - (1 - p0) scale, lambda unchanged); beyond, p0' = 0 and
    /// lambda rises until the zero-truncated mean is reached. Inverts `u`, so the count is
    /// non-decreasing in both u and scale.
    std::uint32_t draw_scaled(double scale, double u) const { return prepare_scaled(scale, u).count(); }
    /// draw_scaled in two steps (detail::CountDraw): the engine runs the recursions of a
    /// member-year's counts together.
    detail::CountDraw prepare_scaled(double scale, double u) const {
        const double nonzero = (1.0 - p0_) * scale;
        if (nonzero <= 1.0) return prepare(lambda_, 1.0 - nonzero, u);
        return prepare(zero_truncated_lambda(scale * mean()), 0.0, u);
    }
    /// The engine's batched form (random::count_p0s) has nothing to take here: the recursion
    /// starts from p(1) = lambda / expm1(lambda), computed in prepare_scaled as before.
    random::LogP0Terms log_p0_terms(double /*scale*/) const { return {}; }
    detail::CountDraw prepare_scaled(double scale, double u, double /*log_p0*/, double /*p0*/) const { return prepare_scaled(scale, u); }
    template <class UniformSource>
    std::uint32_t draw(UniformSource& source) const {
        return draw_scaled(1.0, source.uniform());
    }

private:
    /// The lambda whose zero-truncated Poisson has mean m > 1: lambda / (1 - e^-lambda) = m,
    /// increasing in lambda, with the root in [m - 1, m]; by bisection.
    static double zero_truncated_lambda(double m) {
        double lo = std::max(0.0, m - 1.0), hi = m;
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
            const double mid = 0.5 * (lo + hi);
            (mid / -std::expm1(-mid) < m ? lo : hi) = mid;
        }
        return hi;
    }
    static std::uint32_t invert(double lambda, double p0, double u) { return prepare(lambda, p0, u).count(); }
    static detail::CountDraw prepare(double lambda, double p0, double u) {
        if (u <= p0 || lambda <= 0.0) return detail::CountDraw::of(0);
        const double v = (u - p0) / (1.0 - p0);
        if (lambda > -detail::min_log_p0) {  // P(parent = 0) < e^-600: truncation is immaterial
            const auto parent = boost::math::poisson_distribution<>(lambda);
            return detail::CountDraw::of(std::max<std::uint32_t>(
                1, detail::invert_by_search(v, lambda, std::sqrt(lambda),
                                            [&parent](double k) { return boost::math::cdf(parent, k); })));
        }
        // Zero-truncated: p(1) = lambda / (e^lambda - 1), p(k+1)/p(k) = lambda / (k + 1), from k = 1:
        // 1 + j, where p(j + 1) = p(j) lambda / (j + 2).
        return detail::CountDraw::by_recursion({v, lambda / std::expm1(lambda), lambda, 0.0, 2.0, 1.0, false}, 1);
    }
    double lambda_, p0_;
};

}  // namespace apmsim
