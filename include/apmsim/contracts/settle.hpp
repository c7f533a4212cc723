#pragma once
/// \file settle.hpp
/// \brief run(scenario, options): simulate the scenario and settle each of its payment
/// models on the same simulated costs (common random numbers), both arms.
///
/// Steps: (1) prepare every component against the scenario (names, pool size; errors name
/// the JSON path) before any simulation; (2) if a benchmark needs a simulated base period,
/// simulate it without the program, with no trend (base-year dollars), on the seed
/// base_period_seed(seed); (3) simulate the scenario with an observer that keeps each
/// trial's experience; (4) calibrate what contracts fix in advance (stop-loss premiums,
/// aggregate attachments) on the base case = the baseline arm; (5) settle every model,
/// arm, trial and year. A truncation percentile comes from a pilot run of the baseline on
/// the same seed (the first trials, up to about two million member-years).

#include "apmsim/contracts/experience_observer.hpp"
#include "apmsim/contracts/payment_results.hpp"
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/simulation/engine.hpp"

#include <algorithm>
#include <map>

namespace apmsim {

struct RunResults {
    SimulationResults simulation;
    PaymentResults payments;  ///< empty (no models) when the scenario has none
};

/// Seed of the simulated benchmark base period: a fixed function of the run's seed, so
/// base-period costs are independent of the performance years but reproducible.
inline std::uint64_t base_period_seed(std::uint64_t seed) { return seed ^ 0x62617365'70657264ull; }  // "baseperd"
/// Seed of the calibration sample (what contracts fix before the year: truncation
/// percentiles, stop-loss expectations): independent of the run's trials, so a trial's
/// outputs depend only on the seed and its index, never on how many trials run.
inline std::uint64_t calibration_seed(std::uint64_t seed) { return seed ^ 0x63616c69'62726174ull; }  // "calibrat"

namespace detail {

inline Scenario without_program(const Scenario& s) {
    Scenario b = s;
    b.intervention.reset();
    b.payment_models.clear();
    return b;
}

/// Trials of the percentile pilot: the calibration sample, at most about two million
/// member-years (every member-year's cost is kept in memory).
inline std::uint64_t pilot_trials(const Scenario& s, const SimulationOptions& o) {
    const double member_years = std::max(1.0, static_cast<double>(s.population.size()) * s.years());
    return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(2e6 / member_years), 1, o.calibration_trials);
}

/// Per-year p-quantiles of baseline member-year cost, from the first trials of the
/// calibration sample.
inline std::vector<double> pilot_percentiles(const Scenario& s, const SimulationOptions& o, double p) {
    const Scenario b = without_program(s);
    SimulationOptions pilot = o;
    pilot.seed = calibration_seed(o.seed);
    pilot.trials = pilot_trials(s, o);
    pilot.member_detail = true;
    const SimulationResults r = simulate(b, pilot);
    std::vector<double> out;
    for (int y = 0; y < r.years; ++y) {
        std::vector<double> costs;
        for (std::uint64_t t = 0; t < r.trials; ++t)
            for (std::size_t i = 0; i < r.member_count; ++i)
                if (s.population.months_of(i, y) > 0) costs.push_back(r.member_costs[(t * r.years + y) * r.member_count + i]);
        if (costs.empty()) throw InvalidInput("population", "members eligible in year " + std::to_string(y + 1), "none");
        out.push_back(stats::quantile(costs, p));
    }
    return out;
}

inline SettlementSetup make_setup(const Scenario& s, const SimulationOptions& o) {
    SettlementSetup setup;
    setup.categories = s.cost_model.categories;
    setup.tiers = s.cost_model.tiers;
    setup.years = s.years();
    double months = 0, score_months = 0, n = 0, m1 = 0, m2 = 0, within = 0;
    std::vector<MemberYearMoments> tier_moments;
    for (std::size_t k = 0; k < s.cost_model.tier_count(); ++k) tier_moments.push_back(member_year_moments(s.cost_model, k));
    for (std::size_t i = 0; i < s.population.size(); ++i) {
        const int mo = s.population.months_of(i, 0);
        if (mo == 0) continue;
        const MemberYearMoments& tm = tier_moments[s.population.tier[i]];
        n += 1;
        months += mo;
        score_months += s.population.risk_score[i] * mo;
        m1 += tm.mean;
        m2 += tm.variance + tm.mean * tm.mean;
        within += tm.variance;
    }
    setup.pool_members = n;
    setup.mean_risk_score = months > 0 ? score_months / months : 0.0;
    if (n > 0) {
        const double mean = m1 / n;  // the year-1 mixture of tiers
        setup.member_cost_cv = std::sqrt(std::max(0.0, m2 / n - mean * mean)) / mean;
        setup.member_cost_cv_within_tier = std::sqrt(within / n) / mean;
    }
    auto cache = std::make_shared<std::map<double, std::vector<double>>>();
    setup.member_cost_percentile = [&s, o, cache](double p) {
        auto it = cache->find(p);
        if (it == cache->end()) it = cache->emplace(p, pilot_percentiles(s, o, p)).first;
        return it->second;
    };
    return setup;
}

struct PreparedComponent {
    const ComponentInForce* component;
    std::string where;
    std::string label;                     ///< in the results: the type, or type@index when the model has two
    ComponentNeeds needs;
    std::size_t first_reduction = 0;       ///< in the main experience table
    std::size_t base_reduction = 0;        ///< in the base-period table (when truncated)
    std::optional<std::size_t> comparison; ///< its slot in PaymentResults::comparisons
    std::vector<double> calibration;
};

struct PreparedModel {
    const PaymentModel* model;
    std::vector<PreparedComponent> components;  ///< in settlement order (phase, then listed order)
    std::vector<CareCoverage> coverage;         ///< [year]
    bool scored = false;                        ///< has a quality score
};

/// Expected allowed cost per member-year of each tier: the weights of the tier-mix risk adjustment.
inline double tier_mix_risk(std::span<const double> member_months, const std::vector<double>& tier_mean) {
    double num = 0, den = 0;
    for (std::size_t k = 0; k < member_months.size(); ++k) {
        num += member_months[k] * tier_mean[k];
        den += member_months[k];
    }
    return den > 0 ? num / den : 1.0;
}

/// Marks which categories each capitation and listed fee-for-service pays for, year by
/// year; two payers of one category's care in a year are an error.
inline void mark_coverage(PreparedModel& m, const PreparedComponent& pc, const SettlementSetup& setup) {
    std::visit(
        [&](const auto& terms) {
            if constexpr (requires { terms.covers(setup, pc.where); }) {
                const auto mask = terms.covers(setup, pc.where);
                if (!mask) return;
                for (int y = 0; y < setup.years; ++y) {
                    if (!pc.component->in_force(y)) continue;
                    CareCoverage& cov = m.coverage[static_cast<std::size_t>(y)];
                    for (std::size_t k = 0; k < setup.categories.size(); ++k) {
                        if (!(*mask)[k]) continue;
                        if (cov.capitated(k) || cov.listed_by_ffs[k])
                            throw InvalidInput(pc.where + ".categories",
                                               "categories no other capitation or fee-for-service pays for in year " + std::to_string(y + 1),
                                               "\"" + setup.categories[k] + "\" paid twice");
                        if constexpr (requires { terms.capitated_party(); })
                            cov.capitated_to[k] = static_cast<std::uint8_t>(terms.capitated_party());
                        else
                            cov.listed_by_ffs[k] = 1;
                    }
                }
            }
        },
        pc.component->terms);
}

/// After coverage is known: at most one residual fee-for-service a year, and it has care
/// to pay for; components that measure against what others cover check it.
inline void check_coverage(const PreparedModel& m, const SettlementSetup& setup) {
    for (int y = 0; y < setup.years; ++y) {
        const CareCoverage& cov = m.coverage[static_cast<std::size_t>(y)];
        const PreparedComponent* residual = nullptr;
        for (const auto& pc : m.components) {
            if (!pc.component->in_force(y)) continue;
            std::visit(
                [&](const auto& terms) {
                    if constexpr (requires { terms.residual(); }) {
                        if (!terms.residual()) return;
                        if (residual)
                            throw InvalidInput(pc.where + ".categories",
                                               "categories (" + residual->where + " already pays for every category nothing else covers in year " +
                                                   std::to_string(y + 1) + ")",
                                               "none: all care would be paid twice");
                        residual = &pc;
                        bool left = false;
                        for (std::size_t k = 0; k < setup.categories.size(); ++k) left = left || cov.residual(k);
                        if (!left)
                            throw InvalidInput(pc.where, "care to pay for in year " + std::to_string(y + 1) + " (a fee-for-service with no effect is an error)",
                                               "every category is paid for by a capitation or a fee-for-service that lists it");
                    }
                    if constexpr (requires { terms.check_coverage(setup, cov, y, pc.where); }) terms.check_coverage(setup, cov, y, pc.where);
                },
                pc.component->terms);
        }
    }
}

/// Each component's label in the results (comparisons, calibration rows): the type, or
/// type@index when two components of the model share it.
inline void label_components(PreparedModel& m) {
    for (auto& pc : m.components) {
        const std::string type = component_type(pc.component->terms);
        std::size_t same = 0;
        for (const auto& c : m.model->components) same += type == component_type(c.terms);
        const auto index = static_cast<std::size_t>(pc.component - m.model->components.data());
        pc.label = same > 1 ? type + "@" + std::to_string(index) : type;
    }
}

/// Prepares every model (names resolved, coverage checked, reductions listed) before any
/// simulation.
struct Preparation {
    std::vector<PreparedModel> models;
    std::vector<MemberReduction> reductions, base_reductions;
    std::size_t base_years = 0;
    std::size_t comparisons = 0;
};

inline Preparation prepare(const Scenario& scenario, const SettlementSetup& setup) {
    Preparation prep;
    for (std::size_t mi = 0; mi < scenario.payment_models.size(); ++mi) {
        const PaymentModel& pm = scenario.payment_models[mi];
        PreparedModel m{&pm, {}, std::vector<CareCoverage>(static_cast<std::size_t>(setup.years), CareCoverage(setup.categories.size())),
                        pm.quality.fixed.has_value() || !pm.quality.measures.empty()};
        for (std::size_t ci = 0; ci < pm.components.size(); ++ci) {
            const ComponentInForce& c = pm.components[ci];
            PreparedComponent pc{&c, index_path(index_path("payment_models", mi) + ".components", ci), "", {}, 0, 0, std::nullopt, {}};
            std::visit([&](const auto& terms) { pc.needs = terms.needs(setup, pc.where); }, c.terms);
            mark_coverage(m, pc, setup);
            pc.first_reduction = prep.reductions.size();
            prep.reductions.insert(prep.reductions.end(), pc.needs.reductions.begin(), pc.needs.reductions.end());
            if (pc.needs.benchmark && pc.needs.benchmark->simulated_baseline()) {
                prep.base_years = std::max(prep.base_years, pc.needs.benchmark->base_year_weights.size());
                if (pc.needs.base_truncated) {
                    pc.base_reduction = prep.base_reductions.size();
                    MemberReduction r = pc.needs.reductions[0];
                    // Base-period costs are in base-year dollars: deflate year 1's truncation point by one year of expected trend.
                    r.attachment.assign(10, r.attachment[0] / std::max(0.01, 1.0 + scenario.cost_model.trend.mean));
                    prep.base_reductions.push_back(r);
                }
            }
            m.components.push_back(std::move(pc));
        }
        std::stable_sort(m.components.begin(), m.components.end(),
                         [](const auto& a, const auto& b) { return phase(a.component->terms) < phase(b.component->terms); });
        for (auto& pc : m.components)
            if (compares(pc.component->terms)) pc.comparison = prep.comparisons++;
        check_coverage(m, setup);
        label_components(m);
        prep.models.push_back(std::move(m));
    }
    return prep;
}

/// The simulated benchmark base period: without the program, no trend (base-year
/// dollars), every member eligible as in year 1, on base_period_seed(seed).
inline ExperienceTable simulate_base_period(const Scenario& scenario, const SimulationOptions& options, Preparation& prep) {
    const std::size_t base_years = prep.base_years;
    Scenario b = without_program(scenario);
    b.cost_model.trend = Trend{0.0, 0.0};
    Population& pop = b.population;
    std::vector<std::uint8_t> months(pop.size() * base_years);
    for (std::size_t i = 0; i < pop.size(); ++i)
        for (std::size_t y = 0; y < base_years; ++y) months[i * base_years + y] = static_cast<std::uint8_t>(scenario.population.months_of(i, 0));
    pop.months = std::move(months);
    pop.years = static_cast<int>(base_years);
    b.population_recipe.reset();
    SimulationOptions bo = options;
    bo.seed = base_period_seed(options.seed);
    bo.member_detail = false;
    for (auto& r : prep.base_reductions) r.attachment.resize(base_years, r.attachment[0]);
    ExperienceTable base(options.trials, 1, static_cast<int>(base_years), scenario.cost_model.category_count(),
                         scenario.cost_model.tier_count(), 0, prep.base_reductions.size());
    ExperienceObserver observer(b, prep.base_reductions, base);
    simulate(b, bo, {&observer});
    return base;
}

/// What contracts fix before the year (stop-loss expectations), from a calibration
/// sample of the base case (no program) of options.calibration_trials trials on
/// calibration_seed(seed): the same for any number of trials in the run.
inline void calibrate(const Scenario& scenario, const SimulationOptions& options, const SettlementSetup& setup, Preparation& prep,
                      PaymentResults& pay) {
    bool needed = false;
    for (const auto& m : prep.models)
        for (const auto& pc : m.components)
            std::visit([&](const auto& terms) { if constexpr (requires(const CalibrationView& v) { terms.calibrate(v); }) needed = true; },
                       pc.component->terms);
    if (!needed) return;
    const Scenario b = without_program(scenario);
    SimulationOptions co = options;
    co.seed = calibration_seed(options.seed);
    co.trials = options.calibration_trials;
    co.member_detail = false;
    ExperienceTable table(co.trials, 1, setup.years, setup.categories.size(), setup.tiers.size(), 0, prep.reductions.size());
    {
        ExperienceObserver observer(b, prep.reductions, table);
        simulate(b, co, {&observer});
    }
    pay.calibration_trials = co.trials;
    pay.calibration_seed = co.seed;
    for (std::size_t mi = 0; mi < prep.models.size(); ++mi)
        for (auto& pc : prep.models[mi].components)
            std::visit(
                [&](const auto& terms) {
                    if constexpr (requires(const CalibrationView& v) { terms.calibrate(v); }) {
                        CalibrationView v;
                        v.categories = setup.categories;
                        v.trials = co.trials;
                        v.years = setup.years;
                        v.baseline = [&table](std::uint64_t t, int y) { return table.at(t, 0, y); };
                        const std::size_t first = pc.first_reduction, count = pc.needs.reductions.size();
                        v.member_sums = [&table, first, count](std::uint64_t t, int y) { return table.at(t, 0, y).member_sums.subspan(first, count); };
                        pc.calibration = terms.calibrate(v);
                        for (const auto& [quantity, values] : terms.describe_calibration(pc.calibration, setup.years))
                            for (std::size_t y = 0; y < values.size(); ++y)
                                pay.calibration.push_back({pay.models[mi], pc.label, static_cast<int>(y + 1), quantity, values[y]});
                    }
                },
                pc.component->terms);
}

/// The truncation points the run uses (from the percentile pilot or given), for the results.
inline void report_truncation(const Preparation& prep, PaymentResults& pay) {
    for (std::size_t mi = 0; mi < prep.models.size(); ++mi)
        for (const auto& pc : prep.models[mi].components)
            if (pc.needs.base_truncated)
                for (std::size_t y = 0; y < pc.needs.reductions[0].attachment.size(); ++y)
                    pay.calibration.push_back({pay.models[mi], pc.label, static_cast<int>(y + 1), "truncation_point", pc.needs.reductions[0].attachment[y]});
}

}  // namespace detail

inline RunResults run(const Scenario& scenario, const SimulationOptions& options) {
    scenario.validate();
    options.validate();
    RunResults out;
    if (scenario.payment_models.empty()) {
        out.simulation = simulate(scenario, options);
        return out;
    }
    const int Y = scenario.years();
    const std::size_t C = scenario.cost_model.category_count();
    const SettlementSetup setup = detail::make_setup(scenario, options);
    const ResolvedDelivery delivery(scenario.delivery, setup.categories, "delivery");

    detail::Preparation prep = detail::prepare(scenario, setup);
    PaymentResults& pay = out.payments;
    for (const auto& m : prep.models) {
        pay.models.push_back(m.model->name);
        bool performance = false;
        for (const auto& c : m.model->components) performance = performance || pays_on_performance(c.terms);
        pay.pays_on_performance.push_back(performance);
        std::vector<std::string> comparing;
        for (const auto& pc : m.components)
            if (pc.comparison) comparing.push_back(pc.label);
        pay.comparing_components.push_back(comparing);
    }
    detail::report_truncation(prep, pay);

    const ExperienceTable base = prep.base_years > 0 ? detail::simulate_base_period(scenario, options, prep) : ExperienceTable{};

    const std::size_t arms = scenario.intervention ? 2 : 1;
    const std::size_t T = scenario.cost_model.tier_count();
    const std::size_t K = scenario.intervention ? scenario.intervention->costs.size() : 0;
    ExperienceTable main(options.trials, arms, Y, C, T, K, prep.reductions.size());
    {
        ExperienceObserver observer(scenario, prep.reductions, main);
        out.simulation = simulate(scenario, options, {&observer});
    }
    const SimulationResults& sim = out.simulation;
    detail::calibrate(scenario, options, setup, prep, pay);

    for (const auto& a : sim.arms) pay.arms.push_back(a.name);
    pay.trials = options.trials;
    pay.years = Y;
    pay.allocate();
    if (arms > 1) {
        pay.real_savings.resize(options.trials * Y);
        for (std::uint64_t t = 0; t < options.trials; ++t)
            for (int y = 0; y < Y; ++y) pay.real_savings[t * Y + y] = main.at(t, 0, y).total_allowed() - main.at(t, 1, y).total_allowed();
    }
    std::vector<double> tier_mean;
    for (std::size_t k = 0; k < T; ++k) tier_mean.push_back(member_year_moments(scenario.cost_model, k).mean);
    double given_base_tier_risk = 0, months0 = 0;
    for (std::size_t i = 0; i < scenario.population.size(); ++i) {
        given_base_tier_risk += scenario.population.months_of(i, 0) * tier_mean[scenario.population.tier[i]];
        months0 += scenario.population.months_of(i, 0);
    }
    given_base_tier_risk /= months0;
    std::vector<Party> bearer;
    if (scenario.intervention)
        for (const auto& c : scenario.intervention->costs) bearer.push_back(scenario.delivery.bearer_of(c.component));

    for (std::size_t mi = 0; mi < prep.models.size(); ++mi) {
        const detail::PreparedModel& m = prep.models[mi];
        for (std::uint64_t t = 0; t < options.trials; ++t) {
            for (std::size_t a = 0; a < arms; ++a) {
                for (int y = 0; y < Y; ++y) {
                    const PeriodExperience e = main.at(t, a, y);
                    Ledger ledger;
                    for (std::size_t c = 0; c < C; ++c)
                        for (Party p : care_parties) ledger.incur(p, e.allowed[c] * delivery.share(p, c) * delivery.cost_ratio(p, c));
                    for (std::size_t k = 0; k < e.program_cost.size(); ++k) ledger.incur(bearer[k], e.program_cost[k]);
                    const double quality = m.model->quality.score(options.seed, static_cast<std::uint32_t>(t), y, a == 1);
                    if (m.scored) ledger.record(Metric::quality_score, quality);
                    for (const auto& pc : m.components) {
                        if (!pc.component->in_force(y)) continue;
                        double benchmark = 0.0;
                        if (const BenchmarkTerms* bt = pc.needs.benchmark) {
                            BenchmarkInputs in;
                            in.realised_trend = sim.trend[t];
                            if (bt->simulated_baseline()) {
                                double base_pmpm = 0, base_risk = 0;
                                const std::size_t nb = bt->base_year_weights.size();
                                for (std::size_t b = 0; b < nb; ++b) {
                                    // The weights run oldest first; the latest base year is the last simulated one.
                                    const PeriodExperience be = base.at(t, 0, static_cast<int>(prep.base_years - nb + b));
                                    double cost = be.allowed_in(pc.needs.base_categories);
                                    if (pc.needs.base_truncated) cost -= be.member_sums[pc.base_reduction];
                                    base_pmpm += bt->base_year_weights[b] * cost / be.total_months();
                                    base_risk += bt->base_year_weights[b] * (bt->risk_adjustment == RiskAdjustment::risk_score
                                                                                 ? be.risk_months / be.total_months()
                                                                                 : detail::tier_mix_risk(be.member_months, tier_mean));
                                }
                                in.simulated_base_pmpm = base_pmpm;
                                in.base_risk = base_risk;
                            } else {
                                in.base_risk = bt->risk_adjustment == RiskAdjustment::risk_score ? setup.mean_risk_score : given_base_tier_risk;
                            }
                            in.performance_risk = bt->risk_adjustment == RiskAdjustment::risk_score ? e.risk_months / e.total_months()
                                                                                                  : detail::tier_mix_risk(e.member_months, tier_mean);
                            benchmark = bt->pmpm_in(y, in);
                        }
                        Comparison comparison;
                        const SettlementContext ctx{setup, e, y, static_cast<std::uint32_t>(t), a == 1, setup.categories, setup.tiers, delivery,
                                                    m.coverage[static_cast<std::size_t>(y)], quality, benchmark,
                                                    e.member_sums.subspan(pc.first_reduction, pc.needs.reductions.size()), pc.calibration,
                                                    pc.comparison ? &comparison : nullptr};
                        std::visit([&](const auto& terms) { terms.settle(ctx, ledger); }, pc.component->terms);
                        if (pc.comparison) pay.store_comparison(*pc.comparison, a, t, y, comparison);
                    }
                    pay.store(mi, a, t, y, ledger);
                }
            }
        }
    }
    return out;
}

}  // namespace apmsim
