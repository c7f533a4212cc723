#pragma once
/// \file lognormal.hpp
/// \brief Lognormal(mu, sigma): log X ~ Normal(mu, sigma^2).

#include "apmsim/distributions/common.hpp"
#include "apmsim/random/variates.hpp"

#include <boost/math/distributions/lognormal.hpp>
#include <cmath>
#include <limits>

namespace apmsim {

class Lognormal {
public:
    static constexpr const char* type_name = "lognormal";
    /// draw() uses exactly one uniform (inversion), so event k can be draw k of a stream.
    static constexpr bool one_uniform_per_draw = true;

    Lognormal(double mu, double sigma) : mu_(mu), sigma_(sigma) {
        check::finite("Lognormal.mu", mu);
        check::positive("Lognormal.sigma", sigma);
        // A mean or variance beyond a double (exp(2 mu + 2 sigma^2) overflows) would be +inf
        // where the true value is finite: refused rather than used.
        if (!std::isfinite(variance()))
            throw InvalidInput("Lognormal.sigma", "mu and sigma whose variance a double can hold (2 mu + 2 sigma^2 < 709)",
                               "mu " + show(mu) + ", sigma " + show(sigma));
    }
    /// sigma^2 = log(1 + cv^2), mu = log(mean) - sigma^2 / 2.
    static Lognormal from_mean_cv(double mean, double cv) {
        detail::check_cv("Lognormal", mean, cv);
        const double s2 = std::log1p(cv * cv);
        return Lognormal(std::log(mean) - 0.5 * s2, std::sqrt(s2));
    }

    double mu() const { return mu_; }
    double sigma() const { return sigma_; }

    double mean() const { return std::exp(mu_ + 0.5 * sigma_ * sigma_); }
    double variance() const {
        const double s2 = sigma_ * sigma_;
        return std::expm1(s2) * std::exp(2.0 * mu_ + s2);
    }
    double cdf(double x) const {
        if (!(x > 0.0)) return 0.0;
        if (x == std::numeric_limits<double>::infinity()) return 1.0;
        return random::standard_normal_cdf((std::log(x) - mu_) / sigma_);
    }
    double quantile(double p) const {
        detail::check_probability_argument("Lognormal", p);
        if (p == 0.0) return 0.0;
        if (p == 1.0) return std::numeric_limits<double>::infinity();
        return boost::math::quantile(boost::math::lognormal_distribution<>(mu_, sigma_), p);
    }
    /// E[min(X, u)] = e^{mu + s^2/2} Phi((ln u - mu - s^2)/s) + u (1 - Phi((ln u - mu)/s))
    /// (Loss Models, appendix A).
    double limited_expected_value(double u) const {
        if (!(u > 0.0)) return 0.0;
        if (u == std::numeric_limits<double>::infinity()) return mean();
        const double z = (std::log(u) - mu_) / sigma_;
        return mean() * random::standard_normal_cdf(z - sigma_) +
               u * random::standard_normal_cdf(-z);
    }
    /// E[X 1{X <= u}], the partial first moment (used by the spliced severity).
    double partial_mean(double u) const {
        if (!(u > 0.0)) return 0.0;
        return mean() * random::standard_normal_cdf((std::log(u) - mu_) / sigma_ - sigma_);
    }
    /// E[X^2 1{X <= u}].
    double partial_second_moment(double u) const {
        if (!(u > 0.0)) return 0.0;
        const double s2 = sigma_ * sigma_;
        return std::exp(2.0 * mu_ + 2.0 * s2) *
               random::standard_normal_cdf((std::log(u) - mu_) / sigma_ - 2.0 * sigma_);
    }

    /// exp through random::exp_kernel (within 3e-16 of std::exp), the same arithmetic as
    /// the engine's vectorised kernel, so both give the same bits.
    template <class UniformSource>
    double draw(UniformSource& source) const {
        return random::exp_kernel(mu_ + sigma_ * random::standard_normal_quantile(source.uniform()));
    }

private:
    double mu_, sigma_;
};

}  // namespace apmsim
