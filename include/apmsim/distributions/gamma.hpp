#pragma once
/// \file gamma.hpp
/// \brief Gamma(shape, scale): mean shape*scale (Boost.Math convention).

#include "apmsim/distributions/common.hpp"
#include "apmsim/random/variates.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <limits>

namespace apmsim {

class Gamma {
public:
    static constexpr const char* type_name = "gamma";
    /// draw() uses a variable number of uniforms (Marsaglia-Tsang rejection).
    static constexpr bool one_uniform_per_draw = false;

    /// The largest shape: beyond about 2e10, Boost.Math's inverse incomplete gamma gives up
    /// (its series exceeds its iteration limit; found by fuzz_distribution). A coefficient of
    /// variation below 1e-5 is a constant for any actuarial purpose.
    static constexpr double max_shape = 1e10;

    Gamma(double shape, double scale) : shape_(shape), scale_(scale) {
        check::positive("Gamma.shape", shape);
        check::positive("Gamma.scale", scale);
        if (!(shape <= max_shape))
            throw InvalidInput("Gamma.shape", "at most 1e10 (a coefficient of variation of at least 1e-5)", show(shape));
        if (!(shape >= std::numeric_limits<double>::min()))  // subnormal: Gamma(shape) ~ 1/shape overflows (fuzz_distribution)
            throw InvalidInput("Gamma.shape", "at least 2.2e-308, the smallest normal double", show(shape));
    }
    /// shape = 1/cv^2, scale = mean cv^2.
    static Gamma from_mean_cv(double mean, double cv) {
        detail::check_cv("Gamma", mean, cv);
        if (!(cv >= 1e-5)) throw InvalidInput("Gamma.cv", "at least 1e-5 (a smaller spread is a constant)", show(cv));
        return Gamma(1.0 / (cv * cv), mean * cv * cv);
    }

    double shape() const { return shape_; }
    double scale() const { return scale_; }

    double mean() const { return shape_ * scale_; }
    double variance() const { return shape_ * scale_ * scale_; }
    double cdf(double x) const {
        if (!(x > 0.0)) return 0.0;
        if (x == std::numeric_limits<double>::infinity()) return 1.0;
        return boost::math::gamma_p(shape_, x / scale_);
    }
    double quantile(double p) const {
        detail::check_probability_argument("Gamma", p);
        if (p == 0.0) return 0.0;
        if (p == 1.0) return std::numeric_limits<double>::infinity();
        return scale_ * boost::math::gamma_p_inv(shape_, p);
    }
    /// E[min(X, u)] = shape*scale P(shape+1, u/scale) + u (1 - P(shape, u/scale)).
    double limited_expected_value(double u) const {
        if (!(u > 0.0)) return 0.0;
        if (u == std::numeric_limits<double>::infinity()) return mean();
        const double x = u / scale_;
        return mean() * boost::math::gamma_p(shape_ + 1.0, x) + u * boost::math::gamma_q(shape_, x);
    }

    template <class UniformSource>
    double draw(UniformSource& source) const {
        return scale_ * random::standard_gamma(shape_, source);
    }

private:
    double shape_, scale_;
};

}  // namespace apmsim
