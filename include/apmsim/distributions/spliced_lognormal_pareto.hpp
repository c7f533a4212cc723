#pragma once
/// \file spliced_lognormal_pareto.hpp
/// \brief A lognormal body below `threshold` spliced to a generalized Pareto tail above.
///
/// With probability body_weight the cost comes from Lognormal(mu, sigma) truncated to
/// (0, threshold]; otherwise it is threshold + Y with Y ~ GPD(tail_shape xi >= 0,
/// tail_scale beta): P(Y > y) = (1 + xi y / beta)^(-1/xi) (exp(-y/beta) when xi = 0).
/// By default body_weight = Lognormal cdf(threshold), i.e. the lognormal with its
/// tail replaced. Heavy-tailed CMC costs (a few very long admissions) motivate it.

#include "apmsim/distributions/lognormal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace apmsim {

class SplicedLognormalPareto {
public:
    static constexpr const char* type_name = "spliced_lognormal_pareto";
    /// draw() uses exactly one uniform (inversion), so event k can be draw k of a stream.
    static constexpr bool one_uniform_per_draw = true;

    SplicedLognormalPareto(double mu, double sigma, double threshold, double tail_shape,
                           double tail_scale, std::optional<double> body_weight = std::nullopt)
        : body_(checked_body(mu, sigma)), threshold_(threshold), xi_(tail_shape), beta_(tail_scale) {
        check::positive("SplicedLognormalPareto.threshold", threshold);
        check::non_negative("SplicedLognormalPareto.tail_shape", tail_shape);
        check::positive("SplicedLognormalPareto.tail_scale", tail_scale);
        body_cdf_at_threshold_ = body_.cdf(threshold);
        if (!(body_cdf_at_threshold_ > 0.0))
            throw InvalidInput("SplicedLognormalPareto.threshold",
                               "a threshold with positive lognormal probability below it",
                               show(threshold));
        weight_ = body_weight ? *body_weight : body_cdf_at_threshold_;
        check::in_open("SplicedLognormalPareto.body_weight", weight_, 0.0, 1.0);
    }

    double mu() const { return body_.mu(); }
    double sigma() const { return body_.sigma(); }
    double threshold() const { return threshold_; }
    double tail_shape() const { return xi_; }
    double tail_scale() const { return beta_; }
    double body_weight() const { return weight_; }

    /// Infinite when tail_shape >= 1.
    double mean() const {
        if (xi_ >= 1.0) return std::numeric_limits<double>::infinity();
        return weight_ * body_mean() + (1.0 - weight_) * (threshold_ + beta_ / (1.0 - xi_));
    }
    /// Infinite when tail_shape >= 1/2.
    double variance() const {
        if (xi_ >= 0.5) return std::numeric_limits<double>::infinity();
        const double ey = beta_ / (1.0 - xi_);
        const double ey2 = 2.0 * beta_ * beta_ / ((1.0 - xi_) * (1.0 - 2.0 * xi_));
        const double body2 = body_.partial_second_moment(threshold_) / body_cdf_at_threshold_;
        const double tail2 = threshold_ * threshold_ + 2.0 * threshold_ * ey + ey2;
        const double m = mean();
        return weight_ * body2 + (1.0 - weight_) * tail2 - m * m;
    }
    double cdf(double x) const {
        if (!(x > 0.0)) return 0.0;
        if (x <= threshold_) return weight_ * body_.cdf(x) / body_cdf_at_threshold_;
        return weight_ + (1.0 - weight_) * -std::expm1(log_tail_survival(x - threshold_));
    }
    double quantile(double p) const {
        detail::check_probability_argument("SplicedLognormalPareto", p);
        if (p == 1.0) return std::numeric_limits<double>::infinity();
        return from_uniform(p);
    }
    double limited_expected_value(double u) const {
        if (!(u > 0.0)) return 0.0;
        if (u <= threshold_) {
            const double body_lev = (body_.partial_mean(u) +
                                     u * (body_cdf_at_threshold_ - body_.cdf(u))) /
                                    body_cdf_at_threshold_;
            return weight_ * body_lev + (1.0 - weight_) * u;
        }
        return weight_ * body_mean() + (1.0 - weight_) * (threshold_ + tail_lev(u - threshold_));
    }

    template <class UniformSource>
    double draw(UniformSource& source) const {
        return from_uniform(source.uniform());
    }

private:
    /// Validates mu and sigma under this type's name (not "Lognormal.*") before the body is built.
    static Lognormal checked_body(double mu, double sigma) {
        check::finite("SplicedLognormalPareto.mu", mu);
        check::positive("SplicedLognormalPareto.sigma", sigma);
        return Lognormal(mu, sigma);
    }
    double body_mean() const { return body_.partial_mean(threshold_) / body_cdf_at_threshold_; }
    double log_tail_survival(double y) const {
        return xi_ > 0.0 ? -std::log1p(xi_ * y / beta_) / xi_ : -y / beta_;
    }
    /// E[min(Y, d)] for the GPD tail.
    double tail_lev(double d) const {
        if (d == std::numeric_limits<double>::infinity())
            return xi_ < 1.0 ? beta_ / (1.0 - xi_) : d;
        if (xi_ == 0.0) return -beta_ * std::expm1(-d / beta_);
        if (std::fabs(xi_ - 1.0) < 1e-12) return beta_ * std::log1p(d / beta_);
        const double l = std::log1p(xi_ * d / beta_);
        return beta_ / (1.0 - xi_) * -std::expm1((1.0 - 1.0 / xi_) * l);
    }
    double from_uniform(double p) const {
        if (p <= weight_) {
            const double q = p / weight_ * body_cdf_at_threshold_;
            if (q <= 0.0) return 0.0;
            return std::min(threshold_, std::exp(body_.mu() + body_.sigma() *
                                                   random::standard_normal_quantile(q)));
        }
        const double s = (1.0 - p) / (1.0 - weight_);  // tail survival in (0, 1]
        const double y = xi_ > 0.0 ? beta_ / xi_ * std::expm1(-xi_ * std::log(s)) : -beta_ * std::log(s);
        return threshold_ + y;
    }

    Lognormal body_;
    double threshold_, xi_, beta_;
    double body_cdf_at_threshold_ = 0.0, weight_ = 0.0;
};

}  // namespace apmsim
