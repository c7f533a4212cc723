// The exact distribution of a pool's annual cost (exact/pool_distribution.hpp).
#include "apmsim/exact/pool_distribution.hpp"

namespace apmsim {

namespace {

/// Rejects what the exact method cannot represent (see the file comment).
void check_pool_scenario(const Model& s, const PoolOptions& o) {
    const CostModel& m = s.cost_model;
    if (o.year < 1 || o.year > s.years())
        throw InvalidInput("year", "a year from 1 to " + std::to_string(s.years()), std::to_string(o.year));
    if (m.frailty_cv != 0.0)
        throw InvalidInput("cost_model.frailty_cv",
                           "0 for the exact pool distribution (a member's frailty is shared by all their categories, "
                           "so the categories are not independent)",
                           show(m.frailty_cv));
    if (m.copula_correlation.size() != 0)
        throw InvalidInput("cost_model.copula", "no copula for the exact pool distribution (correlated categories)",
                           "a copula");
    if (s.population.has_risk_variation(m.tier_count()))
        throw InvalidInput("population.members.risk_score",
                           "one risk score per tier for the exact pool distribution (it groups members by tier and "
                           "months; the engine scales each member's expected counts by its score relative to its tier)",
                           "scores that vary within a tier");
    if (s.churn)
        throw InvalidInput("population.churn", "a closed cohort for the exact pool distribution (churn makes the pool's size random)",
                           "monthly exits and entrants");
    if (m.trend.sd != 0.0)
        throw InvalidInput("cost_model.trend.sd",
                           "0 for the exact pool distribution (a random trend is a common shock shared by all members)",
                           show(m.trend.sd));
    if (o.arm == "intervention") {
        if (!s.intervention) throw InvalidInput("arm", "\"baseline\" (the scenario has no intervention)", "\"intervention\"");
        if (!s.intervention->everyone_from_the_start())
            throw InvalidInput("intervention", "every member in the program with its whole effect for the exact pool distribution of the intervention arm",
                               "target_tiers, target_risk_score, uptake or ramp_up (simulate it instead)");
        if (s.intervention->upward_transition_change && o.year > 1)
            throw InvalidInput("intervention.upward_transition_change",
                               "no change in tier transitions for the exact pool distribution of a later year (simulate it instead)",
                               "a change in the chance of moving to a costlier tier");
        for (const auto& e : s.intervention->effects)
            if (!e.tier.empty())
                throw InvalidInput("intervention.effects." + e.category + ".by_tier",
                                   "effects on every tier for the exact pool distribution (simulate effects by tier)", "an effect by tier");
        for (const auto& e : s.intervention->effects)
            if (e.sd != 0.0)
                throw InvalidInput("intervention.effects." + e.category + ".sd",
                                   "0 for the exact pool distribution (a random effect is a common shock shared by all "
                                   "members)",
                                   show(e.sd));
    }
}

}  // namespace

PoolDistribution pool_distribution(const Model& scenario, const PoolOptions& options) {
    scenario.validate();
    options.validate();
    check_pool_scenario(scenario, options);
    const CostModel& model = scenario.cost_model;
    const std::size_t T = model.tier_count(), C = model.category_count();
    const int y0 = options.year - 1;

    // Deterministic factors, as the engine applies them.
    const double trend_factor = std::pow(std::max(0.0, 1.0 + model.trend.mean), options.year);
    std::vector<double> effect(C, 1.0);
    if (options.arm == "intervention")
        for (std::size_t c = 0; c < C; ++c)
            for (const auto& e : scenario.intervention->effects)
                if (e.category == model.categories[c]) effect[c] = std::max(0.0, 1.0 + e.mean);
    std::vector<double> exposure(C * 13, 0.0);
    for (std::size_t c = 0; c < C; ++c)
        for (int k = 1; k <= 12; ++k)
            exposure[c * 13 + k] = exposure[c * 13 + k - 1] + (model.seasonality.empty() ? 1.0 : model.seasonality[c][k - 1]) / 12.0;

    // Tier probabilities in this year given the initial tier (identity without transitions).
    const bool random_tier = model.tier_transition.size() != 0 && options.year > 1;
    Eigen::MatrixXd tier_prob = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(T), static_cast<Eigen::Index>(T));
    if (random_tier)
        for (int k = 1; k < options.year; ++k) tier_prob = tier_prob * model.tier_transition;

    // Groups of members sharing (initial tier, months).
    std::map<std::pair<std::size_t, int>, std::size_t> groups;
    std::vector<std::size_t> members_by_tier(T, 0);
    for (std::size_t i = 0; i < scenario.population.size(); ++i) {
        const int months = scenario.population.months_of(i, y0);
        if (months == 0) continue;
        ++groups[{scenario.population.tier[i], months}];
        ++members_by_tier[scenario.population.tier[i]];
    }
    std::vector<bool> months_used(13, false);
    for (const auto& [key, count] : groups) months_used[key.second] = true;

    auto cell_frequency = [&](std::size_t t, std::size_t c, int months) {
        return scaled_frequency(model.cell(t, c).frequency, exposure[c * 13 + months] * effect[c]);
    };

    // Analytic cumulants: member (tier, months), then groups.
    auto member_cumulants = [&](std::size_t t, int months) {
        Cumulants k;
        for (std::size_t c = 0; c < C; ++c)
            k += compound_cumulants(cell_frequency(t, c, months), model.cell(t, c).severity, trend_factor);
        return k;
    };
    Cumulants pool;
    std::vector<Cumulants> tier_cumulants(T);
    for (const auto& [key, count] : groups) {
        const auto [t0, months] = key;
        Cumulants member;
        if (!random_tier) {
            member = member_cumulants(t0, months);
        } else {  // mixture over this year's tier: mix raw moments
            double m1 = 0.0, m2 = 0.0, m3 = 0.0;
            for (std::size_t t = 0; t < T; ++t) {
                const double p = tier_prob(static_cast<Eigen::Index>(t0), static_cast<Eigen::Index>(t));
                if (p == 0.0) continue;
                const Cumulants k = member_cumulants(t, months);
                m1 += p * k.k1;
                m2 += p * (k.k2 + k.k1 * k.k1);
                m3 += p * (k.k3 + 3.0 * k.k2 * k.k1 + k.k1 * k.k1 * k.k1);
            }
            member = cumulants_from_raw(m1, m2, m3);
        }
        pool += member.times(static_cast<double>(count));
        tier_cumulants[t0] += member.times(static_cast<double>(count));
    }

    // The lattice.
    AggregateDiagnostics diag;
    diag.method = "fft";
    diag.discretization = discretization_name(options.discretization);
    Grid grid;
    if (options.step > 0.0 && options.nodes > 0) {
        grid = Grid{options.step, options.nodes};
    } else {
        double u = options.upper;
        if (!(u > 0.0)) {
            // mean + 12 sd, or further when one large claim can reach beyond it:
            // P(S > mean + x) ~ sum_cells E[N_cell] P(X_cell > x) (subexponential tails).
            const double sd = std::sqrt(pool.k2);
            u = pool.k1 + 12.0 * sd;
            if (!std::isfinite(u))
                throw InvalidInput("upper", "an explicit grid upper limit (a severity has infinite variance)", "none");
            double expected_claims = 0.0, largest = 0.0;
            for (const auto& [key, count] : groups)
                for (std::size_t t = 0; t < T; ++t)
                    for (std::size_t c = 0; c < C; ++c)
                        if (t == key.first || random_tier) expected_claims += count * mean(cell_frequency(t, c, key.second));
            if (expected_claims > 0.0 && trend_factor > 0.0)
                for (std::size_t t = 0; t < T; ++t)
                    for (std::size_t c = 0; c < C; ++c)
                        largest = std::max(largest, trend_factor * quantile(model.cell(t, c).severity,
                                                                            1.0 - std::min(0.5, 1e-9 / expected_claims)));
            u = std::min(std::max(u, pool.k1 + largest), pool.k1 + 100.0 * sd);
            if (!(u > 0.0)) u = 1.0;  // a pool that costs nothing
        }
        grid = options.step > 0.0 ? Grid::up_to(options.step, u, "pool")
                                  : Grid{u / static_cast<double>((options.nodes > 0 ? options.nodes : default_pool_nodes) - 1),
                                         options.nodes > 0 ? options.nodes : default_pool_nodes};
    }
    grid.validate("pool");
    const std::size_t M = fft_length(grid.nodes, options.padding);
    const double theta = options.tilt / static_cast<double>(M);
    RealFft fft(M);
    const std::size_t bins = fft.bins();

    // member_log[t][months][k] = sum_c log P_{N_tc}(phi_tc(w_k)).
    std::vector<std::vector<std::vector<Complex>>> member_log(T, std::vector<std::vector<Complex>>(13));
    for (std::size_t t = 0; t < T; ++t) {
        bool needed = false;
        for (const auto& [key, count] : groups) needed = needed || random_tier || key.first == t;
        if (!needed) continue;
        for (int months = 1; months <= 12; ++months) {
            bool use = random_tier ? months_used[months] : groups.count({t, months}) > 0;
            if (use) member_log[t][months].assign(bins, Complex(0.0, 0.0));
        }
        for (std::size_t c = 0; c < C; ++c) {
            std::vector<Complex> phi;
            if (trend_factor > 0.0) {
                const DiscretizedSeverity f = discretize(model.cell(t, c).severity, grid, options.discretization, trend_factor);
                diag.severity_tail_mass = std::max(diag.severity_tail_mass, f.tail_mass);
                phi = fft.forward(f.masses, theta);
            } else {
                phi.assign(bins, Complex(1.0, 0.0));  // every cost is 0
            }
            for (int months = 1; months <= 12; ++months) {
                auto& acc = member_log[t][months];
                if (acc.empty()) continue;
                const Frequency n = cell_frequency(t, c, months);
                for (std::size_t k = 0; k < bins; ++k) acc[k] += log_pgf(n, phi[k]);
            }
        }
    }

    auto invert = [&](const std::vector<Complex>& log_spectrum, const Cumulants& analytic) {
        std::vector<Complex> spectrum(bins);
        for (std::size_t k = 0; k < bins; ++k) spectrum[k] = std::exp(log_spectrum[k]);
        FftResult r;
        r.length = M;
        r.theta = theta;
        r.pmf = fft.inverse(spectrum, grid.nodes, theta);
        detail::finish_fft(r);
        AggregateDiagnostics d = diag;
        d.fft_length = M;
        d.tilt = options.tilt;
        d.aliasing_estimate = r.aliasing_estimate;
        d.roundoff = r.roundoff;
        double held = 0.0;
        for (double v : r.pmf) held += v;
        if (1.0 - held > 1e-6)
            d.notes.push_back("the lattice misses " + show(1.0 - held) + " of the probability: raise upper");
        AggregateDistribution out(LatticeDistribution(grid.step, std::move(r.pmf)), grid.step, grid.nodes, analytic, d);
        return out;
    };

    std::vector<Complex> total_log(bins, Complex(0.0, 0.0));
    std::vector<AggregateDistribution> tiers;
    if (!random_tier) {
        for (std::size_t t = 0; t < T; ++t) {
            std::vector<Complex> tier_log(bins, Complex(0.0, 0.0));
            for (const auto& [key, count] : groups) {
                if (key.first != t) continue;
                const auto& ml = member_log[t][key.second];
                const double n = static_cast<double>(count);
                for (std::size_t k = 0; k < bins; ++k) tier_log[k] += n * ml[k];
            }
            for (std::size_t k = 0; k < bins; ++k) total_log[k] += tier_log[k];
            tiers.push_back(invert(tier_log, tier_cumulants[t]));
        }
    } else {
        for (const auto& [key, count] : groups) {
            const auto [t0, months] = key;
            const double n = static_cast<double>(count);
            for (std::size_t k = 0; k < bins; ++k) {
                Complex mix(0.0, 0.0);
                for (std::size_t t = 0; t < T; ++t) {
                    const double p = tier_prob(static_cast<Eigen::Index>(t0), static_cast<Eigen::Index>(t));
                    if (p != 0.0) mix += p * std::exp(member_log[t][months][k]);
                }
                total_log[k] += n * std::log(mix);
            }
        }
    }
    AggregateDistribution total = invert(total_log, pool);
    return PoolDistribution{std::move(total), model.tiers, std::move(tiers), members_by_tier};
}

}  // namespace apmsim
