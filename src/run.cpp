// The run driver (run.hpp): simulates a scenario and settles its payment models.
#include "apmsim/run.hpp"

#include "apmsim/base_case_cache.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/core/memory.hpp"

#include "apmsim/contracts/settlement.hpp"
#include "apmsim/experience/experience_observer.hpp"
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/stats/summary.hpp"

#include <algorithm>
#include <cstdio>
#include <list>
#include <map>
#include <memory>

namespace apmsim {

double quality_score(const QualityTerms& quality, std::uint64_t seed, std::uint32_t trial, int year, bool intervention_arm) {
    return quality.score(
        [&](std::size_t k) {
            random::Stream stream(seed, trial, random::trial_level_member,
                                  random::variable_id(random::StreamKind::quality, static_cast<std::uint32_t>(year), static_cast<std::uint32_t>(k)));
            return stream.uniform();
        },
        intervention_arm);
}

namespace {

/// The model without its program: the base case.
Model without_program(const Model& m) {
    Model b = m;
    b.intervention.reset();
    return b;
}

/// A double written exactly (hexadecimal), for cache keys.
std::string exactly(double x) {
    char text[40];
    std::snprintf(text, sizeof text, "%a", x);
    return text;
}

/// The start of a base-case cache key (base_case_cache.hpp): what is simulated (`kind`),
/// the model without its program written out in full (members listed, not a recipe),
/// and the options the simulation's numbers depend on (not threads or member detail).
Json base_case_key(const char* kind, const Model& m, const SimulationOptions& o) {
    Scenario s;
    static_cast<Model&>(s) = without_program(m);
    s.population_recipe.reset();
    Json model = scenario_to_json(s);
    model.erase("name");
    model.erase("settings");
    return {{"kind", kind},
            {"model", std::move(model)},
            {"seed", o.seed},
            {"trials", o.trials},
            {"trial_begin", o.trial_begin},
            {"parameter_block", o.parameter_block},
            {"mode", mode_name(o.mode)}};
}

/// The parts of a key that name the member-level reductions and segments a base-case
/// simulation collects.
Json reductions_key(const std::vector<MemberReduction>& reductions) {
    Json out = Json::array();
    for (const MemberReduction& r : reductions) {
        Json attachment = Json::array();
        for (double a : r.attachment) attachment.push_back(exactly(a));
        out.push_back({attachment, exactly(r.coinsurance), exactly(r.limit), r.categories});
    }
    return out;
}

/// The base-case cache's size of a set of experience tables.
std::size_t bytes_of(const std::vector<ExperienceTable>& tables) {
    std::size_t n = sizeof(tables);
    for (const ExperienceTable& t : tables) n += t.bytes();
    return n;
}

/// Trials of the percentile pilot: the calibration sample, at most about two million
/// member-years (every member-year's cost is kept in memory).
std::uint64_t pilot_trials(const Model& m, const SimulationOptions& o) {
    const double member_years = std::max(1.0, static_cast<double>(m.population.size()) * m.years());
    return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(2e6 / member_years), 1, o.calibration_trials);
}

/// Every enrolled member-year's baseline cost, kept by trial and year (each trial writes
/// its own slots, so the collection does not depend on the threads).
class EnrolledCosts final : public TrialObserver {
public:
    EnrolledCosts(std::uint64_t trials, int years, std::vector<bool> tiers_in)
        : years_(years), tiers_in_(std::move(tiers_in)), by_trial_(trials * static_cast<std::size_t>(years)) {}
    void observe(const TrialView& v) override {
        for (int y = 0; y < v.years; ++y) {
            std::vector<double>& out = by_trial_[v.trial * static_cast<std::size_t>(years_) + static_cast<std::size_t>(y)];
            for (std::size_t i = 0; i < v.members; ++i) {
                const std::size_t my = i * static_cast<std::size_t>(v.years) + static_cast<std::size_t>(y);
                if (v.months[my] > 0 && tiers_in_[v.arm_tiers[0][my]]) out.push_back(v.arms[0][my]);
            }
        }
    }
    std::vector<double> year(int y) const {
        std::vector<double> all;
        for (std::size_t k = static_cast<std::size_t>(y); k < by_trial_.size(); k += static_cast<std::size_t>(years_))
            all.insert(all.end(), by_trial_[k].begin(), by_trial_[k].end());
        return all;
    }

private:
    int years_;
    std::vector<bool> tiers_in_;  ///< [tier] the segment's
    std::vector<std::vector<double>> by_trial_;
};

/// Per-year p-quantiles of baseline member-year cost, from the first trials of the
/// calibration sample (kept in the base-case cache).
std::vector<double> pilot_percentiles(const Model& m, const SimulationOptions& o, double p, const std::vector<bool>& tiers_in,
                                      const std::atomic<bool>* stop) {
    SimulationOptions pilot = o;
    pilot.seed = calibration_seed(o.seed);
    pilot.trials = pilot_trials(m, o);
    pilot.trial_begin = 0;  // the calibration sample's own trials, whatever part of the run this is
    pilot.parameter_block = 1;  // the calibration sample is the contract's view: independent trials
    Json key = base_case_key("pilot", m, pilot);
    key["percentile"] = exactly(p);
    key["tiers_in"] = tiers_in;
    const auto percentiles = cached_base_case<std::vector<double>>(
        key.dump(),
        [&] {
            EnrolledCosts costs(pilot.trials, m.years(), tiers_in);
            (void)simulate(without_program(m), pilot, {&costs}, {stop, nullptr});
            std::vector<double> out;
            for (int y = 0; y < m.years(); ++y) {
                std::vector<double> year = costs.year(y);
                if (year.empty()) throw InvalidInput("population", "members eligible in year " + std::to_string(y + 1), "none");
                out.push_back(stats::quantile(year, p));
            }
            return out;
        },
        [](const std::vector<double>& v) { return sizeof(v) + v.capacity() * sizeof(double); });
    return *percentiles;
}

/// The analytic member-level cvs of annual cost of `categories` (empty: all), over the
/// year-1 members of the tiers `tiers_in`: between tiers included, and within tiers
/// (sqrt(mean within-tier variance) / mean); 0 for an empty pool.
std::pair<double, double> member_cost_cvs(const Scenario& s, const std::vector<bool>& tiers_in, const std::vector<bool>& categories) {
    std::vector<MemberYearMoments> tier_moments;
    for (std::size_t k = 0; k < s.cost_model.tier_count(); ++k) tier_moments.push_back(member_year_moments(s.cost_model, k, categories));
    double n = 0, m1 = 0, m2 = 0, within = 0;
    for (std::size_t i = 0; i < s.population.size(); ++i) {
        if (s.population.months_of(i, 0) == 0 || !tiers_in[s.population.tier[i]]) continue;
        const MemberYearMoments& tm = tier_moments[s.population.tier[i]];
        n += 1;
        m1 += tm.mean;
        m2 += tm.variance + tm.mean * tm.mean;
        within += tm.variance;
    }
    if (!(n > 0)) return {0.0, 0.0};
    const double mean = m1 / n;  // the year-1 mixture of tiers
    return {std::sqrt(std::max(0.0, m2 / n - mean * mean)) / mean, std::sqrt(within / n) / mean};
}

/// The scenario's names and pool facts that components are prepared against, for the
/// members of the tiers `tiers_in` (a population segment; empty: every tier).
SettlementSetup make_setup(const Scenario& s, const SimulationOptions& o, const RunControl& control, std::vector<bool> tiers_in = {}) {
    const bool segment = !tiers_in.empty();
    if (tiers_in.empty()) tiers_in.assign(s.cost_model.tier_count(), true);
    SettlementSetup setup;
    setup.categories = s.cost_model.categories;
    setup.tiers = s.cost_model.tiers;
    setup.years = s.years();
    double months = 0, score_months = 0, n = 0;
    for (std::size_t i = 0; i < s.population.size(); ++i) {
        const int mo = s.population.months_of(i, 0);
        if (mo == 0 || !tiers_in[s.population.tier[i]]) continue;
        n += 1;
        months += mo;
        score_months += s.population.risk_score[i] * mo;
    }
    setup.pool_members = n;
    if (segment) setup.tiers_in = tiers_in;
    setup.mean_risk_score = months > 0 ? score_months / months : 0.0;
    std::tie(setup.member_cost_cv, setup.member_cost_cv_within_tier) = member_cost_cvs(s, tiers_in, {});
    setup.measured_cost_cvs = [&s, tiers_in](const std::vector<bool>& categories) { return member_cost_cvs(s, tiers_in, categories); };
    auto cache = std::make_shared<std::map<double, std::vector<double>>>();
    const Model& model = s;
    setup.member_cost_percentile = [&model, o, cache, tiers_in, stop = control.stop](double p) {
        auto it = cache->find(p);
        if (it == cache->end()) it = cache->emplace(p, pilot_percentiles(model, o, p, tiers_in, stop)).first;
        return it->second;
    };
    return setup;
}

/// The population segments the models of a settlement cover: 0 the whole population, then
/// each named segment once, in the order the models name them.
struct SegmentPlan {
    std::vector<std::string> names{""};
    std::vector<std::vector<bool>> masks;  ///< [segment][tier]
    std::vector<std::size_t> of_model;     ///< [model] its segment

    SegmentPlan(const Scenario& s, const std::vector<PaymentModel>& models) {
        for (const auto& m : models) {
            auto it = std::find(names.begin(), names.end(), m.segment);
            if (it == names.end()) it = names.insert(names.end(), m.segment);
            of_model.push_back(static_cast<std::size_t>(it - names.begin()));
        }
        for (const auto& n : names) masks.push_back(segment_mask(s.segments, n, s.cost_model.tiers, "payment_models.segment"));
    }
    std::size_t size() const { return names.size(); }
};

/// One experience table per segment and the observers that fill them from one simulation.
struct SegmentTables {
    std::vector<ExperienceTable> tables;
    std::vector<std::unique_ptr<ExperienceObserver>> observers;

    SegmentTables(const Model& m, const SegmentPlan& plan, const std::vector<MemberReduction>& reductions, std::uint64_t trials,
                  std::size_t arms, int years, const RunControl& control) {
        const std::size_t components = m.intervention ? m.intervention->cost_items().size() : 0;
        tables.reserve(plan.size());
        for (std::size_t k = 0; k < plan.size(); ++k)
            tables.emplace_back(trials, arms, years, m.cost_model.category_count(), m.cost_model.tier_count(), components, reductions.size(),
                                control);
        for (std::size_t k = 0; k < plan.size(); ++k) observers.push_back(std::make_unique<ExperienceObserver>(m, reductions, tables[k], plan.masks[k]));
    }
    std::vector<TrialObserver*> watching() const {
        std::vector<TrialObserver*> out;
        for (const auto& o : observers) out.push_back(o.get());
        return out;
    }
};

/// The simulated benchmark base period: without the program, no trend (base-year
/// dollars), every member eligible as in year 1 and in its year-1 tier in every base year
/// (the years before the contract taken to be in the steady state its first year shows:
/// tier transitions apply from the contract's first year on; run forward from year 1, the
/// latest base years drifted furthest from it), on base_period_seed(seed); one table per
/// segment (kept in the base-case cache). Base years are alike, so a model with n base
/// years takes simulated years 0 .. n - 1 whatever the other models ask for.
std::shared_ptr<const std::vector<ExperienceTable>> simulate_base_period(const Model& model, const SimulationOptions& options,
                                                                         const Settlement& settlement, const SegmentPlan& segments,
                                                                         const RunControl& control) {
    const std::size_t base_years = settlement.base_years();
    Model b = without_program(model);
    b.cost_model.trend = Trend{0.0, 0.0};
    b.churn.reset();  // every member eligible as in year 1, in every base year,
    b.cost_model.tier_transition.resize(0, 0);  // in its year-1 tier
    Population& pop = b.population;
    std::vector<std::uint8_t> months(pop.size() * base_years);
    for (std::size_t i = 0; i < pop.size(); ++i)
        for (std::size_t y = 0; y < base_years; ++y) months[i * base_years + y] = static_cast<std::uint8_t>(model.population.months_of(i, 0));
    pop.months = std::move(months);
    pop.years = static_cast<int>(base_years);
    b.population_recipe.reset();
    SimulationOptions bo = options;
    bo.seed = base_period_seed(options.seed);
    bo.member_detail = false;
    Json key = base_case_key("base_period", b, bo);  // of the base period's own model: a sweep over the trend or churn shares it
    key["reductions"] = reductions_key(settlement.base_reductions());
    key["segments"] = segments.masks;
    return cached_base_case<std::vector<ExperienceTable>>(
        key.dump(),
        [&] {
            SegmentTables base(b, segments, settlement.base_reductions(), options.trials, 1, static_cast<int>(base_years), control);
            simulate(b, bo, base.watching(), {control.stop, nullptr});
            return std::move(base.tables);
        },
        bytes_of);
}

/// What contracts fix before the year (stop-loss expectations), from a calibration
/// sample of the base case (no program) of options.calibration_trials trials on
/// calibration_seed(seed): the same for any number of trials in the run (the sample is
/// kept in the base-case cache).
void calibrate(const Model& model, const SimulationOptions& options, const SegmentPlan& segments, const RunControl& control,
               Settlement& settlement) {
    if (!settlement.needs_calibration()) return;
    SimulationOptions co = options;
    co.seed = calibration_seed(options.seed);
    co.trials = options.calibration_trials;
    co.trial_begin = 0;  // the calibration sample's own trials, whatever part of the run this is
    co.parameter_block = 1;
    co.member_detail = false;
    Json key = base_case_key("calibration", model, co);
    key["reductions"] = reductions_key(settlement.reductions());
    key["segments"] = segments.masks;
    const auto sample = cached_base_case<std::vector<ExperienceTable>>(
        key.dump(),
        [&] {
            const Model b = without_program(model);
            SegmentTables tables(b, segments, settlement.reductions(), co.trials, 1, settlement.setup().years, control);
            simulate(b, co, tables.watching(), {control.stop, nullptr});
            return std::move(tables.tables);
        },
        bytes_of);
    settlement.calibrate(*sample);
}

/// The models [first, last) of a settlement: the payment results' labels, the truncation
/// points the contracts fixed and what they fixed from the calibration sample.
void label_results(const Settlement& settlement, std::size_t first, std::size_t last, const SimulationOptions& options,
                   PaymentResults& pay) {
    const int Y = settlement.setup().years;
    for (std::size_t mi = first; mi < last; ++mi) {
        const PreparedModel& m = settlement.models()[mi];
        pay.models.push_back(m.model->name);
        pay.segments.push_back(m.model->segment);
        pay.pays_on_performance.push_back(m.pays_on_performance);
        std::vector<std::string> comparing;
        for (const auto& step : m.steps)
            if (step.comparison) comparing.push_back(step.label);
        pay.comparing_components.push_back(comparing);
        if (settlement.needs_calibration(mi)) {
            pay.calibration_trials = options.calibration_trials;
            pay.calibration_seed = calibration_seed(options.seed);
        }
    }
    for (const MetricInfo& info : settlement.setup().metrics) pay.metric_names.emplace_back(info.name);
    for (std::size_t mi = first; mi < last; ++mi) {
        const PreparedModel& m = settlement.models()[mi];
        for (const auto& step : m.steps)
            if (step.needs.base_truncated)
                for (std::size_t y = 0; y < step.needs.reductions[0].attachment.size(); ++y)
                    pay.calibration.push_back({m.model->name, step.label, static_cast<int>(y + 1), "truncation_point", step.needs.reductions[0].attachment[y]});
    }
    for (std::size_t mi = first; mi < last; ++mi) {
        const PreparedModel& m = settlement.models()[mi];
        for (const auto& step : m.steps)
            std::visit(
                [&](const auto& p) {
                    if constexpr (requires { p.describe_calibration(std::span<const double>{}, Y); })
                        for (const auto& [quantity, values] : p.describe_calibration(step.calibration, Y))
                            for (std::size_t y = 0; y < values.size(); ++y)
                                pay.calibration.push_back({m.model->name, step.label, static_cast<int>(y + 1), quantity, values[y]});
                },
                step.prepared);
    }
}

/// Expected cost per member-year of each tier, and the tier-mix risk of year 1's members.
BenchmarkBasis benchmark_basis(const Model& model, const ExperienceTable* base_period, const std::vector<bool>& tiers_in) {
    BenchmarkBasis basis;
    basis.base_period = base_period;
    for (std::size_t k = 0; k < model.cost_model.tier_count(); ++k) basis.tier_mean.push_back(member_year_moments(model.cost_model, k).mean);
    double risk = 0, months0 = 0;
    for (std::size_t i = 0; i < model.population.size(); ++i) {
        if (!tiers_in[model.population.tier[i]]) continue;
        risk += model.population.months_of(i, 0) * basis.tier_mean[model.population.tier[i]];
        months0 += model.population.months_of(i, 0);
    }
    basis.given_base_tier_risk = risk / months0;
    return basis;
}

/// Each model's quality scores [trial][arm][year], computed once for each distinct set of
/// quality terms (the models of a sweep's variants usually share theirs).
class QualityScores {
public:
    QualityScores(const SimulationOptions& options, std::size_t arms, int years) : options_(options), arms_(arms), years_(years) {}

    std::span<const double> of(const QualityTerms& terms) {
        for (const auto& [known, scores] : tables_)
            if (known == terms) return scores;
        std::vector<double> scores(options_.trials * arms_ * static_cast<std::size_t>(years_));
        for (std::uint64_t t = 0; t < options_.trials; ++t)
            for (std::size_t a = 0; a < arms_; ++a)
                for (int y = 0; y < years_; ++y)
                    scores[(t * arms_ + a) * static_cast<std::size_t>(years_) + static_cast<std::size_t>(y)] =
                        quality_score(terms, options_.seed, options_.parameter_trial(options_.trial_number(t)), y, a == 1);
        tables_.emplace_back(terms, std::move(scores));
        return tables_.back().second;
    }

private:
    SimulationOptions options_;
    std::size_t arms_;
    int years_;
    std::list<std::pair<QualityTerms, std::vector<double>>> tables_;  // stable addresses
};

/// Settles models [first, last) for every trial, arm and year into `pay` (labelled for
/// those models); comparison slots are renumbered from the first model's. With a federal
/// match, the federal part of the payer's results is stored too.
void settle_range(const SimulationOptions& options, const Settlement& settlement, std::size_t first, std::size_t last,
                  std::span<const ExperienceTable> tables, std::span<const BenchmarkBasis> bases, const SimulationResults& sim,
                  const RunControl& control, QualityScores& quality_scores, const ResolvedFederalMatch* match, PaymentResults& pay) {
    std::vector<Comparison> comparisons(settlement.comparison_slots());
    std::size_t first_slot = 0;
    for (std::size_t mi = 0; mi < first; ++mi)
        for (const auto& step : settlement.models()[mi].steps) first_slot += step.comparison ? 1 : 0;
    for (std::size_t mi = first; mi < last; ++mi) {
        const PaymentModel& model = *settlement.models()[mi].model;
        const std::size_t segment = settlement.models()[mi].segment;
        const ExperienceTable& main = tables[segment];
        const BenchmarkBasis& basis = bases[segment];
        const std::size_t arms = main.arms();
        const std::span<const double> quality = quality_scores.of(model.quality);
        for (std::uint64_t t = 0; t < options.trials; ++t) {
            if (control.stop_requested()) throw Interrupted();
            for (std::size_t a = 0; a < arms; ++a)
                for (int y = 0; y < main.years(); ++y) {
                    const PeriodExperience e = main.at(t, a, y);
                    const double score = quality[(t * arms + a) * static_cast<std::size_t>(main.years()) + static_cast<std::size_t>(y)];
                    Ledger ledger;
                    settlement.settle(mi, {e, t, y, a == 1, sim.trend[t], score}, basis, ledger, comparisons);
                    for (const auto& step : settlement.models()[mi].steps)
                        if (step.comparison && step.component->in_force(y))
                            pay.store_comparison(*step.comparison - first_slot, a, t, y, comparisons[*step.comparison]);
                    pay.store(mi - first, a, t, y, ledger);
                    if (match) pay.store_federal(mi - first, a, t, y, match->federal_part(ledger, y));
                }
        }
    }
}

/// The scenario's program cost items: who bears each.
std::vector<Party> program_cost_bearers(const Scenario& s) {
    std::vector<Party> bearer;
    if (s.intervention)
        for (const auto& item : s.intervention->cost_items()) bearer.push_back(s.delivery.bearer_of(item));
    return bearer;
}

/// Appends a model's real savings [trial][year], baseline - intervention allowed cost of its
/// experience: whether the program really saved in a trial (for missed rewards).
void add_real_savings(const ExperienceTable& table, std::vector<double>& out) {
    for (std::uint64_t t = 0; t < table.trials(); ++t)
        for (int y = 0; y < table.years(); ++y) out.push_back(table.at(t, 0, y).total_allowed() - table.at(t, 1, y).total_allowed());
}

/// One simulation of `scenario`'s model (its own payment models aside), settled for each
/// payment-model set of `sets` as if it were the scenario's only one: `done(k, ...)` gets
/// set k's results. The sets are merged into one settlement, so the experience table
/// collects every set's member-level reductions and the calibration sample runs once.
/// All sets must need the same simulated base period (or none). Returns the simulation.
SimulationResults run_sets(const Scenario& scenario, const SimulationOptions& options, const SettlementSetup& setup,
                           const std::vector<const std::vector<PaymentModel>*>& sets, const RunControl& control,
                           const std::function<void(std::size_t, const SimulationResults&, PaymentResults&&)>& done,
                           const Simulator& simulator = simulate) {
    std::vector<PaymentModel> merged;
    std::vector<std::size_t> first{0};
    for (const auto* set : sets) {
        merged.insert(merged.end(), set->begin(), set->end());
        first.push_back(merged.size());
    }
    const SegmentPlan segments(scenario, merged);
    std::vector<SettlementSetup> setups{setup};
    for (std::size_t k = 1; k < segments.size(); ++k) setups.push_back(make_setup(scenario, options, control, segments.masks[k]));
    Settlement settlement(merged, setups, segments.of_model, scenario.delivery, program_cost_bearers(scenario), scenario.cost_model.trend.mean);
    const auto base = settlement.base_years() > 0 ? simulate_base_period(scenario, options, settlement, segments, control) : nullptr;
    const std::size_t arms = scenario.intervention ? 2 : 1;
    SegmentTables main(scenario, segments, settlement.reductions(), options.trials, arms, scenario.years(), control);
    const SimulationResults sim = simulator(scenario, options, main.watching(), control);
    calibrate(scenario, options, segments, control, settlement);
    std::vector<BenchmarkBasis> bases;
    for (std::size_t k = 0; k < segments.size(); ++k) bases.push_back(benchmark_basis(scenario, base ? &(*base)[k] : nullptr, segments.masks[k]));
    QualityScores quality(options, arms, scenario.years());
    std::optional<ResolvedFederalMatch> match;
    if (scenario.federal_match) match.emplace(*scenario.federal_match, scenario.years());
    for (std::size_t k = 0; k < sets.size(); ++k) {
        PaymentResults pay;
        if (first[k] < first[k + 1]) {
            label_results(settlement, first[k], first[k + 1], options, pay);
            for (const auto& a : sim.arms) pay.arms.push_back(a.name);
            pay.trials = options.trials;
            pay.trial_begin = options.trial_begin;
            pay.years = scenario.years();
            pay.split_payer = match.has_value();
            pay.allocate(control);
            if (arms > 1)
                for (std::size_t mi = first[k]; mi < first[k + 1]; ++mi) add_real_savings(main.tables[segments.of_model[mi]], pay.real_savings);
            settle_range(options, settlement, first[k], first[k + 1], main.tables, bases, sim, control, quality, match ? &*match : nullptr, pay);
        }
        done(k, sim, std::move(pay));
    }
    return sim;
}

/// Scenario `s` with its settings: its model and settings, what run_each() may share.
std::string simulation_key(const Scenario& s) {
    Json j = scenario_to_json(s);
    j.erase("name");
    j.erase("payment_models");
    if (j.contains("settings")) j["settings"].erase("threads");
    return j.dump();
}

}  // namespace

RunResults run_with(const Scenario& scenario, const SimulationOptions& options, const Simulator& simulator, const RunControl& control) {
    scenario.validate();
    options.validate();
    if (options.member_detail)  // before the base period and calibration simulations (the engine checks it again, exactly)
        check_fits_in_memory("options.member_detail",
                             saturating_product({scenario.intervention ? 2u : 1u, options.trials, static_cast<std::size_t>(scenario.years()),
                                                 scenario.population.size(), sizeof(double)}),
                             "per-member detail");
    RunResults out;
    if (scenario.payment_models.empty()) {
        out.simulation = simulator(scenario, options, {}, control);
        return out;
    }
    out.simulation = run_sets(
        scenario, options, make_setup(scenario, options, control), {&scenario.payment_models}, control,
        [&](std::size_t, const SimulationResults&, PaymentResults&& pay) { out.payments = std::move(pay); }, simulator);
    return out;
}

RunResults run(const Scenario& scenario, const SimulationOptions& options, const RunControl& control) {
    return run_with(scenario, options, simulate, control);
}

RunResults merge_trial_ranges(std::span<const RunResults> parts) {
    std::vector<SimulationResults> simulations;
    std::vector<PaymentResults> payments;
    for (const RunResults& p : parts) {
        simulations.push_back(p.simulation);
        payments.push_back(p.payments);
    }
    RunResults out;
    out.simulation = merge_trial_ranges(simulations);
    for (std::size_t k = 1; k < parts.size(); ++k)
        if (payments[k].models.empty() != payments[0].models.empty())
            throw InvalidInput("parts[" + std::to_string(k) + "]", "a part of the same run as parts[0] (payment models settled in both or neither)",
                               "a part that differs");
    if (!payments.empty() && !payments[0].models.empty()) out.payments = merge_trial_ranges(payments);
    return out;
}

void check_scenario(const Scenario& scenario) {
    scenario.validate();
    if (scenario.payment_models.empty()) return;
    const Settlement prepared(scenario.payment_models, make_setup(scenario, scenario.settings, {}), scenario.delivery,
                              program_cost_bearers(scenario), scenario.cost_model.trend.mean);
}

std::vector<std::vector<std::size_t>> simulation_groups(std::span<const Scenario> scenarios) {
    std::map<std::string, std::size_t> group_of;
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        auto [it, added] = group_of.try_emplace(simulation_key(scenarios[i]), groups.size());
        if (added) groups.emplace_back();
        groups[it->second].push_back(i);
    }
    return groups;
}

void run_each(std::span<const Scenario> scenarios, const SettledSet& done, const RunControl& control) {
    for (const Scenario& s : scenarios) s.validate();
    // Scenarios that share model and settings: one simulation each group.
    std::size_t simulation = 0;
    for (const std::vector<std::size_t>& members : simulation_groups(scenarios)) {
        const Scenario& first = scenarios[members.front()];
        const SettlementSetup setup = make_setup(first, first.settings, control);
        // Prepared alone first (errors name each scenario's own paths), then split by the
        // simulated base period each needs: sets with different ones cannot share it.
        std::map<std::size_t, std::vector<std::size_t>> by_base_years;
        for (std::size_t i : members) {
            const Scenario& s = scenarios[i];
            const Settlement alone(s.payment_models, setup, s.delivery, program_cost_bearers(s), s.cost_model.trend.mean);
            by_base_years[alone.base_years()].push_back(i);
        }
        if (by_base_years.size() > 1 && by_base_years.begin()->first == 0) {  // no base period: join any group
            auto none = by_base_years.extract(by_base_years.begin());
            auto& join = by_base_years.begin()->second;
            join.insert(join.end(), none.mapped().begin(), none.mapped().end());
        }
        for (const auto& group : by_base_years) {
            const std::vector<std::size_t>& indices = group.second;  // not a structured binding: clang 14 cannot capture one
            std::vector<const std::vector<PaymentModel>*> sets;
            for (std::size_t i : indices) sets.push_back(&scenarios[i].payment_models);
            run_sets(first, first.settings, setup, sets, control, [&](std::size_t k, const SimulationResults& sim, PaymentResults&& pay) {
                done(indices[k], simulation, sim, std::move(pay));
            });
            ++simulation;
        }
    }
}

}  // namespace apmsim
