#pragma once
/// \file running_moments.hpp
/// \brief Streaming count, mean and central moments up to the fourth, mergeable
/// (Chan, Golub & LeVeque; Pebay 2008), so partial results from threads or Dask
/// workers combine exactly as if all values had been seen by one accumulator.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace apmsim::stats {

class RunningMoments {
public:
    void add(double x) {
        const double n1 = static_cast<double>(n_);
        ++n_;
        const double n = static_cast<double>(n_);
        const double delta = x - mean_;
        const double dn = delta / n;
        const double dn2 = dn * dn;
        const double term = delta * dn * n1;
        mean_ += dn;
        m4_ += term * dn2 * (n * n - 3.0 * n + 3.0) + 6.0 * dn2 * m2_ - 4.0 * dn * m3_;
        m3_ += term * dn * (n - 2.0) - 3.0 * dn * m2_;
        m2_ += term;
    }
    void merge(const RunningMoments& o) {
        if (o.n_ == 0) return;
        if (n_ == 0) {
            *this = o;
            return;
        }
        const double na = static_cast<double>(n_), nb = static_cast<double>(o.n_);
        const double n = na + nb;
        const double d = o.mean_ - mean_;
        const double d2 = d * d, d3 = d2 * d, d4 = d2 * d2;
        const double m2 = m2_ + o.m2_ + d2 * na * nb / n;
        const double m3 = m3_ + o.m3_ + d3 * na * nb * (na - nb) / (n * n) +
                          3.0 * d * (na * o.m2_ - nb * m2_) / n;
        const double m4 = m4_ + o.m4_ + d4 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n) +
                          6.0 * d2 * (na * na * o.m2_ + nb * nb * m2_) / (n * n) +
                          4.0 * d * (na * o.m3_ - nb * m3_) / n;
        mean_ += d * nb / n;
        m2_ = m2;
        m3_ = m3;
        m4_ = m4;
        n_ += o.n_;
    }

    std::uint64_t count() const { return n_; }
    double mean() const { return n_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
    /// Unbiased sample variance (n - 1 denominator).
    double variance() const { return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : std::numeric_limits<double>::quiet_NaN(); }
    double sd() const { return std::sqrt(variance()); }
    double standard_error() const { return sd() / std::sqrt(static_cast<double>(n_)); }
    /// Population (moment) skewness g1 = m3 / m2^(3/2).
    double skewness() const { return std::sqrt(static_cast<double>(n_)) * m3_ / std::pow(m2_, 1.5); }
    /// Population excess kurtosis g2 = n m4 / m2^2 - 3.
    double excess_kurtosis() const { return static_cast<double>(n_) * m4_ / (m2_ * m2_) - 3.0; }
    /// Standard error of the sample variance, sqrt((mu4 - sigma^4 (n-3)/(n-1)) / n).
    double variance_standard_error() const {
        const double n = static_cast<double>(n_);
        const double mu4 = m4_ / n, s2 = m2_ / n;
        return std::sqrt(std::max(0.0, (mu4 - s2 * s2 * (n - 3.0) / (n - 1.0)) / n));
    }

private:
    std::uint64_t n_ = 0;
    double mean_ = 0.0, m2_ = 0.0, m3_ = 0.0, m4_ = 0.0;
};

}  // namespace apmsim::stats
