#pragma once
/// \file severity_sum_table.hpp
/// \brief Quantile tables of the sum of n independent severities, S_n = X_1 + ... + X_n,
/// n = 1 .. chunk: what the engine's tabulated mode draws a member-year-category's cost
/// from (one uniform per `chunk` events instead of one per event; counts stay exact).
///
/// Construction (the exact methods of this folder): X is discretised on a lattice of
/// `lattice_nodes` points with the mean-preserving ("unbiased") method, reaching
/// Q_X(1 - 1e-10) + chunk E[X] + 10 sqrt(chunk) sd[X]; S_n's masses are the inverse
/// transform of the n-th power of X's (exponentially tilted, so the wrapped mass is
/// negligible: fft.hpp). Each lattice mass j >= 1 is spread evenly over [x_j - h/2,
/// x_j + h/2] (the mean is unchanged, the variance grows by h^2/12 per table draw), which
/// makes the quantile function continuous; it is kept at `body_points` probabilities evenly
/// spaced from 1/32 to 1 - 1/32 and, in each tail, `tail_points` spaced evenly in log u
/// (log(1 - u)) from there to 1e-8 (1 - 1e-8), and interpolated linearly in between (in u,
/// resp. log u or log(1 - u)); below u = 1e-8 linearly down to 0. Beyond 1 - 1e-8 the tail follows one big jump (Loss Models, subexponential
/// sums): Q_n(u) = Q_n(1 - 1e-8) + Q_X(1 - (1 - u)/n) - Q_X(1 - 1e-8/n).
///
/// The error is measured, not assumed: `mean_error` and `sd_error` compare each table's
/// mean and standard deviation (integrated from the interpolant, the extrapolated tail
/// included) with n E[X] and sqrt(n Var X). A severity whose tables miss the mean by more
/// than `max_mean_error` (a tail too heavy for the lattice) or whose variance is infinite
/// is refused, naming it: use exact mode.

#include "apmsim/distributions/distribution.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace apmsim {

class SeveritySumTable {
public:
    static constexpr std::uint32_t chunk = 16;           ///< largest n tabulated; longer sums add chunks
    static constexpr std::size_t lattice_nodes = 1u << 15;
    static constexpr std::size_t body_points = 2048;     ///< evenly spaced u from tail_start to 1 - tail_start
    static constexpr std::size_t tail_points = 384;      ///< per tail, evenly spaced in log u (log(1 - u)) from tail_start to tail_end
    static constexpr double tail_start = 1.0 / 32;       ///< u (1 - u) where the lower (upper) tail takes over from the body
    static constexpr double tail_end = 1e-8;             ///< 1 - u of the last tabulated quantile
    static constexpr double max_mean_error = 1e-4;       ///< relative; beyond it the severity is refused

    /// Builds the tables of `severity`; `where` names it in errors (e.g. "cost_model.cells.inpatient.A.severity").
    SeveritySumTable(const Severity& severity, const std::string& where);

    /// The u-quantile of S_n, 1 <= n <= chunk, 0 < u < 1.
    double quantile(std::uint32_t n, double u) const;
    /// The (1 - p)-quantile of S_n, 0 < p <= tail_start: the tail, with p's own digits.
    double upper_quantile(std::uint32_t n, double p) const;

    /// Largest relative error over n of the tables' mean, resp. standard deviation.
    double mean_error() const { return mean_error_; }
    double sd_error() const { return sd_error_; }
    /// The lattice step h (dollars): draws are exact up to the spreading of each mass over h.
    double lattice_step() const { return step_; }
    const Severity& severity() const { return severity_; }

private:
    Severity severity_;
    double step_ = 0.0;
    double log_ratio_ = 0.0;  ///< log of the tail grid's ratio between consecutive 1 - u
    /// Knots are floats: 7 significant digits are far finer than the lattice, and half the
    /// memory keeps the tables in cache (a draw is one random look-up).
    using Knot = float;
    std::vector<Knot> q_;   ///< [n - 1][row_size]
    std::vector<double> jump_base_;  ///< [n - 1] Q_X(1 - tail_end / n), for the extrapolated tail
    double mean_error_ = 0.0, sd_error_ = 0.0;

    static constexpr std::size_t row_size = tail_points + body_points + tail_points;  ///< lower tail, body, upper tail
    const Knot* row(std::uint32_t n) const { return q_.data() + static_cast<std::size_t>(n - 1) * row_size; }
    double along_tail(const Knot* tail, double p) const;
    void tabulate(std::uint32_t n, const std::vector<double>& masses);
    void measure(std::uint32_t n);
};

/// The table of `severity`, built once per process and shared (a sweep's variants and a
/// run's base period, calibration sample and main simulation reuse it). Thread-safe.
std::shared_ptr<const SeveritySumTable> severity_sum_table(const Severity& severity, const std::string& where);

}  // namespace apmsim
