#pragma once
/// \file pareto.hpp
/// \brief Pareto(shape, scale): the Lomax or Pareto type II of Loss Models, support
/// from 0: F(x) = 1 - (scale / (x + scale))^shape.

#include "apmsim/distributions/common.hpp"

#include <cmath>
#include <limits>

namespace apmsim {

class Pareto {
public:
    static constexpr const char* type_name = "pareto";
    /// draw() uses exactly one uniform (inversion), so event k can be draw k of a stream.
    static constexpr bool one_uniform_per_draw = true;

    Pareto(double shape, double scale) : shape_(shape), scale_(scale) {
        check::positive("Pareto.shape", shape);
        check::positive("Pareto.scale", scale);
    }
    /// cv^2 = shape/(shape-2) gives shape = 2cv^2/(cv^2-1) (needs cv > 1);
    /// scale = mean (shape - 1).
    static Pareto from_mean_cv(double mean, double cv) {
        detail::check_cv("Pareto", mean, cv);
        if (!(cv > 1.0))
            throw InvalidInput("Pareto.cv", "a cv > 1 (a Lomax with finite variance has cv > 1)",
                               show(cv));
        const double c2 = cv * cv;
        const double shape = 2.0 * c2 / (c2 - 1.0);
        return Pareto(shape, mean * (shape - 1.0));
    }

    double shape() const { return shape_; }
    double scale() const { return scale_; }

    /// Infinite when shape <= 1.
    double mean() const {
        return shape_ > 1.0 ? scale_ / (shape_ - 1.0) : std::numeric_limits<double>::infinity();
    }
    /// Infinite when shape <= 2.
    double variance() const {
        if (!(shape_ > 2.0)) return std::numeric_limits<double>::infinity();
        const double a = shape_;
        return scale_ * scale_ * a / ((a - 1.0) * (a - 1.0) * (a - 2.0));
    }
    double cdf(double x) const {
        if (!(x > 0.0)) return 0.0;
        return -std::expm1(-shape_ * std::log1p(x / scale_));
    }
    double quantile(double p) const {
        detail::check_probability_argument("Pareto", p);
        if (p == 1.0) return std::numeric_limits<double>::infinity();
        return scale_ * std::expm1(-std::log1p(-p) / shape_);
    }
    /// E[min(X, u)] = scale/(shape-1) [1 - (scale/(u+scale))^(shape-1)], or
    /// scale log(1 + u/scale) when shape = 1 (Loss Models, appendix A).
    double limited_expected_value(double u) const {
        if (!(u > 0.0)) return 0.0;
        if (u == std::numeric_limits<double>::infinity()) return mean();
        const double l = std::log1p(u / scale_);
        if (std::fabs(shape_ - 1.0) < 1e-12) return scale_ * l;
        return scale_ / (shape_ - 1.0) * -std::expm1(-(shape_ - 1.0) * l);
    }

    template <class UniformSource>
    double draw(UniformSource& source) const {
        return scale_ * std::expm1(-std::log1p(-source.uniform()) / shape_);
    }

private:
    double shape_, scale_;
};

}  // namespace apmsim
