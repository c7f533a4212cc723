#pragma once
/// \file negative_binomial.hpp
/// \brief NegativeBinomial(mean, dispersion r): Var[N] = mean + mean^2 / r
/// (shared/DOMAIN.md section 2). A Poisson whose mean is gamma-mixed with CV 1/sqrt(r).

#include "apmsim/distributions/common.hpp"
#include "apmsim/distributions/discrete_inversion.hpp"

#include <boost/math/distributions/negative_binomial.hpp>
#include <cmath>
#include <limits>

namespace apmsim {

class NegativeBinomial {
public:
    static constexpr const char* type_name = "negative_binomial";

    NegativeBinomial(double mean, double dispersion) : mean_(mean), r_(dispersion) {
        check::non_negative("NegativeBinomial.mean", mean);
        check::positive("NegativeBinomial.dispersion", dispersion);
        check_count_range("NegativeBinomial", mean, mean + mean * mean / dispersion);
    }
    /// From mean and CV: r = mean / (mean cv^2 - 1), which needs cv^2 > 1/mean
    /// (a negative binomial is over-dispersed relative to the Poisson).
    static NegativeBinomial from_mean_cv(double mean, double cv) {
        detail::check_cv("NegativeBinomial", mean, cv);
        const double excess = mean * cv * cv - 1.0;
        if (!(excess > 0.0))
            throw InvalidInput("NegativeBinomial.cv", "cv > 1/sqrt(mean) = " + show(1.0 / std::sqrt(mean)),
                               show(cv));
        return NegativeBinomial(mean, mean / excess);
    }

    double dispersion() const { return r_; }
    double mean() const { return mean_; }
    double variance() const { return mean_ + mean_ * mean_ / r_; }
    /// Boost's success probability p = r / (r + mean).
    double success_probability() const { return r_ / (r_ + mean_); }
    double pmf(double k) const {
        if (k < 0.0 || k != std::floor(k)) return 0.0;
        if (mean_ == 0.0) return k == 0.0 ? 1.0 : 0.0;
        return boost::math::pdf(boost::math::negative_binomial_distribution<>(r_, success_probability()), k);
    }
    double cdf(double x) const {
        if (x < 0.0) return 0.0;
        if (mean_ == 0.0 || x == std::numeric_limits<double>::infinity()) return 1.0;
        return boost::math::cdf(boost::math::negative_binomial_distribution<>(r_, success_probability()),
                                std::floor(x));
    }
    double quantile(double p) const {
        detail::check_probability_argument("NegativeBinomial", p);
        if (p == 1.0) return mean_ == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
        return invert(mean_, r_, p);
    }
    double limited_expected_value(double u) const { return detail::discrete_limited_expected_value(*this, u); }

    /// A count from NegativeBinomial(mean * scale, r), inverting `u`, so it is
    /// non-decreasing in both u and scale.
    std::uint32_t draw_scaled(double scale, double u) const { return prepare_scaled(scale, u).count(); }
    /// draw_scaled in two steps (detail::CountDraw): the engine runs the recursions of a
    /// member-year's counts together.
    detail::CountDraw prepare_scaled(double scale, double u) const {
        const random::LogP0Terms t = log_p0_terms(scale);
        const double log_p0 = t.log_p0(std::log1p(t.argument));
        return prepare(mean_ * scale, r_, u, log_p0, std::exp(log_p0));
    }
    /// prepare_scaled with p(0) computed outside (random::count_p0s of log_p0_terms(scale)).
    random::LogP0Terms log_p0_terms(double scale) const { return {-r_, mean_ * scale / r_, 0.0}; }
    detail::CountDraw prepare_scaled(double scale, double u, double log_p0, double p0) const { return prepare(mean_ * scale, r_, u, log_p0, p0); }
    template <class UniformSource>
    std::uint32_t draw(UniformSource& source) const {
        return draw_scaled(1.0, source.uniform());
    }

private:
    static std::uint32_t invert(double m, double r, double u) {
        const double log_p0 = -r * std::log1p(m / r);
        return prepare(m, r, u, log_p0, std::exp(log_p0)).count();
    }
    /// log_p0 = -r log1p(m / r), p0 = exp(log_p0).
    static detail::CountDraw prepare(double m, double r, double u, double log_p0, double p0) {
        if (m <= 0.0) return detail::CountDraw::of(0);
        if (log_p0 < detail::min_log_p0) {  // p0 would underflow the recursion
            const auto dist = boost::math::negative_binomial_distribution<>(r, r / (r + m));
            return detail::CountDraw::of(detail::invert_by_search(u, m, std::sqrt(m + m * m / r),
                                                                  [&dist](double k) { return boost::math::cdf(dist, k); }));
        }
        // p(k+1) = p(k) (r + k) / (k + 1) q
        return detail::CountDraw::by_recursion({u, p0, r, 1.0, 1.0, m / (r + m), false});
    }
    double mean_, r_;
};

}  // namespace apmsim
