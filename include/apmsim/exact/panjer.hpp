#pragma once
/// \file panjer.hpp
/// \brief Panjer recursion for compound distributions whose count is in the (a,b,0) or
/// (a,b,1) class, on a lattice severity f_0, f_1, ... (Loss Models, section 9.6,
/// Theorems 9.8 and 9.12):
///   (a,b,0): g_0 = P_N(f_0),  g_k = sum_{j=1..k} (a + b j/k) f_j g_{k-j} / (1 - a f_0);
///   (a,b,1): g_k = ([p_1 - (a+b) p_0] f_k + sum_{j=1..k} (a + b j/k) f_j g_{k-j}) / (1 - a f_0).
///
/// Underflow of P(S = 0): for large expected counts g_0 = P_N(f_0) is below the smallest
/// double (Poisson mean 2,000: e^-2000). The (a,b,0) recursion is linear and homogeneous,
/// so it runs on g_k 2^-E with g_0 2^-E in [1, 2) and E = floor(log2 g_0) computed from
/// log P_N(f_0) in closed form; when the scaled values near 2^500 they are all multiplied
/// by 2^-500 (exact) and E grows by 500. The result is g_k = ldexp(scaled_k, E), exact up
/// to the recursion's own rounding: nothing is lost except values below the double range.
/// The zero-modified Poisson, whose direct (a,b,1) recursion cancels catastrophically when
/// lambda is large, is computed from its parent: P_S(z) = p0 + c (P_parent(F(z)) - e^-lambda)
/// with c = (1 - p0)/(1 - e^-lambda).
/// Binomial counts (a < 0) alternate in sign inside the recursion; a result with
/// negative probabilities beyond rounding raises ComputationError (use the FFT method).

#include "apmsim/core/errors.hpp"
#include "apmsim/distributions/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace apmsim {

namespace detail {

/// The lattice severity restricted (or zero-padded) to `nodes` values, and the index of
/// its last non-zero mass (the recursion's inner loop stops there).
inline std::vector<double> severity_on(const std::vector<double>& f, std::size_t nodes, std::size_t& last) {
    std::vector<double> out(nodes, 0.0);
    std::copy_n(f.begin(), std::min(nodes, f.size()), out.begin());
    last = 0;
    for (std::size_t j = nodes; j-- > 0;)
        if (out[j] != 0.0) {
            last = j;
            break;
        }
    return out;
}

inline void check_lattice(const std::vector<double>& f, std::size_t nodes) {
    if (f.empty()) throw InvalidInput("severity_masses", "at least one lattice mass", "none");
    if (nodes < 1) throw InvalidInput("nodes", "at least 1 node", "0");
    double total = 0.0;
    for (std::size_t j = 0; j < f.size(); ++j) {
        check::finite("severity_masses[" + std::to_string(j) + "]", f[j]);
        total += f[j];
    }
    if (!(total <= 1.0 + 1e-9) || !(f[0] <= 1.0))
        throw InvalidInput("severity_masses", "masses summing to at most 1", "a sum of " + show(total));
}

/// First `nodes` terms of the convolution a * b, directly.
inline std::vector<double> convolve_direct(const std::vector<double>& a, const std::vector<double>& b, std::size_t nodes) {
    std::vector<double> out(nodes, 0.0);
    for (std::size_t i = 0; i < std::min(nodes, a.size()); ++i) {
        if (a[i] == 0.0) continue;
        const std::size_t top = std::min(b.size(), nodes - i);
        for (std::size_t j = 0; j < top; ++j) out[i + j] += a[i] * b[j];
    }
    return out;
}

}  // namespace detail

/// (a,b,0) recursion from log g_0 (which may be far below the double range), with the
/// power-of-two rescaling described above. `rescalings` (optional) counts the rescalings.
inline std::vector<double> panjer_ab0(double a, double b, double log_g0, const std::vector<double>& severity_masses,
                                      std::size_t nodes, int* rescalings = nullptr) {
    detail::check_lattice(severity_masses, nodes);
    check::finite("a", a);
    check::finite("b", b);
    if (!(log_g0 <= 0.0) || std::isnan(log_g0)) throw InvalidInput("log_g0", "a log-probability <= 0", show(log_g0));
    std::size_t last = 0;
    const std::vector<double> f = detail::severity_on(severity_masses, nodes, last);
    const double denominator = 1.0 - a * f[0];
    if (!(denominator > 0.0)) throw InvalidInput("a", "1 - a f_0 > 0", show(denominator));
    std::vector<double> g(nodes, 0.0);
    int count = 0;
    if (log_g0 == -std::numeric_limits<double>::infinity()) {  // P(S = 0) = 0: the recursion gives 0 throughout
        if (rescalings) *rescalings = 0;
        return g;
    }
    const double log2_g0 = log_g0 / std::log(2.0);
    long exponent = static_cast<long>(std::floor(log2_g0));
    g[0] = std::exp2(log2_g0 - static_cast<double>(exponent));
    // (a + b j/k) f_j = a f_j + (b j f_j)/k: two dot products per k.
    std::vector<double> af(last + 1), bjf(last + 1);
    for (std::size_t j = 0; j <= last; ++j) {
        af[j] = a * f[j];
        bjf[j] = b * static_cast<double>(j) * f[j];
    }
    constexpr double limit = 0x1.0p500;
    for (std::size_t k = 1; k < nodes; ++k) {
        const std::size_t top = std::min(k, last);
        double sa = 0.0, sb = 0.0;
        const double* gk = g.data() + k;
        for (std::size_t j = 1; j <= top; ++j) {
            const double gv = gk[-static_cast<std::ptrdiff_t>(j)];
            sa += af[j] * gv;
            sb += bjf[j] * gv;
        }
        g[k] = (sa + sb / static_cast<double>(k)) / denominator;
        if (std::fabs(g[k]) > limit) {
            for (std::size_t i = 0; i <= k; ++i) g[i] = std::ldexp(g[i], -500);
            exponent += 500;
            ++count;
        }
        if (!std::isfinite(g[k])) throw ComputationError("panjer: the recursion overflowed at node " + std::to_string(k));
    }
    for (auto& v : g) v = std::ldexp(v, static_cast<int>(std::clamp<long>(exponent, -100000, 100000)));
    if (rescalings) *rescalings = count;
    return g;
}

/// The (a,b,1) recursion of Theorem 9.8 with g_0 = P_N(f_0) given (no rescaling: for
/// models whose g_0 is representable). p0 = P(N=0), p1 = P(N=1).
inline std::vector<double> panjer_ab1(double a, double b, double p0, double p1, double g0,
                                      const std::vector<double>& severity_masses, std::size_t nodes) {
    detail::check_lattice(severity_masses, nodes);
    check::probability("p0", p0);
    check::probability("p1", p1);
    check::probability("g0", g0);
    std::size_t last = 0;
    const std::vector<double> f = detail::severity_on(severity_masses, nodes, last);
    const double denominator = 1.0 - a * f[0];
    if (!(denominator > 0.0)) throw InvalidInput("a", "1 - a f_0 > 0", show(denominator));
    const double c = p1 - (a + b) * p0;
    std::vector<double> g(nodes, 0.0);
    g[0] = g0;
    for (std::size_t k = 1; k < nodes; ++k) {
        const std::size_t top = std::min(k, last);
        double s = c * f[k];
        for (std::size_t j = 1; j <= top; ++j)
            s += (a + b * static_cast<double>(j) / static_cast<double>(k)) * f[j] * g[k - j];
        g[k] = s / denominator;
    }
    return g;
}

/// Result of panjer(): the first `nodes` probabilities of S on the lattice.
struct PanjerResult {
    std::vector<double> pmf;
    int rescalings = 0;  ///< times the scaled recursion was brought back into range
};

/// Aggregate pmf of N with lattice severity masses (which may sum to less than 1: the
/// defect is mass beyond the lattice, and then the pmf sums to less than 1 accordingly).
inline PanjerResult panjer(const Frequency& frequency, const std::vector<double>& severity_masses, std::size_t nodes) {
    detail::check_lattice(severity_masses, nodes);
    const double f0 = severity_masses[0];
    PanjerResult out;
    auto degenerate_zero = [&] {
        out.pmf.assign(nodes, 0.0);
        out.pmf[0] = 1.0;
        return out;
    };
    if (const auto* p = std::get_if<Poisson>(&frequency)) {
        const double l = p->mean();
        if (l == 0.0) return degenerate_zero();
        out.pmf = panjer_ab0(0.0, l, -l * (1.0 - f0), severity_masses, nodes, &out.rescalings);
    } else if (const auto* nb = std::get_if<NegativeBinomial>(&frequency)) {
        const double m = nb->mean(), r = nb->dispersion();
        if (m == 0.0) return degenerate_zero();
        const double beta = m / r, a = beta / (1.0 + beta);
        out.pmf = panjer_ab0(a, (r - 1.0) * a, -r * std::log1p(beta * (1.0 - f0)), severity_masses, nodes, &out.rescalings);
    } else if (const auto* bi = std::get_if<Binomial>(&frequency)) {
        const double n = bi->n(), q = bi->p();
        if (n == 0.0 || q == 0.0) return degenerate_zero();
        if (q == 1.0) {  // N = n surely: the n-fold convolution, by repeated squaring
            std::size_t last = 0;
            std::vector<double> base = detail::severity_on(severity_masses, nodes, last), acc(nodes, 0.0);
            acc[0] = 1.0;
            for (auto e = static_cast<unsigned long long>(n); e > 0; e >>= 1) {
                if (e & 1ull) acc = detail::convolve_direct(acc, base, nodes);
                if (e > 1) base = detail::convolve_direct(base, base, nodes);
            }
            out.pmf = std::move(acc);
            return out;
        }
        const double a = -q / (1.0 - q);
        out.pmf = panjer_ab0(a, -(n + 1.0) * a, n * std::log1p(-q * (1.0 - f0)), severity_masses, nodes, &out.rescalings);
        double most_negative = 0.0, largest = 0.0;
        for (double v : out.pmf) {
            most_negative = std::min(most_negative, v);
            largest = std::max(largest, v);
        }
        if (most_negative < -1e-12 * std::max(1.0, largest))
            throw ComputationError("panjer: the binomial recursion (a < 0) lost precision (a probability of " +
                                   show(most_negative) + "); use method \"fft\"");
    } else {
        const auto& zm = std::get<ZeroModifiedPoisson>(frequency);
        const double l = zm.poisson_mean(), p0 = zm.p0();
        const std::vector<double> parent = panjer_ab0(0.0, l, -l * (1.0 - f0), severity_masses, nodes, &out.rescalings);
        const double c = (1.0 - p0) / -std::expm1(-l);
        out.pmf.resize(nodes);
        // g_parent(0) - e^-lambda = e^{-lambda (1 - f0)} (1 - e^{-lambda f0}), without cancellation.
        out.pmf[0] = p0 + c * std::exp(-l * (1.0 - f0)) * -std::expm1(-l * f0);
        for (std::size_t k = 1; k < nodes; ++k) out.pmf[k] = c * parent[k];
    }
    return out;
}

}  // namespace apmsim
