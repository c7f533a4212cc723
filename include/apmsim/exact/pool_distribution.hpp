#pragma once
/// \file pool_distribution.hpp
/// \brief The exact distribution of a whole pool's annual cost, for the scenarios the
/// Monte Carlo engine (simulation/engine.hpp) covers without a common shock.
///
/// Given its tier and months of eligibility, a member-year's cost is a sum over
/// categories of independent compound sums, N_c ~ Frequency_c scaled by exposure x effect
/// exactly as the engine's draw_scaled() scales it, X_c ~ Severity_c times the trend
/// factor (1 + g)^year. Members are independent, so the pool's transform is
///   prod_groups [ prod_c P_{N_c}(phi_c(w)) ]^{members in the group}
/// over groups of members sharing (tier, months); with tier transitions (years > 1) a
/// member's tier is random and its transform the mixture sum_t P^{year-1}(t0, t) (...)_t.
/// Everything is done in the Fourier domain on one lattice (fft.hpp: padding and
/// exponential tilting), then inverted once for the pool and once per tier.
/// Supported: partial-year exposure, seasonality, a deterministic trend (sd 0), the
/// intervention arm with deterministic effects (sd 0), tier transitions (total only).
/// Rejected with InvalidInput, because they are common shocks that make members or
/// categories dependent: frailty_cv > 0, a copula, a random trend (sd > 0), random
/// intervention effects (sd > 0).

#include "apmsim/core/errors.hpp"
#include "apmsim/exact/aggregate_distribution.hpp"
#include "apmsim/exact/compound_moments.hpp"
#include "apmsim/exact/discretize.hpp"
#include "apmsim/exact/fft.hpp"
#include "apmsim/population/model.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace apmsim {

/// The count distribution whose draws are `f.draw_scaled(scale, u)` (the engine's
/// scaling by frailty x exposure x intervention effect): Poisson and negative binomial
/// scale the mean, the binomial p (capped at 1), the zero-modified Poisson thins its
/// non-zero mass while (1 - p0) scale <= 1 and beyond that becomes the zero-truncated
/// Poisson of mean scale x mean().
inline Frequency scaled_frequency(const Frequency& f, double scale) {
    check::non_negative("scale", scale);
    if (scale == 0.0) return Poisson(0.0);
    return std::visit(
        [scale](const auto& d) -> Frequency {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Poisson>) {
                return Poisson(d.mean() * scale);
            } else if constexpr (std::is_same_v<D, NegativeBinomial>) {
                return NegativeBinomial(d.mean() * scale, d.dispersion());
            } else if constexpr (std::is_same_v<D, Binomial>) {
                return Binomial(d.n(), std::min(1.0, d.p() * scale));
            } else {
                const double nonzero = (1.0 - d.p0()) * scale;
                if (nonzero <= 1.0) return ZeroModifiedPoisson(d.poisson_mean(), 1.0 - nonzero);
                // lambda / (1 - e^-lambda) = target, root in [target - 1, target], by bisection.
                const double target = scale * d.mean();
                double lo = std::max(0.0, target - 1.0), hi = target;
                for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
                    const double mid = 0.5 * (lo + hi);
                    (mid / -std::expm1(-mid) < target ? lo : hi) = mid;
                }
                return ZeroModifiedPoisson(hi, 0.0);
            }
        },
        f);
}

struct PoolOptions {
    int year = 1;                    ///< 1-based simulated year
    std::string arm = "baseline";    ///< "baseline" or "intervention"
    /// Local moment matching by default: a pool's lattice step is necessarily coarse next to
    /// small severities (a $160 visit on a step of a few hundred dollars), where rounding
    /// biases the mean; the unbiased method keeps every severity's mean (up to the upper end).
    Discretization discretization = Discretization::unbiased;
    double step = 0.0;               ///< lattice step (0: upper / (nodes - 1))
    std::size_t nodes = 0;           ///< lattice nodes (0: from step and upper, or 2^16)
    double upper = 0.0;              ///< lattice upper end (0: automatic, see pool_distribution())
    double padding = 2.0;
    double tilt = 10.0;

    void validate() const {
        check_lattice_request(step, upper, nodes);
        check::in_closed("padding", padding, 1.0, 64.0);
        check::in_closed("tilt", tilt, 0.0, 200.0);
        if (arm != "baseline" && arm != "intervention")
            throw InvalidInput("arm", "\"baseline\" or \"intervention\"", "\"" + arm + "\"");
    }
};

inline constexpr std::size_t default_pool_nodes = std::size_t{1} << 17;

struct PoolDistribution {
    AggregateDistribution total;             ///< the pool's annual cost
    std::vector<std::string> tier_names;
    std::vector<AggregateDistribution> tiers;  ///< each tier's members' cost (empty with tier transitions)
    std::vector<std::size_t> members_by_tier;  ///< eligible members by (initial) tier
};

/// The pool's annual cost in `options.year` for `options.arm`. Default lattice: 2^17 nodes
/// up to U = mean + max(12 sd, q) capped at mean + 100 sd, q the largest severity quantile
/// at 1 - 1e-9 / (expected claims of the pool); what the lattice misses is reported.
PoolDistribution pool_distribution(const Model& model, const PoolOptions& options = {});

}  // namespace apmsim
