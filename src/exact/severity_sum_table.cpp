// Quantile tables of sums of severities (exact/severity_sum_table.hpp).
#include "apmsim/exact/severity_sum_table.hpp"

#include "apmsim/distributions/json.hpp"
#include "apmsim/exact/discretize.hpp"
#include "apmsim/exact/fft.hpp"
#include "apmsim/exact/severity_tail.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

namespace apmsim {

namespace {

constexpr double lattice_reach = 1e-10;  ///< the lattice holds X up to Q_X(1 - lattice_reach)
constexpr double far_tail_end = 1e-15;   ///< smallest (1 - u)/n the extrapolated tail evaluates
constexpr double tilt = 10.0;            ///< theta x transform length (fft.hpp)
constexpr double body_step = (1.0 - 2 * SeveritySumTable::tail_start) / static_cast<double>(SeveritySumTable::body_points - 1);

/// Q_X(1 - p) for p >= far_tail_end.
double severity_upper_quantile(const Severity& x, double p) { return quantile(x, 1.0 - std::max(p, far_tail_end)); }

}  // namespace

SeveritySumTable::SeveritySumTable(const Severity& severity, const std::string& where) : severity_(severity) {
    const double m = mean(severity), v = variance(severity);
    if (!std::isfinite(m) || !std::isfinite(v) || !(m > 0.0))
        throw InvalidInput(where, "a severity with a finite mean and variance (tabulated mode; exact mode takes any)",
                           type_name(severity) + " with mean " + show(m) + " and variance " + show(v));
    const double upper = apmsim::quantile(severity, 1.0 - lattice_reach) + chunk * m + 10.0 * std::sqrt(chunk * v);
    const Grid grid{upper / static_cast<double>(lattice_nodes - 1), lattice_nodes};
    step_ = grid.step;
    log_ratio_ = std::log(tail_end / tail_start) / static_cast<double>(tail_points - 1);
    const DiscretizedSeverity lattice = discretize(severity, grid, Discretization::unbiased);
    q_.assign(static_cast<std::size_t>(chunk) * row_size, 0.0);
    jump_base_.assign(chunk, 0.0);

    // S_n's masses: the n-th power of X's tilted transform, inverted (fft.hpp).
    RealFft fft(2 * lattice_nodes);
    const double theta = tilt / static_cast<double>(fft.length());
    const std::vector<Complex> spectrum = fft.forward(lattice.masses, theta);
    std::vector<Complex> power = spectrum;
    for (std::uint32_t n = 1; n <= chunk; ++n) {
        if (n > 1)
            for (std::size_t k = 0; k < power.size(); ++k) power[k] *= spectrum[k];
        std::vector<double> masses = fft.inverse(power, lattice_nodes, theta);
        for (double& f : masses) f = std::max(f, 0.0);  // round-off below zero
        tabulate(n, masses);
        measure(n);
    }
    if (mean_error_ > max_mean_error)
        throw InvalidInput(where, "a severity whose sums the tables hold within a relative mean error of " + show(max_mean_error) +
                                      " (tabulated mode; use exact mode for this one)",
                           type_name(severity) + " with a relative mean error of " + show(mean_error_));
}

/// Row n: the quantile function of the lattice masses, each mass j >= 1 spread evenly over
/// [x_j - h/2, x_j + h/2]. The lower tail and the body come from the cumulative sums below
/// (one walk up the lattice), the upper tail from the survival sums above (one walk down), so
/// small tail probabilities keep their digits.
void SeveritySumTable::tabulate(std::uint32_t n, const std::vector<double>& masses) {
    Knot* q = q_.data() + static_cast<std::size_t>(n - 1) * row_size;
    Knot* lower = q;
    Knot* body = q + tail_points;
    Knot* upper = body + body_points;
    const double h = step_;
    const std::size_t last = masses.size() - 1;
    auto spread = [&](std::size_t j, double beyond_target) {  // x_j + h/2 - h (distance past the target) / f_j
        return masses[j] > 0.0 ? h * static_cast<double>(j) + h / 2 - h * beyond_target / masses[j] : h * static_cast<double>(j);
    };
    double below = masses[0];  // F(x_j + h/2) as j walks up
    std::size_t j = 0;
    auto up_to = [&](double u) {
        if (u <= masses[0]) return 0.0;  // the atom at zero
        while (j < last && below < u) below += masses[++j];
        return spread(j, below - u);
    };
    for (std::size_t g = tail_points; g-- > 0;) lower[g] = static_cast<Knot>(up_to(tail_start * std::exp(static_cast<double>(g) * log_ratio_)));
    for (std::size_t k = 0; k < body_points; ++k) body[k] = static_cast<Knot>(up_to(tail_start + static_cast<double>(k) * body_step));
    double total = 0.0;
    for (double f : masses) total += f;
    double above = std::max(0.0, 1.0 - total);  // S(x_j + h/2) as j walks down: the mass beyond the lattice too
    j = last;
    for (std::size_t g = tail_points; g-- > 0;) {  // smallest 1 - u first
        const double p = tail_start * std::exp(static_cast<double>(g) * log_ratio_);
        while (j > 0 && above + masses[j] <= p) above += masses[j--];
        upper[g] = static_cast<Knot>(spread(j, p - above));
    }
    // Round-off of the sums must not make the function decrease: in order of u.
    for (std::size_t g = tail_points - 1; g-- > 0;) lower[g] = std::max(lower[g], lower[g + 1]);
    body[0] = std::max(body[0], lower[0]);
    for (std::size_t k = 1; k < body_points; ++k) body[k] = std::max(body[k], body[k - 1]);
    upper[0] = std::max(upper[0], body[body_points - 1]);
    for (std::size_t g = 1; g < tail_points; ++g) upper[g] = std::max(upper[g], upper[g - 1]);
    jump_base_[n - 1] = severity_upper_quantile(severity_, tail_end / n);
}

double SeveritySumTable::quantile(std::uint32_t n, double u) const {
    if (u >= 1.0 - tail_start) return upper_quantile(n, 1.0 - u);
    const Knot* q = row(n);
    if (u < tail_start) {  // the lower tail, in log u; below tail_end, linear down to 0
        const Knot* lower = q;
        if (u <= tail_end) return lower[tail_points - 1] * (u / tail_end);
        return along_tail(lower, u);
    }
    const Knot* body = q + tail_points;
    const double t = std::min((u - tail_start) / body_step, static_cast<double>(body_points - 1));
    const auto k = std::min(static_cast<std::size_t>(t), body_points - 2);
    return body[k] + (t - static_cast<double>(k)) * (static_cast<double>(body[k + 1]) - body[k]);
}

double SeveritySumTable::upper_quantile(std::uint32_t n, double p) const {
    const Knot* upper = row(n) + tail_points + body_points;
    if (p <= tail_end)  // one big jump beyond the last tabulated quantile
        return upper[tail_points - 1] + severity_upper_quantile(severity_, p / n) - jump_base_[n - 1];
    return along_tail(upper, p);
}

/// A tail's value at probability p (u in the lower tail, 1 - u in the upper), tail_end < p
/// <= tail_start: linear in log p between its points.
double SeveritySumTable::along_tail(const Knot* tail, double p) const {
    const double s = std::log(p / tail_start) / log_ratio_;  // 0 .. tail_points - 1
    const auto g = std::min(static_cast<std::size_t>(std::max(s, 0.0)), tail_points - 2);
    return tail[g] + (s - static_cast<double>(g)) * (static_cast<double>(tail[g + 1]) - tail[g]);
}

/// Mean and standard deviation of the tables' S_n (the interpolant integrated, the
/// extrapolated tails with it) against n E[X] and sqrt(n Var X).
void SeveritySumTable::measure(std::uint32_t n) {
    double m1 = 0.0, m2 = 0.0;
    // Integrals of Q and Q^2 over a tail, as integrals over L = log p (dp = p dL), Simpson's rule.
    auto over_log_p = [&](double from, double to, auto value) {
        constexpr int panels = 16;
        const double w = (to - from) / panels;
        for (int i = 0; i <= panels; ++i) {
            const double p = std::exp(from + i * w), v = value(p);
            const double weight = (i == 0 || i == panels ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)) * w / 3.0 * p;
            m1 += weight * v;
            m2 += weight * v * v;
        }
    };
    const Knot* body = row(n) + tail_points;
    for (std::size_t k = 0; k + 1 < body_points; ++k) {  // linear pieces: exact
        const double a = body[k], b = body[k + 1];
        m1 += body_step * (a + b) / 2;
        m2 += body_step * (a * a + a * b + b * b) / 3;
    }
    auto lower = [&](double u) { return quantile(n, u); };
    auto upper = [&](double p) { return upper_quantile(n, p); };
    for (std::size_t g = 0; g + 1 < tail_points; ++g) {
        const double L = std::log(tail_start) + static_cast<double>(g) * log_ratio_;
        over_log_p(L + log_ratio_, L, lower);
        over_log_p(L + log_ratio_, L, upper);
    }
    const double lowest = row(n)[tail_points - 1];  // below tail_end: linear from 0
    m1 += tail_end * lowest / 2;
    m2 += tail_end * lowest * lowest / 3;
    // Beyond 1 - tail_end: the mean in closed form, E[X; X > b] = pi(b) + b P(X > b) with
    // P(X > b) = tail_end / n; the second moment numerically down to (1 - u)/n = far_tail_end.
    const double end = body[body_points - 1 + tail_points], base = jump_base_[n - 1];
    const double extrapolated_mean = tail_end * (end - base) + n * severity_stop_loss(severity_, base) + base * tail_end;
    const double m1_before = m1;
    over_log_p(std::log(far_tail_end * n), std::log(tail_end), upper);
    m1 = m1_before + extrapolated_mean;
    const double exact_mean = n * mean(severity_), exact_sd = std::sqrt(n * variance(severity_));
    const double sd = std::sqrt(std::max(0.0, m2 - m1 * m1));
    mean_error_ = std::max(mean_error_, std::abs(m1 / exact_mean - 1.0));
    sd_error_ = std::max(sd_error_, std::abs(sd / exact_sd - 1.0));
}

std::shared_ptr<const SeveritySumTable> severity_sum_table(const Severity& severity, const std::string& where) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const SeveritySumTable>> built;
    const std::string key = to_json(severity).dump();
    std::lock_guard<std::mutex> lock(mutex);
    auto it = built.find(key);
    if (it == built.end()) it = built.emplace(key, std::make_shared<const SeveritySumTable>(severity, where)).first;
    return it->second;
}

}  // namespace apmsim
