#pragma once
/// \file aggregate_distribution.hpp
/// \brief The result of an aggregate-loss computation: a lattice pmf (Panjer, FFT, pool),
/// a moment approximation (normal, normal power, translated gamma) or a Monte Carlo sample,
/// behind one interface: cdf, quantile/VaR, TVaR, stop-loss premium E[(S-d)+], limited
/// expected value E[min(S,u)], the moments of the computed distribution next to the
/// analytic ones, and diagnostics (method, step, missing and tail mass, aliasing).
///
/// Conventions (Loss Models, chapter 3 and section 9.6):
///   quantile(p) = VaR_p = the smallest x with F(x) >= p (a lattice node or a sample value);
///   TVaR_p = VaR_p + E[(S - VaR_p)+] / (1 - p), the expected shortfall, which equals
///   E[S | S > VaR_p] for continuous S and stays coherent on a lattice.
/// Every result also carries a grid pmf (`pmf()`, `cdf_values()`) on 0, h, 2h, ...: the
/// lattice itself, or, for approximations and samples, their mass rounded to the nearest
/// node (node j holds P((j-1/2)h < S <= (j+1/2)h), node 0 everything up to h/2, including
/// an approximation's mass below zero).
/// A lattice that does not hold all the probability (mass beyond its upper end, severity
/// tail mass) says so in `diagnostics().missing_mass`; quantiles beyond the mass it holds
/// raise ComputationError instead of returning a wrong node. When the lattice's model mean
/// is known (aggregate(): E[N] times the mean of the discretised severity, its own tail
/// included), stop-loss premiums, and so expected shortfalls, count the missing probability:
/// E[(S - d)+] = the lattice's part + E[S; S > U] - d P(S > U) for d up to the upper end U,
/// with E[S; S > U] that mean less the lattice's first moment (at least U times the missing
/// mass); beyond U they and limited expected values raise ComputationError, as quantiles do.

#include "apmsim/core/errors.hpp"
#include "apmsim/exact/approximations.hpp"
#include "apmsim/exact/compound_moments.hpp"
#include "apmsim/exact/discretize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <variant>
#include <vector>

namespace apmsim {

/// What was computed, and how well.
struct AggregateDiagnostics {
    std::string method;          ///< panjer, fft, normal, normal_power, translated_gamma, simulation
    std::string discretization;  ///< severity discretisation of lattice methods ("" otherwise)
    double step = 0.0;           ///< lattice step h
    std::size_t nodes = 0;       ///< lattice nodes (upper end = (nodes - 1) h)
    double severity_tail_mass = 0.0;  ///< P(X beyond the lattice) of the discretised severity (largest over cells)
    double missing_mass = 0.0;        ///< 1 - sum of the lattice pmf: probability beyond the lattice
    double aliasing_estimate = 0.0;   ///< FFT: bound on wrapped-around mass
    double roundoff = 0.0;            ///< FFT: largest negative value set to zero
    double mass_below_zero = 0.0;     ///< approximations: P(S < 0) of the approximating law
    std::size_t fft_length = 0;
    double tilt = 0.0;                ///< theta x fft_length
    int rescalings = 0;               ///< Panjer: power-of-two rescalings against underflow
    std::uint64_t samples = 0, seed = 0;  ///< simulation
    std::vector<std::string> notes;
};

/// The pmf of a lattice distribution on 0, h, 2h, ...
class LatticeDistribution {
public:
    LatticeDistribution(double step, std::vector<double> pmf) : h_(step), pmf_(std::move(pmf)) {
        check::positive("step", step);
        if (pmf_.empty()) throw InvalidInput("pmf", "at least one lattice mass", "none");
        cum_.resize(pmf_.size());
        double s = 0.0, c = 0.0;  // Neumaier-compensated running sum
        for (std::size_t j = 0; j < pmf_.size(); ++j) {
            const double t = s + pmf_[j];
            c += std::fabs(s) >= std::fabs(pmf_[j]) ? (s - t) + pmf_[j] : (pmf_[j] - t) + s;
            s = t;
            cum_[j] = s + c;
        }
    }
    double step() const { return h_; }
    const std::vector<double>& pmf() const { return pmf_; }
    const std::vector<double>& cumulative() const { return cum_; }
    double total() const { return cum_.back(); }
    double missing() const { return std::max(0.0, 1.0 - total()); }

    /// P(S <= x); beyond the lattice the last value (a lower bound when mass is missing).
    double cdf(double x) const {
        if (x < 0.0) return 0.0;
        const std::size_t j = index_at_or_below(x);
        return cum_[j];
    }
    /// P(S < x).
    double cdf_left(double x) const {
        if (!(x > 0.0)) return 0.0;
        const std::size_t j = index_at_or_below(x);
        if (static_cast<double>(j) * h_ < x) return cum_[j];
        return j == 0 ? 0.0 : cum_[j - 1];
    }
    double quantile(double p) const {
        const auto it = std::lower_bound(cum_.begin(), cum_.end(), p);
        if (it == cum_.end()) {
            if (missing() > negligible_missing_mass)
                throw ComputationError("quantile(" + show(p) + "): beyond the probability the lattice holds (" +
                                       show(total()) + "; missing mass " + show(missing()) +
                                       "): use a larger upper limit");
            std::size_t j = pmf_.size() - 1;  // rounding only: the last node with mass
            while (j > 0 && pmf_[j] <= 0.0) --j;
            return static_cast<double>(j) * h_;
        }
        return static_cast<double>(it - cum_.begin()) * h_;
    }
    /// E[min(S, u)]; mass beyond the lattice counts at u when u exceeds the upper end.
    double limited_expected_value(double u) const {
        double s = 0.0;
        std::size_t j = 0;
        for (; j < pmf_.size() && static_cast<double>(j) * h_ < u; ++j) s += static_cast<double>(j) * h_ * pmf_[j];
        const double below = j == 0 ? 0.0 : cum_[j - 1];
        return s + u * (1.0 - below);
    }
    /// E[(S - d)+] over the lattice (mass beyond it is not included: see missing() and
    /// AggregateDistribution::stop_loss_premium).
    double stop_loss(double d) const {
        double s = 0.0;
        for (std::size_t j = pmf_.size(); j-- > 0;) {
            const double x = static_cast<double>(j) * h_;
            if (x <= d) break;
            s += (x - d) * pmf_[j];
        }
        return s;
    }
    /// sum_j x_j p_j over the lattice (not renormalised).
    double first_moment() const {
        double m1 = 0.0;
        for (std::size_t j = 0; j < pmf_.size(); ++j) m1 += static_cast<double>(j) * h_ * pmf_[j];
        return m1;
    }
    double upper_end() const { return static_cast<double>(pmf_.size() - 1) * h_; }
    /// Mass beyond the lattice below which results ignore it (as quantile() does).
    static constexpr double negligible_missing_mass = 1e-12;
    /// ComputationError unless `x` is within the lattice or the lattice misses no probability.
    void check_within(const char* what, double x) const {
        if (x > upper_end() && missing() > negligible_missing_mass)
            throw ComputationError(std::string(what) + "(" + show(x) + "): beyond the lattice's upper end " + show(upper_end()) +
                                   ", past which it misses probability " + show(missing()) + ": use a larger upper limit");
    }

    /// Moments of the lattice renormalised to the probability it holds.
    Moments moments() const {
        double m0 = 0.0, m1 = 0.0;
        for (std::size_t j = 0; j < pmf_.size(); ++j) {
            m0 += pmf_[j];
            m1 += static_cast<double>(j) * h_ * pmf_[j];
        }
        const double mean = m1 / m0;
        double c2 = 0.0, c3 = 0.0;
        for (std::size_t j = 0; j < pmf_.size(); ++j) {
            const double d = static_cast<double>(j) * h_ - mean;
            c2 += d * d * pmf_[j];
            c3 += d * d * d * pmf_[j];
        }
        c2 /= m0;
        c3 /= m0;
        return {mean, c2, c2 > 0.0 ? c3 / (c2 * std::sqrt(c2)) : 0.0};
    }

private:
    std::size_t index_at_or_below(double x) const {
        double r = std::floor(x / h_);
        if ((r + 1.0) * h_ <= x) r += 1.0;  // x/h rounded down past a node
        if (r * h_ > x) r -= 1.0;
        return static_cast<std::size_t>(std::min(r, static_cast<double>(pmf_.size() - 1)));
    }
    double h_;
    std::vector<double> pmf_, cum_;
};

/// A Monte Carlo sample of S, kept sorted.
class EmpiricalDistribution {
public:
    explicit EmpiricalDistribution(std::vector<double> samples) : x_(std::move(samples)) {
        if (x_.empty()) throw InvalidInput("samples", "at least one sample", "none");
        std::sort(x_.begin(), x_.end());
    }
    const std::vector<double>& sorted() const { return x_; }
    double size() const { return static_cast<double>(x_.size()); }
    double cdf(double x) const { return static_cast<double>(std::upper_bound(x_.begin(), x_.end(), x) - x_.begin()) / size(); }
    double cdf_left(double x) const { return static_cast<double>(std::lower_bound(x_.begin(), x_.end(), x) - x_.begin()) / size(); }
    /// Smallest sample value with empirical cdf >= p.
    double quantile(double p) const {
        const double k = std::ceil(p * size() - 1e-9);
        return x_[static_cast<std::size_t>(std::clamp(k, 1.0, size())) - 1];
    }
    double limited_expected_value(double u) const {
        double s = 0.0;
        for (double v : x_) s += std::min(v, u);
        return s / size();
    }
    double stop_loss(double d) const {
        double s = 0.0;
        for (auto it = std::upper_bound(x_.begin(), x_.end(), d); it != x_.end(); ++it) s += *it - d;
        return s / size();
    }
    Moments moments() const {
        const double n = size();
        const double mean = std::accumulate(x_.begin(), x_.end(), 0.0) / n;
        double c2 = 0.0, c3 = 0.0;
        for (double v : x_) {
            const double d = v - mean;
            c2 += d * d;
            c3 += d * d * d;
        }
        c2 /= n;
        c3 /= n;
        return {mean, c2 * n / std::max(1.0, n - 1.0), c2 > 0.0 ? c3 / (c2 * std::sqrt(c2)) : 0.0};
    }

private:
    std::vector<double> x_;
};

using AggregateRepresentation = std::variant<LatticeDistribution, NormalApproximation, NormalPowerApproximation,
                                             TranslatedGammaApproximation, EmpiricalDistribution>;

/// Differences between the computed and the analytic moments (the validation figures).
struct MomentErrors {
    double mean_relative = 0.0;      ///< (computed - analytic) / analytic
    double variance_relative = 0.0;  ///< (computed - analytic) / analytic
    double skewness_absolute = 0.0;  ///< computed - analytic
};

class AggregateDistribution {
public:
    /// `lattice_model_mean`: the mean a lattice representation would have if it held all the
    /// probability (see the file comment); NaN when not known, and then stop-loss premiums
    /// leave out the mass beyond the lattice (reported as missing_mass).
    AggregateDistribution(AggregateRepresentation representation, double step, std::size_t nodes, Cumulants analytic,
                          AggregateDiagnostics diagnostics, double lattice_model_mean = std::numeric_limits<double>::quiet_NaN())
        : rep_(std::move(representation)), analytic_(analytic), diag_(std::move(diagnostics)), lattice_model_mean_(lattice_model_mean) {
        diag_.step = step;
        diag_.nodes = nodes;
        if (const auto* lattice = std::get_if<LatticeDistribution>(&rep_)) {
            grid_pmf_ = lattice->pmf();
            diag_.missing_mass = lattice->missing();
        } else {
            Grid g{step, nodes};
            g.validate("grid");
            grid_pmf_.assign(nodes, 0.0);
            double previous = 0.0;
            for (std::size_t j = 0; j < nodes; ++j) {
                const double next = cdf((static_cast<double>(j) + 0.5) * step);
                grid_pmf_[j] = next - previous;
                previous = next;
            }
            diag_.missing_mass = std::max(0.0, 1.0 - previous);
        }
    }

    const AggregateRepresentation& representation() const { return rep_; }
    const AggregateDiagnostics& diagnostics() const { return diag_; }
    const std::string& method() const { return diag_.method; }
    double step() const { return diag_.step; }
    std::size_t nodes() const { return diag_.nodes; }
    /// Lattice values 0, h, ..., (nodes-1) h.
    std::vector<double> grid() const {
        std::vector<double> x(diag_.nodes);
        for (std::size_t j = 0; j < x.size(); ++j) x[j] = static_cast<double>(j) * diag_.step;
        return x;
    }
    const std::vector<double>& pmf() const { return grid_pmf_; }
    std::vector<double> cdf_values() const {
        std::vector<double> c(grid_pmf_.size());
        std::partial_sum(grid_pmf_.begin(), grid_pmf_.end(), c.begin());
        return c;
    }

    /// P(S <= x).
    double cdf(double x) const {
        check_not_nan("x", x);
        return std::visit([x](const auto& d) { return d.cdf(x); }, rep_);
    }
    /// P(S < x).
    double cdf_left(double x) const {
        check_not_nan("x", x);
        return std::visit(
            [x](const auto& d) {
                if constexpr (requires { d.cdf_left(x); }) return d.cdf_left(x);
                else return d.cdf(x);
            },
            rep_);
    }
    double quantile(double p) const {
        check::in_open("p", p, 0.0, 1.0);
        return std::visit([p](const auto& d) { return d.quantile(p); }, rep_);
    }
    /// Expected shortfall (TVaR) at level p: VaR_p + E[(S - VaR_p)+] / (1 - p), the mean of
    /// the worst 100(1 - p)% (stats/summary.hpp states the definition; exact with atoms).
    double expected_shortfall(double p) const {
        const double v = quantile(p);
        return v + stop_loss_premium(v) / (1.0 - p);
    }
    /// E[(S - d)+]; a lattice's counts the mass beyond it (see the file comment).
    double stop_loss_premium(double d) const {
        check::finite("d", d);
        if (const auto* lattice = std::get_if<LatticeDistribution>(&rep_)) {
            const double inside = lattice->stop_loss(d), missing = lattice->missing();
            if (missing <= LatticeDistribution::negligible_missing_mass || std::isnan(lattice_model_mean_)) return inside;
            lattice->check_within("stop_loss_premium", d);
            const double beyond = std::max(missing * lattice->upper_end(), lattice_model_mean_ - lattice->first_moment());  // E[S; S > U]
            return inside + beyond - d * missing;
        }
        return std::visit([d](const auto& x) { return x.stop_loss(d); }, rep_);
    }
    /// E[min(S, u)].
    double limited_expected_value(double u) const {
        check_not_nan("u", u);
        if (const auto* lattice = std::get_if<LatticeDistribution>(&rep_)) lattice->check_within("limited_expected_value", u);
        return std::visit(
            [u](const auto& x) {
                if constexpr (requires { x.limited_expected_value(u); }) return x.limited_expected_value(u);
                else return x.mean() - x.stop_loss(u);
            },
            rep_);
    }
    /// Moments of the computed distribution.
    Moments moments() const {
        return std::visit([](const auto& x) { return x.moments(); }, rep_);
    }
    /// Closed-form moments of the model (compound_moments.hpp).
    Moments analytic_moments() const { return {analytic_.k1, analytic_.k2, analytic_.skewness()}; }
    const Cumulants& analytic_cumulants() const { return analytic_; }
    MomentErrors moment_errors() const {
        const Moments c = moments(), a = analytic_moments();
        auto rel = [](double x, double y) { return y != 0.0 ? (x - y) / y : x - y; };
        return {rel(c.mean, a.mean), rel(c.variance, a.variance), c.skewness - a.skewness};
    }

private:
    static void check_not_nan(const char* where, double v) {
        if (std::isnan(v)) throw InvalidInput(where, "a number", "NaN");
    }
    AggregateRepresentation rep_;
    Cumulants analytic_;
    AggregateDiagnostics diag_;
    double lattice_model_mean_;
    std::vector<double> grid_pmf_;
};

}  // namespace apmsim
