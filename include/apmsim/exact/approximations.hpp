#pragma once
/// \file approximations.hpp
/// \brief Moment-based approximations of an aggregate loss S with mean mu, standard
/// deviation sigma and skewness gamma (Loss Models, section 9.3; Kaas, Goovaerts, Dhaene
/// & Denuit, Modern Actuarial Risk Theory, section 2.5):
///   normal:            S ~ mu + sigma Z;
///   normal power:      S ~ mu + sigma (Z + c (Z^2 - 1)), c = gamma / 6, on the branch
///                      Z >= -1/(2c) where it increases (the lower end is a point mass), so
///                      F(x) = Phi(-3/gamma + sqrt(9/gamma^2 + 1 + 6 y / gamma)), y = (x - mu)/sigma;
///   translated gamma:  S ~ x0 + Gamma(alpha, theta) with alpha = 4/gamma^2, theta = sigma gamma / 2,
///                      x0 = mu - 2 sigma / gamma (matches three moments).
/// Each gives cdf, quantile, stop-loss premium E[(S - d)+] in closed form and the moments
/// of the approximating distribution itself (the normal power's differ from the targets).

#include "apmsim/core/errors.hpp"
#include "apmsim/random/variates.hpp"

#include <array>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>

namespace apmsim {

namespace detail {
inline double normal_density(double z) { return 0.3989422804014327 * std::exp(-0.5 * z * z); }
inline double upper_normal(double z) { return random::standard_normal_cdf(-z); }
}  // namespace detail

/// mean, variance, skewness.
struct Moments {
    double mean = 0.0, variance = 0.0, skewness = 0.0;
};

class NormalApproximation {
public:
    static constexpr const char* name = "normal";
    NormalApproximation(double mean, double sd) : mu_(mean), sigma_(sd) {
        check::finite("mean", mean);
        check::positive("sd", sd);
    }
    double cdf(double x) const { return random::standard_normal_cdf((x - mu_) / sigma_); }
    double quantile(double p) const { return mu_ + sigma_ * random::standard_normal_quantile(p); }
    /// E[(S - d)+] = sigma phi(z) + (mu - d)(1 - Phi(z)), z = (d - mu)/sigma.
    double stop_loss(double d) const {
        const double z = (d - mu_) / sigma_;
        return sigma_ * detail::normal_density(z) + (mu_ - d) * detail::upper_normal(z);
    }
    double mean() const { return mu_; }
    Moments moments() const { return {mu_, sigma_ * sigma_, 0.0}; }

private:
    double mu_, sigma_;
};

class NormalPowerApproximation {
public:
    static constexpr const char* name = "normal_power";
    /// Needs skewness >= 0 (the usual domain is 0 <= gamma <= about 2).
    NormalPowerApproximation(double mean, double sd, double skewness) : mu_(mean), sigma_(sd), c_(skewness / 6.0) {
        check::finite("mean", mean);
        check::positive("sd", sd);
        check::non_negative("skewness", skewness);
        z_min_ = c_ > 0.0 ? -0.5 / c_ : -std::numeric_limits<double>::infinity();
        x_min_ = c_ > 0.0 ? mu_ + sigma_ * (-0.25 / c_ - c_) : -std::numeric_limits<double>::infinity();
    }
    /// The smallest value (a point mass Phi(-1/(2c)) sits there).
    double lower_end() const { return x_min_; }
    double cdf(double x) const {
        if (x < x_min_) return 0.0;
        return random::standard_normal_cdf(z_of((x - mu_) / sigma_));
    }
    double quantile(double p) const {
        const double z = std::max(z_min_, random::standard_normal_quantile(p));
        return mu_ + sigma_ * (z + c_ * (z * z - 1.0));
    }
    /// E[(S - d)+]: with a = z(d), E[S 1{Z > a}] = mu Q(a) + sigma phi(a)(1 + c a), so
    /// E[(S - d)+] = (mu - d) Q(a) + sigma phi(a)(1 + c a); below the lower end, E[S] - d.
    double stop_loss(double d) const {
        if (d <= x_min_) return mean() - d;
        const double a = z_of((d - mu_) / sigma_);
        return (mu_ - d) * detail::upper_normal(a) + sigma_ * detail::normal_density(a) * (1.0 + c_ * a);
    }
    double mean() const { return raw(1); }
    Moments moments() const {
        const double m1 = raw(1), m2 = raw(2), m3 = raw(3);
        const double var = m2 - m1 * m1;
        return {m1, var, (m3 - 3.0 * m1 * m2 + 2.0 * m1 * m1 * m1) / (var * std::sqrt(var))};
    }

private:
    /// Upper root of c z^2 + z - c = y, in the cancellation-free form 2(c + y)/(1 + sqrt(1 + 4c(c + y))).
    double z_of(double y) const {
        const double d = std::max(0.0, 1.0 + 4.0 * c_ * (c_ + y));
        return 2.0 * (c_ + y) / (1.0 + std::sqrt(d));
    }
    /// E[S^k] = x_min^k Phi(a) + E[p(Z)^k 1{Z > a}], p(z) = mu - sigma c + sigma z + sigma c z^2,
    /// a = z_min, with the truncated normal moments M_i = E[Z^i 1{Z > a}] from
    /// M_0 = Q(a), M_1 = phi(a), M_i = a^{i-1} phi(a) + (i-1) M_{i-2}.
    double raw(int k) const {
        std::array<double, 7> poly{}, power{};
        poly[0] = mu_ - sigma_ * c_;
        poly[1] = sigma_;
        poly[2] = sigma_ * c_;
        power[0] = 1.0;
        for (int e = 0; e < k; ++e) {  // power *= poly
            std::array<double, 7> next{};
            for (int i = 0; i < 7; ++i)
                for (int j = 0; j < 3 && i + j < 7; ++j) next[i + j] += power[i] * poly[j];
            power = next;
        }
        const bool finite_a = std::isfinite(z_min_);
        const double a = finite_a ? z_min_ : 0.0, phi = finite_a ? detail::normal_density(a) : 0.0;
        std::array<double, 7> m{};
        m[0] = finite_a ? detail::upper_normal(a) : 1.0;
        m[1] = phi;
        for (int i = 2; i < 7; ++i) m[i] = (finite_a ? std::pow(a, i - 1) * phi : 0.0) + (i - 1) * m[i - 2];
        double s = 0.0;
        for (int i = 0; i < 7; ++i) s += power[i] * m[i];
        if (finite_a) s += std::pow(x_min_, k) * random::standard_normal_cdf(a);
        return s;
    }
    double mu_, sigma_, c_, z_min_, x_min_;
};

class TranslatedGammaApproximation {
public:
    static constexpr const char* name = "translated_gamma";
    /// Needs skewness > 0.
    TranslatedGammaApproximation(double mean, double sd, double skewness) {
        check::finite("mean", mean);
        check::positive("sd", sd);
        check::positive("skewness", skewness);
        shape_ = 4.0 / (skewness * skewness);
        scale_ = sd * skewness / 2.0;
        shift_ = mean - 2.0 * sd / skewness;
        mean_ = mean;
        sd_ = sd;
        skew_ = skewness;
    }
    double shift() const { return shift_; }
    double shape() const { return shape_; }
    double scale() const { return scale_; }
    double cdf(double x) const {
        if (!(x > shift_)) return 0.0;
        return boost::math::gamma_p(shape_, (x - shift_) / scale_);
    }
    double quantile(double p) const { return shift_ + scale_ * boost::math::gamma_p_inv(shape_, p); }
    /// E[(S - d)+] = alpha theta Q(alpha + 1, y/theta) - y Q(alpha, y/theta), y = d - x0 > 0.
    double stop_loss(double d) const {
        if (d <= shift_) return mean_ - d;
        const double y = d - shift_, t = y / scale_;
        return shape_ * scale_ * boost::math::gamma_q(shape_ + 1.0, t) - y * boost::math::gamma_q(shape_, t);
    }
    double mean() const { return mean_; }
    Moments moments() const { return {mean_, sd_ * sd_, skew_}; }

private:
    double shape_ = 1.0, scale_ = 1.0, shift_ = 0.0, mean_ = 0.0, sd_ = 1.0, skew_ = 1.0;
};

}  // namespace apmsim
