// Maximum-likelihood fits of counts and severities (stats/claim_fits.hpp).
#include "apmsim/stats/claim_fits.hpp"
#include "apmsim/core/errors.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <boost/math/tools/minima.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace apmsim::stats {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

/// Counts and exposures, checked.
void check_counts(std::span<const double> events, std::span<const double> exposure) {
    if (events.size() != exposure.size())
        throw InvalidInput("exposure", std::to_string(events.size()) + " values (one per member)", std::to_string(exposure.size()));
    if (events.empty()) throw InvalidInput("events", "at least one member", "none");
    for (std::size_t i = 0; i < events.size(); ++i) {
        const std::string at = bracketed(i);
        if (!(events[i] >= 0.0) || events[i] != std::floor(events[i]) || events[i] > 1e9)
            throw InvalidInput("events" + at, "a whole number of events >= 0", show(events[i]));
        check::positive("exposure" + at, exposure[i]);
    }
}

double poisson_log_likelihood(std::span<const double> n, std::span<const double> e, double rate) {
    double l = 0.0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const double m = rate * e[i];
        l += (n[i] > 0 ? n[i] * std::log(m) : 0.0) - m - std::lgamma(n[i] + 1.0);
    }
    return l;
}

double nb_log_likelihood(std::span<const double> n, std::span<const double> e, double rate, double r) {
    double l = 0.0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const double m = rate * e[i];
        l += std::lgamma(n[i] + r) - std::lgamma(r) - std::lgamma(n[i] + 1.0) + r * std::log(r / (r + m)) + (n[i] > 0 ? n[i] * std::log(m / (r + m)) : 0.0);
    }
    return l;
}

/// The MLE of lambda for a fixed r: the root of sum (n_i - lambda e_i) / (r + lambda e_i),
/// decreasing in lambda, bracketed by the smallest and largest n_i / e_i.
double rate_given_dispersion(std::span<const double> n, std::span<const double> e, double r) {
    double lo = inf, hi = 0.0;
    for (std::size_t i = 0; i < n.size(); ++i) lo = std::min(lo, n[i] / e[i]), hi = std::max(hi, n[i] / e[i]);
    auto score = [&](double rate) {
        double s = 0.0;
        for (std::size_t i = 0; i < n.size(); ++i) s += (n[i] - rate * e[i]) / (r + rate * e[i]);
        return s;
    };
    for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; ++k) {
        const double mid = 0.5 * (lo + hi);
        (score(mid) > 0.0 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

/// Standard errors of (lambda, r) from the observed information of (log lambda, log r).
std::pair<double, double> nb_standard_errors(std::span<const double> n, std::span<const double> e, double rate, double r) {
    const double h = 1e-4, a = std::log(rate), b = std::log(r);
    auto l = [&](double x, double y) { return nb_log_likelihood(n, e, std::exp(x), std::exp(y)); };
    const double laa = (l(a + h, b) - 2 * l(a, b) + l(a - h, b)) / (h * h);
    const double lbb = (l(a, b + h) - 2 * l(a, b) + l(a, b - h)) / (h * h);
    const double lab = (l(a + h, b + h) - l(a + h, b - h) - l(a - h, b + h) + l(a - h, b - h)) / (4 * h * h);
    const double det = laa * lbb - lab * lab;  // information = -Hessian; its inverse's diagonal
    if (!(det > 0.0)) return {std::nan(""), std::nan("")};
    return {rate * std::sqrt(-lbb / det), r * std::sqrt(-laa / det)};
}

}  // namespace

FrequencyFit fit_frequency(std::span<const double> events, std::span<const double> exposure) {
    check_counts(events, exposure);
    FrequencyFit f;
    f.members = events.size();
    f.events = std::accumulate(events.begin(), events.end(), 0.0);
    f.exposure = std::accumulate(exposure.begin(), exposure.end(), 0.0);
    const double poisson_rate = f.events / f.exposure;
    f.poisson_log_likelihood = poisson_log_likelihood(events, exposure, poisson_rate);
    f.rate = poisson_rate;
    f.rate_se = std::sqrt(poisson_rate / f.exposure);
    f.dispersion = inf;
    f.negative_binomial_log_likelihood = f.poisson_log_likelihood;
    f.selected = "poisson";
    if (f.events == 0.0) return f;
    // Profile likelihood over log r in [log 1e-3, log 1e8]: beyond, a Poisson is as good.
    auto minus_profile = [&](double log_r) {
        const double r = std::exp(log_r);
        return -nb_log_likelihood(events, exposure, rate_given_dispersion(events, exposure, r), r);
    };
    const auto [log_r, minus_l] = boost::math::tools::brent_find_minima(minus_profile, std::log(1e-3), std::log(1e8), 40);
    const double r = std::exp(log_r);
    if (-minus_l <= f.poisson_log_likelihood || log_r > std::log(1e8) - 1e-3) return f;  // no overdispersion found
    f.dispersion = r;
    f.negative_binomial_log_likelihood = -minus_l;
    f.overdispersion_statistic = 2.0 * (f.negative_binomial_log_likelihood - f.poisson_log_likelihood);
    f.overdispersion_p_value = 0.5 * boost::math::cdf(boost::math::complement(boost::math::chi_squared(1.0), f.overdispersion_statistic));
    const double nb_rate = rate_given_dispersion(events, exposure, r);
    const auto [nb_rate_se, r_se] = nb_standard_errors(events, exposure, nb_rate, r);
    f.dispersion_se = r_se;
    if (f.overdispersion_p_value < 0.05) {
        f.selected = "negative_binomial";
        f.rate = nb_rate;
        f.rate_se = nb_rate_se;
    }
    return f;
}

Frequency FrequencyFit::frequency() const {
    if (selected == "negative_binomial") return NegativeBinomial(rate, dispersion);
    return Poisson(rate);
}

SeverityFit fit_severity(std::span<const double> amounts) {
    const std::size_t n = amounts.size();
    if (n < 2) throw InvalidInput("amounts", "at least 2 claims", std::to_string(n));
    double sum = 0.0, sum_log = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        check::positive("amounts[" + std::to_string(i) + "]", amounts[i]);
        sum += amounts[i];
        sum_log += std::log(amounts[i]);
    }
    SeverityFit s;
    s.claims = n;
    s.mean = sum / static_cast<double>(n);
    const double mean_log = sum_log / static_cast<double>(n);
    double ss = 0.0;
    for (double x : amounts) ss += (std::log(x) - mean_log) * (std::log(x) - mean_log);
    if (!(ss > 0.0)) throw InvalidInput("amounts", "claims of more than one amount (a spread to fit)", "all equal to " + show(amounts[0]));
    s.lognormal_mu = mean_log;
    s.lognormal_sigma = std::sqrt(ss / static_cast<double>(n));
    s.lognormal_mu_se = s.lognormal_sigma / std::sqrt(static_cast<double>(n));
    s.lognormal_sigma_se = s.lognormal_sigma / std::sqrt(2.0 * static_cast<double>(n));
    s.lognormal_log_likelihood = -sum_log - static_cast<double>(n) * (std::log(s.lognormal_sigma) + 0.5 * std::log(2 * M_PI) + 0.5);
    // Gamma: log a - digamma(a) = d > 0, Newton from Minka's closed-form start.
    const double d = std::log(s.mean) - mean_log;
    double a = (3.0 - d + std::sqrt((d - 3.0) * (d - 3.0) + 24.0 * d)) / (12.0 * d);
    for (int k = 0; k < 100; ++k) {
        const double step = (std::log(a) - boost::math::digamma(a) - d) / (1.0 / a - boost::math::trigamma(a));
        a = std::max(a - step, a / 10.0);
        if (std::fabs(step) < 1e-14 * a) break;
    }
    s.gamma_shape = a;
    s.gamma_scale = s.mean / a;
    s.gamma_shape_se = std::sqrt(a / (static_cast<double>(n) * (a * boost::math::trigamma(a) - 1.0)));
    s.gamma_log_likelihood = static_cast<double>(n) * (-std::lgamma(a) - a * std::log(s.gamma_scale)) + (a - 1.0) * sum_log - sum / s.gamma_scale;
    s.selected = s.gamma_log_likelihood > s.lognormal_log_likelihood ? "gamma" : "lognormal";
    return s;
}

namespace {

/// The generalized Pareto log-likelihood of excesses `y` (xi >= 0; xi = 0 the exponential).
double gpd_log_likelihood(std::span<const double> y, double xi, double beta) {
    if (!(beta > 0.0) || !(xi >= 0.0)) return -inf;
    double l = -static_cast<double>(y.size()) * std::log(beta);
    for (double v : y) l -= xi < 1e-12 ? v / beta : (1.0 + 1.0 / xi) * std::log1p(xi * v / beta);
    return l;
}

}  // namespace

ParetoTailFit fit_pareto_tail(std::span<const double> amounts, double threshold) {
    check::positive("threshold", threshold);
    std::vector<double> y;
    for (std::size_t i = 0; i < amounts.size(); ++i) {
        check::positive("amounts[" + std::to_string(i) + "]", amounts[i]);
        if (amounts[i] > threshold) y.push_back(amounts[i] - threshold);
    }
    const auto n = static_cast<double>(y.size());
    if (y.size() < 10) throw InvalidInput("threshold", "at least 10 amounts above it", std::to_string(y.size()) + " above " + show(threshold));
    const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / n;
    auto xi_of = [&](double theta) {
        double s = 0.0;
        for (double v : y) s += std::log1p(theta * v);
        return s / n;
    };
    auto minus_profile = [&](double log_theta) {
        const double theta = std::exp(log_theta), xi = xi_of(theta);
        return n * std::log(xi / theta) + n * (1.0 + xi);
    };
    const auto best = boost::math::tools::brent_find_minima(minus_profile, std::log(1e-6 / mean_y), std::log(1e4 / mean_y), 40);
    ParetoTailFit f;
    f.threshold = threshold, f.exceedances = y.size(), f.share_below = 1.0 - n / static_cast<double>(amounts.size());
    const double exponential = -n * std::log(mean_y) - n;
    if (-best.second > exponential) {
        const double theta = std::exp(best.first);
        f.shape = xi_of(theta), f.scale = f.shape / theta, f.log_likelihood = -best.second;
    } else {
        f.shape = 0.0, f.scale = mean_y, f.log_likelihood = exponential;
    }
    // Standard errors: the observed information of (xi, log beta), by central differences.
    const double h = 1e-4, a = f.shape, b = std::log(f.scale);
    auto l = [&](double x, double lb) { return gpd_log_likelihood(y, std::max(x, 0.0), std::exp(lb)); };
    const double laa = (l(a + h, b) - 2 * l(a, b) + l(a - h, b)) / (h * h), lbb = (l(a, b + h) - 2 * l(a, b) + l(a, b - h)) / (h * h);
    const double lab = (l(a + h, b + h) - l(a + h, b - h) - l(a - h, b + h) + l(a - h, b - h)) / (4 * h * h);
    const double det = laa * lbb - lab * lab;
    f.shape_se = det > 0.0 && f.shape > h ? std::sqrt(-lbb / det) : std::nan("");
    f.scale_se = det > 0.0 && f.shape > h ? f.scale * std::sqrt(-laa / det) : f.scale / std::sqrt(n);
    return f;
}

Severity SeverityFit::severity() const {
    if (selected == "gamma") return Gamma(gamma_shape, gamma_scale);
    return Lognormal(lognormal_mu, lognormal_sigma);
}

}  // namespace apmsim::stats
