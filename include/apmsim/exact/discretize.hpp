#pragma once
/// \file discretize.hpp
/// \brief Discretisation of a severity on the lattice x_j = j h, j = 0 .. nodes-1
/// (Loss Models, section 9.6.5), with the probability beyond the lattice reported as
/// `tail_mass`, never dropped silently: the masses sum to 1 - tail_mass.
///
/// Methods (names as in R's actuar::discretize):
///   upper:    f_j = F((j+1)h) - F(jh), f_0 = F(h); the lattice cdf bounds F from above
///             (mass moved down to the left node, so the lattice variable is stochastically
///             smaller); tail = 1 - F(nodes h).
///   lower:    f_0 = F(0), f_j = F(jh) - F((j-1)h); the lattice cdf bounds F from below
///             (mass moved up); tail = 1 - F((nodes-1) h).
///   rounding: f_0 = F(h/2), f_j = F((j+1/2)h) - F((j-1/2)h) (mass to the nearest node);
///             tail = 1 - F((nodes-1/2) h).
///   unbiased: local moment matching of the first moment with the limited expected value
///             L(u) = E[min(X, u)]: f_0 = 1 - L(h)/h, f_j = (2L(jh) - L((j-1)h) - L((j+1)h))/h,
///             and the last node keeps only the share of ((m-1)h, mh] that matches its
///             mean: f_m = (L(mh) - L((m-1)h))/h - (1 - F(mh)), tail = 1 - F(mh), m = nodes-1.
///             Then sum_j x_j f_j + U tail = E[min(X, U)] with U = mh (Loss Models: the mean is
///             preserved up to the grid's upper limit).
/// The unbiased masses are second differences of L: each is computed from the first
/// differences D_j = L((j+1)h) - L(jh), which makes the sum and the mean telescope exactly.
/// D_j is taken as pi(jh) - pi((j+1)h) with the stop-loss transform pi(u) = E[(X - u)+]
/// computed from the upper tail (severity_tail.hpp), so far-tail masses are not buried in
/// the rounding noise of L ~ E[X] (which would be ~1e-16 E[X]/h per node).

#include "apmsim/core/errors.hpp"
#include "apmsim/distributions/distribution.hpp"
#include "apmsim/exact/severity_tail.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace apmsim {

enum class Discretization { upper, lower, rounding, unbiased };

inline const char* discretization_name(Discretization m) {
    switch (m) {
        case Discretization::upper: return "upper";
        case Discretization::lower: return "lower";
        case Discretization::rounding: return "rounding";
        case Discretization::unbiased: return "unbiased";
    }
    return "?";
}

/// Parses "upper", "lower", "rounding" or "unbiased"; InvalidInput naming `where` otherwise.
inline Discretization discretization_from_name(const std::string& where, const std::string& name) {
    for (auto m : {Discretization::upper, Discretization::lower, Discretization::rounding, Discretization::unbiased})
        if (name == discretization_name(m)) return m;
    throw InvalidInput(where, "one of: upper, lower, rounding, unbiased", "\"" + name + "\"");
}

/// Largest lattice the exact methods accept (4,194,304 nodes: 32 MB of masses; the FFT
/// buffers are a few times more).
inline constexpr std::size_t max_grid_nodes = std::size_t{1} << 22;

/// Checks a requested lattice: step and upper 0 (= choose) or positive, nodes 0 (= choose)
/// or 2..max_grid_nodes, and not all three given at once.
inline void check_lattice_request(double step, double upper, std::size_t nodes) {
    if (!(step == 0.0)) check::positive("step", step);
    if (!(upper == 0.0)) check::positive("upper", upper);
    if (nodes != 0 && (nodes < 2 || nodes > max_grid_nodes))
        throw InvalidInput("nodes", "2 to " + std::to_string(max_grid_nodes) + " nodes", std::to_string(nodes));
    if (step > 0.0 && nodes > 0 && upper > 0.0)
        throw InvalidInput("upper", "no upper limit when both step and nodes are given", show(upper));
}

/// The lattice 0, h, 2h, ..., (nodes-1) h.
struct Grid {
    double step = 1.0;
    std::size_t nodes = 2;

    double upper() const { return step * static_cast<double>(nodes - 1); }
    double x(std::size_t j) const { return step * static_cast<double>(j); }

    void validate(const std::string& where = "grid") const {
        check::positive(where + ".step", step);
        if (nodes < 2 || nodes > max_grid_nodes)
            throw InvalidInput(where + ".nodes", "2 to " + std::to_string(max_grid_nodes) + " nodes",
                               std::to_string(nodes));
    }
    /// The lattice of step h reaching at least `upper` (nodes = ceil(upper/h) + 1).
    static Grid up_to(double step, double upper, const std::string& where = "grid") {
        check::positive(where + ".step", step);
        check::positive(where + ".upper", upper);
        const double n = std::ceil(upper / step * (1.0 - 1e-12)) + 1.0;
        if (!(n <= static_cast<double>(max_grid_nodes)))
            throw InvalidInput(where + ".step", "a step giving at most " + std::to_string(max_grid_nodes) +
                                                    " nodes up to " + show(upper),
                               show(step) + " (" + show(n) + " nodes)");
        return Grid{step, static_cast<std::size_t>(std::max(2.0, n))};
    }
};

/// A severity on a lattice: masses[j] at j * step, plus the probability beyond it.
struct DiscretizedSeverity {
    std::vector<double> masses;
    double step = 1.0;
    double tail_mass = 0.0;  ///< probability the lattice does not hold (beyond its upper end)
    Discretization method = Discretization::rounding;

    std::size_t nodes() const { return masses.size(); }
    double upper() const { return step * static_cast<double>(masses.size() - 1); }
    /// sum_j masses[j] (Neumaier-compensated).
    double total() const {
        double s = 0.0, c = 0.0;
        for (double m : masses) {
            const double t = s + m;
            c += std::fabs(s) >= std::fabs(m) ? (s - t) + m : (m - t) + s;
            s = t;
        }
        return s + c;
    }
    /// sum_j x_j masses[j]: the mean of the lattice part.
    double lattice_mean() const {
        double s = 0.0;
        for (std::size_t j = 0; j < masses.size(); ++j) s += static_cast<double>(j) * masses[j];
        return s * step;
    }
};

/// Discretises a distribution given by its cdf F, survival S = 1 - F and a function P
/// with P(a) - P(b) = L(b) - L(a) = integral of S over (a, b] (the stop-loss transform
/// E[(X - u)+] when the mean is finite, else -L(u)); P is used only by the unbiased method.
/// Masses below the median come from differences of F, above it from differences of S,
/// so tail masses keep their relative precision instead of being differences of numbers
/// near 1.
template <class Cdf, class Survival, class TailIntegral>
DiscretizedSeverity discretize_functions(Cdf cdf, Survival survival, TailIntegral tail_integral, const Grid& grid,
                                         Discretization method) {
    grid.validate();
    const std::size_t n = grid.nodes;
    const double h = grid.step;
    DiscretizedSeverity out;
    out.step = h;
    out.method = method;
    out.masses.assign(n, 0.0);
    auto& f = out.masses;
    auto by_cdf = [&](double offset) {  // node j collects ((j - 1 + offset) h, (j + offset) h]
        double f_previous = 0.0, s_previous = 1.0;
        bool upper_half = false;
        for (std::size_t j = 0; j < n; ++j) {
            const double b = (static_cast<double>(j) + offset) * h;
            if (!upper_half) {
                const double fb = cdf(b);
                if (fb <= 0.5) {
                    f[j] = fb - f_previous;
                    f_previous = fb;
                    continue;
                }
                upper_half = true;
                s_previous = 1.0 - f_previous;
            }
            const double sb = survival(b);
            f[j] = s_previous - sb;
            s_previous = sb;
        }
        out.tail_mass = upper_half ? s_previous : 1.0 - f_previous;
    };
    switch (method) {
        case Discretization::upper: by_cdf(1.0); break;
        case Discretization::lower: by_cdf(0.0); break;
        case Discretization::rounding: by_cdf(0.5); break;
        case Discretization::unbiased: {
            double p_previous = tail_integral(0.0);
            std::vector<double> d(n - 1);  // D_j = L((j+1)h) - L(jh) = P(jh) - P((j+1)h)
            for (std::size_t j = 0; j + 1 < n; ++j) {
                const double p_next = tail_integral(static_cast<double>(j + 1) * h);
                d[j] = p_previous - p_next;
                p_previous = p_next;
            }
            f[0] = 1.0 - d[0] / h;
            for (std::size_t j = 1; j + 1 < n; ++j) f[j] = (d[j - 1] - d[j]) / h;
            const double s_upper = survival(grid.upper());
            f[n - 1] = d[n - 2] / h - s_upper;
            out.tail_mass = s_upper;
            break;
        }
    }
    return out;
}

/// Discretises `severity` multiplied by `scale` (a cost trend, say) on `grid`, with the
/// tail quantities of severity_tail.hpp.
inline DiscretizedSeverity discretize(const Severity& severity, const Grid& grid,
                                      Discretization method = Discretization::rounding, double scale = 1.0) {
    check::positive("scale", scale);
    const bool finite_mean = std::isfinite(mean(severity));
    return discretize_functions(
        [&](double x) { return cdf(severity, x / scale); }, [&](double x) { return severity_survival(severity, x / scale); },
        [&](double u) {
            return finite_mean ? scale * severity_stop_loss(severity, u / scale)
                               : -scale * limited_expected_value(severity, u / scale);
        },
        grid, method);
}

}  // namespace apmsim
