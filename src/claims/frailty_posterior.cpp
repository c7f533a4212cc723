// A member's frailty given the counts seen (claims/frailty_posterior.hpp).
#include "apmsim/claims/frailty_posterior.hpp"

#include "apmsim/core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace apmsim::claims {

namespace {
constexpr std::size_t grid_points = 2048;
constexpr double log_drop = 36.0;  // the table ends where the density has fallen by e^-36
}  // namespace

FrailtyPosterior::FrailtyPosterior(double frailty_cv, std::span<const CountSeen> seen) : seen_(seen.begin(), seen.end()) {
    if (!(frailty_cv >= 0.0) || !std::isfinite(frailty_cv)) throw InvalidInput("frailty_cv", "a finite number >= 0", show(frailty_cv));
    for (std::size_t c = 0; c < seen_.size(); ++c) {
        const std::string at = "seen[" + std::to_string(c) + "]";
        if (!(seen_[c].expected >= 0.0) || !std::isfinite(seen_[c].expected)) throw InvalidInput(at + ".expected", "a finite number >= 0", show(seen_[c].expected));
        if (!(seen_[c].size > 0.0)) throw InvalidInput(at + ".size", "a size > 0 (infinity: Poisson)", show(seen_[c].size));
        if (seen_[c].count > 0 && seen_[c].expected == 0.0)
            throw InvalidInput(at + ".count", "no events where none are expected", std::to_string(seen_[c].count) + " events");
    }
    if (frailty_cv == 0.0) return;  // F = 1
    shape_ = 1.0 / (frailty_cv * frailty_cv);
    const double mode = find_mode();
    const double top = log_density(mode);
    const double step = 1.0 / std::sqrt(-curvature(mode));
    double lo = mode, hi = mode;
    for (int k = 0; k < 4000 && log_density(lo) > top - log_drop; ++k) lo -= step;
    for (int k = 0; k < 4000 && log_density(hi) > top - log_drop; ++k) hi += step;
    x_.resize(grid_points);
    cdf_.assign(grid_points, 0.0);
    std::vector<double> density(grid_points);
    for (std::size_t j = 0; j < grid_points; ++j) {
        x_[j] = lo + (hi - lo) * static_cast<double>(j) / static_cast<double>(grid_points - 1);
        density[j] = std::exp(log_density(x_[j]) - top);
    }
    double weighted = 0.0;
    for (std::size_t j = 1; j < grid_points; ++j) {
        const double h = x_[j] - x_[j - 1];
        cdf_[j] = cdf_[j - 1] + 0.5 * h * (density[j] + density[j - 1]);
        weighted += 0.5 * h * (density[j] * std::exp(x_[j]) + density[j - 1] * std::exp(x_[j - 1]));
    }
    mean_ = weighted / cdf_.back();
    for (double& p : cdf_) p /= cdf_.back();
}

// log p(x = log F | n) up to a constant: the prior k x - k e^x (Jacobian included) and each
// category's likelihood, n x - (n + r) log(r + lambda e^x) (NB) or n x - lambda e^x (Poisson).
double FrailtyPosterior::log_density(double x) const {
    const double f = std::exp(x);
    double s = shape_ * (x - f);
    for (const CountSeen& c : seen_) {
        if (c.expected == 0.0) continue;
        const double n = c.count;
        s += std::isinf(c.size) ? n * x - c.expected * f : n * x - (n + c.size) * std::log1p(c.expected * f / c.size);
    }
    return s;
}

double FrailtyPosterior::slope(double x) const {
    const double f = std::exp(x);
    double s = shape_ * (1.0 - f);
    for (const CountSeen& c : seen_) {
        if (c.expected == 0.0) continue;
        const double lf = c.expected * f;
        s += std::isinf(c.size) ? c.count - lf : c.count - (c.count + c.size) * lf / (c.size + lf);
    }
    return s;
}

double FrailtyPosterior::curvature(double x) const {
    const double f = std::exp(x);
    double s = -shape_ * f;
    for (const CountSeen& c : seen_) {
        if (c.expected == 0.0) continue;
        const double lf = c.expected * f;
        s -= std::isinf(c.size) ? lf : (c.count + c.size) * c.size * lf / ((c.size + lf) * (c.size + lf));
    }
    return s;
}

// Newton's method on the concave log density, from the all-Poisson answer, steps at most 2.
double FrailtyPosterior::find_mode() const {
    double n = 0.0, lambda = 0.0;
    for (const CountSeen& c : seen_) n += c.count, lambda += c.expected;
    double x = std::log((shape_ + n) / (shape_ + lambda));
    for (int k = 0; k < 200; ++k) {
        const double step = std::clamp(-slope(x) / curvature(x), -2.0, 2.0);
        x += step;
        if (std::fabs(step) < 1e-12) break;
    }
    return x;
}

double FrailtyPosterior::draw(double u) const {
    if (x_.empty()) return 1.0;
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    if (it == cdf_.begin()) return std::exp(x_.front());
    if (it == cdf_.end()) return std::exp(x_.back());
    const std::size_t j = static_cast<std::size_t>(it - cdf_.begin());
    const double w = (u - cdf_[j - 1]) / (cdf_[j] - cdf_[j - 1]);
    return std::exp(x_[j - 1] + w * (x_[j] - x_[j - 1]));
}

}  // namespace apmsim::claims
