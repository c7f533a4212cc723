#pragma once
/// \file fft.hpp
/// \brief Compound distributions by the fast Fourier transform (Loss Models, section 9.7
/// "inversion methods"; Embrechts & Frei, Mathematical Methods of Operations Research
/// 2009, for exponential tilting).
///
/// The aggregate pmf on the lattice is the inverse transform of P_N(phi(w)), phi the
/// transform of the lattice severity. A transform of length M is circular: mass of S at
/// or beyond M h wraps around onto the lattice (aliasing). Two defences, both on by default:
///  - padding: the lattice of `nodes` values is transformed with M >= padding x nodes
///    (a power of two), so only mass beyond M h can wrap, not mass beyond the lattice;
///  - exponential tilting: the severity masses are multiplied by e^{-theta j} before the
///    transform and the result by e^{theta j} after (P_N commutes with the tilt), which
///    damps every wrapped term by at least e^{-theta M}. theta = tilt / M; the default
///    tilt = 10 damps aliasing by 4.5e-5 (on top of padding: only mass beyond M h = 2 U
///    wraps) and amplifies rounding by at most e^{tilt nodes/M} = e^5 with padding 2. (A
///    larger tilt amplifies the FFT's ~1e-16 x max pmf noise, which matters when S has an
///    atom at 0: e^10 x 1e-16 x P(N=0) is 1e-14 per node in the far tail.)
/// The aliasing estimate reported is e^{-theta M} times the mass beyond the lattice
/// (1 - sum of the lattice pmf): the wrapped mass is at most P(S >= M h) <= P(S > upper).
/// Round-off below zero (|value| ~ 1e-16 e^{theta j}) is set to 0 and reported.

#include "apmsim/core/errors.hpp"
#include "apmsim/distributions/distribution.hpp"

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <string>
#include <vector>

namespace apmsim {

using Complex = std::complex<double>;

/// log P_N(z) for |z| <= 1 (principal branch; where a count's pgf is an integer power
/// (binomial) or a sum (zero-modified), only exp(k log P_N) for whole k is meaningful).
/// Negative binomial: P(z) = (1 - beta (z - 1))^-r, whose base has real part >= 1 on the
/// unit disc, so the principal branch is the right one.
inline Complex log_pgf(const Frequency& frequency, Complex z) {
    return std::visit(
        [z](const auto& d) -> Complex {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Poisson>) {
                return d.mean() * (z - 1.0);
            } else if constexpr (std::is_same_v<D, NegativeBinomial>) {
                const double beta = d.mean() / d.dispersion();
                return -d.dispersion() * std::log(1.0 - beta * (z - 1.0));
            } else if constexpr (std::is_same_v<D, Binomial>) {
                if (d.n() == 0.0 || d.p() == 0.0) return 0.0;
                return d.n() * std::log(1.0 + d.p() * (z - 1.0));
            } else {
                const double l = d.poisson_mean(), c = (1.0 - d.p0()) / -std::expm1(-l);
                return std::log(d.p0() + c * (std::exp(l * (z - 1.0)) - std::exp(-l)));
            }
        },
        frequency);
}

/// Smallest power of two >= max(2, padding x nodes).
inline std::size_t fft_length(std::size_t nodes, double padding) {
    check::in_closed("padding", padding, 1.0, 64.0);
    const double want = std::max(2.0, std::ceil(padding * static_cast<double>(nodes)));
    std::size_t m = 2;
    while (static_cast<double>(m) < want) m <<= 1;
    if (m > (std::size_t{1} << 25))
        throw InvalidInput("nodes", "a lattice whose padded transform has at most 2^25 points",
                           std::to_string(nodes) + " nodes x padding " + show(padding));
    return m;
}

/// Real-to-half-spectrum transforms of one length (Eigen's kissfft back end).
class RealFft {
public:
    explicit RealFft(std::size_t length) : m_(length) { fft_.SetFlag(Eigen::FFT<double>::HalfSpectrum); }
    std::size_t length() const { return m_; }
    std::size_t bins() const { return m_ / 2 + 1; }

    /// Transform of `x` zero-padded to the length, with x_j multiplied by e^{-theta j}.
    std::vector<Complex> forward(const std::vector<double>& x, double theta = 0.0) {
        std::vector<double> in(m_, 0.0);
        const std::size_t n = std::min(x.size(), m_);
        for (std::size_t j = 0; j < n; ++j) in[j] = theta == 0.0 ? x[j] : x[j] * std::exp(-theta * static_cast<double>(j));
        std::vector<Complex> out(bins());
        fft_.fwd(out.data(), in.data(), static_cast<Eigen::Index>(m_));
        return out;
    }
    /// First `nodes` values of the inverse transform, multiplied by e^{theta j}.
    std::vector<double> inverse(const std::vector<Complex>& spectrum, std::size_t nodes, double theta = 0.0) {
        std::vector<double> out(m_);
        fft_.inv(out.data(), spectrum.data(), static_cast<Eigen::Index>(m_));
        out.resize(std::min(nodes, m_));
        if (theta != 0.0)
            for (std::size_t j = 0; j < out.size(); ++j) out[j] *= std::exp(theta * static_cast<double>(j));
        return out;
    }

private:
    std::size_t m_;
    Eigen::FFT<double> fft_;
};

/// A lattice pmf from a transform, with what the transform did.
struct FftResult {
    std::vector<double> pmf;
    std::size_t length = 0;        ///< transform length M
    double theta = 0.0;            ///< tilt per node
    double aliasing_estimate = 0;  ///< bound on the wrapped mass reaching the lattice
    double roundoff = 0.0;         ///< largest |negative value| set to zero
};

namespace detail {
/// Clamps round-off below zero and fills the diagnostics of an inverted lattice pmf.
inline void finish_fft(FftResult& r) {
    double total = 0.0;
    for (auto& v : r.pmf) {
        if (!std::isfinite(v)) throw ComputationError("fft: a non-finite value in the inverse transform");
        if (v < 0.0) {
            r.roundoff = std::max(r.roundoff, -v);
            v = 0.0;
        }
        total += v;
    }
    const double beyond = std::max(0.0, 1.0 - total);
    r.aliasing_estimate = std::exp(-r.theta * static_cast<double>(r.length)) * beyond;
}
}  // namespace detail

/// Aggregate pmf on the first `nodes` lattice points of N with lattice severity masses.
/// `padding` >= 1 sets M >= padding x nodes; `tilt` = theta M >= 0 (0 = no tilting).
inline FftResult fft_compound(const Frequency& frequency, const std::vector<double>& severity_masses, std::size_t nodes,
                              double padding = 2.0, double tilt = 10.0) {
    if (severity_masses.empty()) throw InvalidInput("severity_masses", "at least one lattice mass", "none");
    if (nodes < 1) throw InvalidInput("nodes", "at least 1 node", "0");
    check::in_closed("tilt", tilt, 0.0, 200.0);
    FftResult r;
    r.length = fft_length(nodes, padding);
    r.theta = tilt / static_cast<double>(r.length);
    RealFft fft(r.length);
    std::vector<double> f(severity_masses.begin(), severity_masses.begin() + std::min(nodes, severity_masses.size()));
    std::vector<Complex> spectrum = fft.forward(f, r.theta);
    for (auto& s : spectrum) s = std::exp(log_pgf(frequency, s));
    r.pmf = fft.inverse(spectrum, nodes, r.theta);
    detail::finish_fft(r);
    return r;
}

}  // namespace apmsim
