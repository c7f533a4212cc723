#pragma once
/// \file weibull.hpp
/// \brief Weibull(shape, scale): F(x) = 1 - exp(-(x/scale)^shape).

#include "apmsim/distributions/common.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>

namespace apmsim {

class Weibull {
public:
    static constexpr const char* type_name = "weibull";
    /// draw() uses exactly one uniform (inversion), so event k can be draw k of a stream.
    static constexpr bool one_uniform_per_draw = true;

    Weibull(double shape, double scale) : shape_(shape), scale_(scale) {
        check::positive("Weibull.shape", shape);
        check::positive("Weibull.scale", scale);
        if (shape < min_shape)
            throw InvalidInput("Weibull.shape", "at least " + show(min_shape) + " (below it the variance's G(1 + 2/shape) overflows a double)",
                               show(shape));
        if (!std::isfinite(variance()))
            throw InvalidInput("Weibull.scale", "a scale whose variance a double can hold (shape " + show(shape) + ")", show(scale));
    }
    /// The smallest shape with a finite variance: G(x) overflows a double past x = 171.62.
    static constexpr double min_shape = 2.0 / 170.6;
    /// Solves cv^2 = G(1+2/k)/G(1+1/k)^2 - 1 for the shape k (decreasing in k) by
    /// bisection on log k, then scale = mean / G(1 + 1/k).
    static Weibull from_mean_cv(double mean, double cv) {
        detail::check_cv("Weibull", mean, cv);
        check::in_closed("Weibull.cv", cv, 1e-3, 1e3);
        auto cv_of = [](double k) {
            const double g1 = boost::math::tgamma(1.0 + 1.0 / k);
            return std::sqrt(boost::math::tgamma(1.0 + 2.0 / k) / (g1 * g1) - 1.0);
        };
        double lo = std::log(0.02), hi = std::log(2000.0);  // cv(0.02) is huge, cv(2000) ~ 6e-4
        for (int i = 0; i < 200; ++i) {
            const double mid = 0.5 * (lo + hi);
            (cv_of(std::exp(mid)) > cv ? lo : hi) = mid;
        }
        const double k = std::exp(0.5 * (lo + hi));
        return Weibull(k, mean / boost::math::tgamma(1.0 + 1.0 / k));
    }

    double shape() const { return shape_; }
    double scale() const { return scale_; }

    double mean() const { return scale_ * boost::math::tgamma(1.0 + 1.0 / shape_); }
    double variance() const {
        const double g1 = boost::math::tgamma(1.0 + 1.0 / shape_);
        return scale_ * scale_ * (boost::math::tgamma(1.0 + 2.0 / shape_) - g1 * g1);
    }
    double cdf(double x) const {
        if (!(x > 0.0)) return 0.0;
        return -std::expm1(-std::pow(x / scale_, shape_));
    }
    double quantile(double p) const {
        detail::check_probability_argument("Weibull", p);
        if (p == 1.0) return std::numeric_limits<double>::infinity();
        return scale_ * std::pow(-std::log1p(-p), 1.0 / shape_);
    }
    /// E[min(X, u)] = scale G(1+1/k) P(1+1/k, (u/scale)^k) + u exp(-(u/scale)^k).
    double limited_expected_value(double u) const {
        if (!(u > 0.0)) return 0.0;
        if (u == std::numeric_limits<double>::infinity()) return mean();
        const double z = std::pow(u / scale_, shape_);
        return mean() * boost::math::gamma_p(1.0 + 1.0 / shape_, z) + u * std::exp(-z);
    }

    template <class UniformSource>
    double draw(UniformSource& source) const {
        return scale_ * std::pow(-std::log1p(-source.uniform()), 1.0 / shape_);
    }

private:
    double shape_, scale_;
};

}  // namespace apmsim
