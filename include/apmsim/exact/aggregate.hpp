#pragma once
/// \file aggregate.hpp
/// \brief aggregate(frequency, severity, options): the distribution of S = X_1 + ... + X_N
/// by Panjer recursion, FFT, the normal / normal-power / translated-gamma approximations or
/// simulation (Loss Models, chapter 9), as an AggregateDistribution with the analytic
/// moments next to the computed ones.
///
/// The lattice (Panjer, FFT; also the grid pmf of the other methods) is 0, h, ..., U.
/// Unless given, U is chosen so that the probability beyond it is about `tail_target`:
/// the largest of E[S] + 10 sd(S) (the body); E[S] + F_X^{-1}(1 - tail_target / E[N]),
/// because for subexponential severities P(S > x) ~ E[N] P(X > x) (one large claim); and
/// n E[X] + 10 sd(X) sqrt(n) with n = F_N^{-1}(1 - tail_target) (many claims: the tail of
/// overdispersed counts). The step must still resolve S's body, so U is capped at
/// (nodes - 1) / 256 times E[S | N > 0] (a step of at most 1/256 of the mean given a
/// claim; with a step given, the cap for 2^15 nodes applies all the same). A capped
/// lattice misses more than `tail_target`, which is reported (diagnostics().missing_mass
/// and a note) and counted in stop-loss premiums and expected shortfalls
/// (aggregate_distribution.hpp); quantiles beyond it are refused. With neither step nor
/// nodes given the lattice has 2^15 nodes.
/// Simulation draws the count and the severities with the distributions' own draw() on
/// Philox streams (seed, trial = sample index, member 0, StreamKind::sample), the count
/// from variable (sample, 0, 1) and the severities in turn from (sample, 0, 2).

#include "apmsim/core/errors.hpp"
#include "apmsim/exact/aggregate_distribution.hpp"
#include "apmsim/exact/approximations.hpp"
#include "apmsim/exact/compound_moments.hpp"
#include "apmsim/exact/discretize.hpp"
#include "apmsim/exact/fft.hpp"
#include "apmsim/exact/panjer.hpp"
#include "apmsim/random/philox_stream.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

enum class AggregateMethod { panjer, fft, normal, normal_power, translated_gamma, simulation };

inline const char* aggregate_method_name(AggregateMethod m) {
    switch (m) {
        case AggregateMethod::panjer: return "panjer";
        case AggregateMethod::fft: return "fft";
        case AggregateMethod::normal: return "normal";
        case AggregateMethod::normal_power: return "normal_power";
        case AggregateMethod::translated_gamma: return "translated_gamma";
        case AggregateMethod::simulation: return "simulation";
    }
    return "?";
}

inline AggregateMethod aggregate_method_from_name(const std::string& where, const std::string& name) {
    for (auto m : {AggregateMethod::panjer, AggregateMethod::fft, AggregateMethod::normal, AggregateMethod::normal_power,
                   AggregateMethod::translated_gamma, AggregateMethod::simulation})
        if (name == aggregate_method_name(m)) return m;
    throw InvalidInput(where, "one of: panjer, fft, normal, normal_power, translated_gamma, simulation", "\"" + name + "\"");
}

/// Nodes of the lattice when neither step nor nodes is given.
inline constexpr std::size_t default_aggregate_nodes = std::size_t{1} << 15;

struct AggregateOptions {
    AggregateMethod method = AggregateMethod::panjer;
    Discretization discretization = Discretization::rounding;
    double step = 0.0;          ///< lattice step h (0: from upper and nodes)
    std::size_t nodes = 0;      ///< lattice nodes (0: from step and upper, or 2^15)
    double upper = 0.0;         ///< lattice upper end (0: automatic, see the file comment)
    double tail_target = 1e-10; ///< probability beyond an automatic upper end
    double padding = 2.0;       ///< FFT length >= padding x nodes
    double tilt = 10.0;         ///< FFT exponential tilt theta x length (0: none)
    std::uint64_t samples = 100000;  ///< at most max_samples
    std::uint64_t seed = 20261123;

    /// The simulation method holds every draw (8 bytes each): at most 800 MB.
    static constexpr std::uint64_t max_samples = 100'000'000;

    void validate() const {
        check_lattice_request(step, upper, nodes);
        check::in_open("tail_target", tail_target, 0.0, 0.5);
        check::in_closed("padding", padding, 1.0, 64.0);
        check::in_closed("tilt", tilt, 0.0, 200.0);
        if (samples < 2 || samples > max_samples)
            throw InvalidInput("samples", "2 to " + std::to_string(max_samples) + " samples (every draw is held in memory)", std::to_string(samples));
    }
};

namespace detail {

/// Upper end U of an automatic lattice of `nodes` nodes (see the file comment); notes what it did.
inline double automatic_upper(const Cumulants& s, const Frequency& frequency, const Severity& severity, double tail_target,
                              std::size_t nodes, std::vector<std::string>& notes) {
    const double expected_count = mean(frequency);
    if (expected_count == 0.0 || s.k1 == 0.0) return 1.0;  // S = 0: any lattice will do
    const double body = s.k1 + 10.0 * std::sqrt(s.k2);
    const double one_large_claim = s.k1 + quantile(severity, 1.0 - std::min(0.5, tail_target / expected_count));
    const double claims = quantile(frequency, 1.0 - tail_target), sd_x = std::sqrt(variance(severity));
    const double many_claims = claims * mean(severity) + (std::isfinite(sd_x) ? 10.0 * sd_x * std::sqrt(claims) : 0.0);
    double u = std::max(one_large_claim, many_claims);
    if (std::isfinite(body)) u = std::max(u, body);
    const double mean_given_a_claim = s.k1 / (1.0 - cdf(frequency, 0.0));
    const double finest = static_cast<double>(nodes - 1) * mean_given_a_claim / 256.0;
    if (u > finest) {
        u = finest;
        notes.push_back("automatic upper limit " + show_rounded(u, 6) + " keeps the step at 1/256 of the mean given a claim (" +
                        show_rounded(mean_given_a_claim, 6) + "): the lattice misses more than the tail target of " + show(tail_target) +
                        " (see the missing mass); stop-loss premiums and expected shortfalls count it, quantiles beyond it are refused "
                        "(give an upper limit and nodes to hold more)");
    }
    if (!std::isfinite(u) || !(u > 0.0))
        throw InvalidInput("upper", "an explicit grid upper limit (the severity's tail is too heavy for an automatic one)",
                           "none (mean " + show(s.k1) + ")");
    return u;
}

}  // namespace detail

/// The lattice an aggregate computation uses, from the options (see the file comment).
inline Grid aggregate_grid(const Cumulants& s, const Frequency& frequency, const Severity& severity,
                           const AggregateOptions& o, std::vector<std::string>& notes) {
    o.validate();
    if (o.step > 0.0 && o.nodes > 0) return Grid{o.step, o.nodes};
    const std::size_t n = o.nodes > 0 ? o.nodes : default_aggregate_nodes;
    const double u = o.upper > 0.0 ? o.upper : detail::automatic_upper(s, frequency, severity, o.tail_target, n, notes);
    if (o.step > 0.0) return Grid::up_to(o.step, u, "aggregate");
    return Grid{u / static_cast<double>(n - 1), n};
}

/// Monte Carlo sample of the compound sum (see the file comment for the streams).
std::vector<double> simulate_compound(const Frequency& frequency, const Severity& severity, std::uint64_t samples,
                                             std::uint64_t seed);

AggregateDistribution aggregate(const Frequency& frequency, const Severity& severity,
                                       const AggregateOptions& options = {});

}  // namespace apmsim
