// The member-level Monte Carlo engine (simulation/engine.hpp).
#include "apmsim/simulation/engine.hpp"
#include "apmsim/simulation/parallel_trials.hpp"
#include "apmsim/core/memory.hpp"
#include "apmsim/exact/severity_sum_table.hpp"
#include "apmsim/random/batch.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/population/rising_risk.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>
#include <vector>

namespace apmsim {

namespace {

using random::StreamKind;
using random::variable_id;

/// Everything fixed for a run, precomputed once.
struct EnginePlan {
    const Model& model;
    SimulationOptions options;
    std::size_t tiers, categories, members, cost_items;  ///< cost_items: program cost items
    int years;
    std::vector<double> exposure;  ///< [category][months 0..12]: sum of seasonality over the months / 12
    Eigen::MatrixXd copula_factor; ///< lower Cholesky factor, or empty
    std::vector<double> transition_cdf;  ///< [from * tiers + to] cumulative rows, or empty
    std::vector<std::uint8_t> costlier;  ///< [from * tiers + to], when the program changes upward moves
    std::vector<double> relative_risk;  ///< [member] risk score / its tier's mean: scales expected counts
    std::vector<std::uint8_t> tier_targeted;  ///< [tier] the program enrols it
    const RiskScoreRule* risk_score_rule = nullptr;  ///< the program enrols members meeting it only, or none
    std::vector<std::pair<std::size_t, int>> effect_cell;  ///< [effect] its category, and its tier (-1: every tier)
    std::size_t starters;                ///< the population's members; entrant slots follow (churn.hpp)
    double entrant_rate = 0.0;           ///< expected entrants per entry point, a month or a renewal (churn)
    std::vector<double> entrant_tier_cdf;  ///< [tier] cumulative share of entrants by tier
    std::vector<double> tier_mean_score;   ///< [tier] an entrant's risk score: its tier's months-weighted mean
    std::vector<std::shared_ptr<const SeveritySumTable>> sum_tables;  ///< [tier * categories + category], tabulated mode

    EnginePlan(const Model& s, const SimulationOptions& o)
        : model(s), options(o), tiers(s.cost_model.tier_count()), categories(s.cost_model.category_count()),
          members(s.population.size()), cost_items(s.intervention ? s.intervention->cost_items().size() : 0),
          years(s.years()), relative_risk(s.population.relative_risk(tiers)), tier_targeted(tiers, 1), starters(members) {
        const CostModel& m = s.cost_model;
        if (s.churn) plan_entrants(*s.churn);
        exposure.assign(categories * 13, 0.0);
        for (std::size_t c = 0; c < categories; ++c)
            for (int k = 1; k <= 12; ++k)
                exposure[c * 13 + k] = exposure[c * 13 + k - 1] + (m.seasonality.empty() ? 1.0 : m.seasonality[c][k - 1]) / 12.0;
        if (m.copula_correlation.size() != 0) copula_factor = Eigen::LLT<Eigen::MatrixXd>(m.copula_correlation).matrixL();
        if (s.intervention) {
            for (std::size_t t = 0; t < tiers; ++t) tier_targeted[t] = s.intervention->targets(m.tiers[t]) ? 1 : 0;
            if (s.intervention->target_risk_score) risk_score_rule = &*s.intervention->target_risk_score;
            for (const auto& e : s.intervention->effects)
                effect_cell.emplace_back(static_cast<std::size_t>(CostModel::index_of(m.categories, e.category)),
                                         e.tier.empty() ? -1 : CostModel::index_of(m.tiers, e.tier));
        }
        if (m.tier_transition.size() != 0) {
            transition_cdf.resize(tiers * tiers);
            for (std::size_t i = 0; i < tiers; ++i)
                for (std::size_t j = 0; j < tiers; ++j)
                    transition_cdf[i * tiers + j] = m.tier_transition(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
            accumulate_rows(transition_cdf, tiers);
        }
        if (s.intervention && s.intervention->upward_transition_change) costlier = costlier_tiers(m);
        if (o.mode == SimulationMode::tabulated)
            for (std::size_t t = 0; t < tiers; ++t)
                for (std::size_t c = 0; c < categories; ++c)
                    sum_tables.push_back(severity_sum_table(m.cell(t, c).severity,
                                                            "cost_model.cells." + m.categories[c] + "." + m.tiers[t] + ".severity"));
    }
    bool tabulated() const { return !sum_tables.empty(); }
    bool rising_risk() const { return !costlier.empty(); }
    bool churn() const { return model.churn.has_value(); }

    /// Entrant slots after the starters, the entrants' tier mix and their risk scores.
    void plan_entrants(const Churn& churn) {
        const Population& pop = model.population;
        const std::vector<double> rate = churn.entrants_per_entry(pop.tier);
        entrant_tier_cdf = rate;
        for (std::size_t t = 1; t < tiers; ++t) entrant_tier_cdf[t] += entrant_tier_cdf[t - 1];
        entrant_rate = entrant_tier_cdf.back();
        if (entrant_rate == 0.0) return;  // only tiers nobody starts in leave: no entrants
        for (double& c : entrant_tier_cdf) c /= entrant_rate;
        members += Churn::entrant_slots(entrant_rate, churn.entry_points(years));
        relative_risk.resize(members, 1.0);
        std::vector<double> score_months(tiers, 0.0), months(tiers, 0.0);
        for (std::size_t i = 0; i < starters; ++i)
            for (int y = 0; y < years; ++y) {
                score_months[pop.tier[i]] += pop.risk_score[i] * pop.months_of(i, y);
                months[pop.tier[i]] += pop.months_of(i, y);
            }
        tier_mean_score.assign(tiers, 1.0);
        for (std::size_t t = 0; t < tiers; ++t)
            if (months[t] > 0) tier_mean_score[t] = score_months[t] / months[t];
    }

    /// Turns each row of a row-major tiers x tiers matrix into its running sums.
    static void accumulate_rows(std::vector<double>& p, std::size_t tiers) {
        for (std::size_t i = 0; i < tiers; ++i)
            for (std::size_t j = 1; j < tiers; ++j) p[i * tiers + j] += p[i * tiers + j - 1];
    }
};

/// The tier a member in tier `from` moves to with uniform `u` (inversion of a cumulative row).
std::uint16_t next_tier(const double* cdf, std::size_t tiers, std::uint16_t from, double u) {
    const double* row = cdf + static_cast<std::size_t>(from) * tiers;
    std::uint16_t next = 0;
    while (static_cast<std::size_t>(next) + 1 < tiers && u > row[next]) ++next;
    return next;
}

/// Sum of the severities of events first .. first + count - 1 of a member-year-category
/// whose severity is not lognormal (lognormal ones go through random::LognormalSums).
/// Event k's severity depends only on k: samplers that use one uniform per draw take
/// draw k of the stream; rejection samplers (Gamma) give event k its own range of 256
/// Philox blocks starting at draw 512 k (events beyond 2^24 in one member-year-category
/// would wrap the 32-bit block counter).
double sum_severities(const Severity& severity, const random::StreamAddress& at, std::uint64_t first, std::uint32_t count) {
    if (count == 0) return 0.0;
    return std::visit(
        [&](const auto& d) {
            double s = 0.0;
            random::Stream stream(at.seed, at.trial, at.member, at.variable);
            if constexpr (std::decay_t<decltype(d)>::one_uniform_per_draw) {
                stream.seek(first);
                for (std::uint32_t k = 0; k < count; ++k) s += d.draw(stream);
            } else {
                for (std::uint64_t k = first; k < first + count; ++k) {
                    stream.seek(k * 512);
                    s += d.draw(stream);
                }
            }
            return s;
        },
        severity);
}

/// Tabulated mode: a member-year's sums of severities from the cells' tables. A sum of
/// `count` events takes one uniform per SeveritySumTable::chunk events (the last for the
/// rest) from draw `first` of its stream on, added in that order; the uniforms of all the
/// member-year's sums are drawn in one vectorised pass (random::uniforms_at).
class TabulatedSums {
public:
    void clear() {
        segments_.clear();
        variables_.clear();
        draws_.clear();
    }
    /// Adds the sum of `count` events of `table` from draw `first` of stream `variable`; returns its index.
    std::size_t add(const SeveritySumTable& table, std::uint32_t variable, std::uint64_t first, std::uint32_t count) {
        segments_.push_back({&table, count, variables_.size(), 0.0});
        for (std::uint32_t left = count; left > 0; left -= std::min(left, SeveritySumTable::chunk)) {
            variables_.push_back(variable);
            draws_.push_back(first++);
        }
        return segments_.size() - 1;
    }
    void compute(std::uint64_t seed, std::uint32_t trial, std::uint32_t member) {
        uniforms_.resize(draws_.size());
        random::uniforms_at(seed, trial, member, variables_.data(), draws_.data(), draws_.size(), uniforms_.data());
        for (Segment& s : segments_) {
            if (s.count == 0) continue;
            const double* u = uniforms_.data() + s.first_uniform;
            std::uint32_t count = s.count;
            double sum = 0.0;
            for (; count > SeveritySumTable::chunk; count -= SeveritySumTable::chunk) sum += s.table->quantile(SeveritySumTable::chunk, *u++);
            s.sum = sum + s.table->quantile(count, *u);
        }
    }
    double sum(std::size_t k) const { return segments_[k].sum; }

private:
    struct Segment {
        const SeveritySumTable* table;
        std::uint32_t count;
        std::size_t first_uniform;
        double sum;
    };
    std::vector<Segment> segments_;
    std::vector<std::uint32_t> variables_;
    std::vector<std::uint64_t> draws_;
    std::vector<double> uniforms_;
};

/// A sum of severities being gathered: a lognormal one is a segment of the member-year's
/// LognormalSums batch, a tabulated one of its TabulatedSums (both computed later, each in
/// one pass); any other is summed at once.
struct SeveritySum {
    std::size_t segment = SIZE_MAX;  ///< in a batch, or SIZE_MAX: `value` holds the sum
    double value = 0.0;
    bool tabulated = false;  ///< the segment is in the TabulatedSums

    static SeveritySum of(const Severity& severity, const random::StreamAddress& at, std::uint32_t first, std::uint32_t count,
                          random::LognormalSums& batch) {
        if (count == 0) return {};
        if (const auto* ln = std::get_if<Lognormal>(&severity)) return {batch.add(at.variable, first, count, ln->mu(), ln->sigma()), 0.0};
        return {SIZE_MAX, sum_severities(severity, at, first, count)};
    }
    double get(const random::LognormalSums& batch, const TabulatedSums& tables) const {
        if (segment == SIZE_MAX) return value;
        return tabulated ? tables.sum(segment) : batch.sum(segment);
    }
};

/// Tabulated mode: where the second part of a member-year-category's events (the arm with
/// more of them) starts drawing on its stream, far beyond what the first part uses.
constexpr std::uint64_t second_part_draw = std::uint64_t{1} << 31;

/// Per-thread scratch space, reused across trials (no allocation in the hot loop).
struct Workspace {
    std::vector<std::vector<std::uint16_t>> tier;   ///< [arm][member * years + year]
    std::vector<std::vector<double>> member_total;  ///< [arm][member * years + year]
    std::vector<std::vector<double>> member_category;  ///< [arm][(member * years + year) * C + c], for observers
    std::vector<double> normals, uniforms;          ///< per category: copula normals, count uniforms
    std::vector<std::uint32_t> variables;           ///< per category: the count streams' variable words
    std::vector<std::uint32_t> counts;              ///< [category][arm] the member-year's counts
    std::vector<double> arm_scale, log_p0, p0;      ///< per count drawn: its scale and p(0) (random::count_p0s)
    std::vector<random::LogP0Terms> p0_terms;
    std::vector<detail::CountDraw> count_draws;     ///< [category][arm] the counts before their recursions
    std::vector<random::CountRecursion> recursions; ///< the recursions of count_draws, run together
    std::vector<std::uint32_t> recursion_k;         ///< their results
    std::vector<std::uint8_t> shared_count;         ///< [category] both arms have the same count
    std::vector<SeveritySum> parts;                 ///< [category][2] the member-year's sums of severities
    random::LognormalSums batch;                    ///< the member-year's lognormal severities
    TabulatedSums tabulated;                        ///< the member-year's sums from tables (tabulated mode)
    std::vector<double> trend_factor;               ///< [year] the trial's cost trend factor, (1 + g)^(year + 1)
    std::vector<double> effect;                     ///< [tier][category] the trial's count factor of the program
    std::vector<double> year_effect;                ///< [year][tier][category] a participant's count factor
    std::vector<std::uint8_t> participant;          ///< [member]
    std::vector<MonthlyCaseload> caseload;          ///< [year] participants enrolled month by month, by tier
    std::vector<double> participant_cdf;            ///< [year][from][to] participants' cumulative transitions (rising risk)
    // Who is enrolled when: fixed for the population's members, drawn each trial for entrants (churn).
    std::vector<std::uint8_t> months;       ///< [member * years + year] enrolled months
    std::vector<std::uint8_t> first_month;  ///< [member * years + year] the first of them (0-11)
    std::vector<std::uint16_t> first_tier;  ///< [member] tier when it is first enrolled
    std::vector<int> entry_month;           ///< [member] horizon month (0-based) it joins; -1: never
    std::vector<double> risk_score;         ///< [member]

    Workspace(const EnginePlan& p, std::size_t arm_count, bool keep_categories)
        : tier(arm_count, std::vector<std::uint16_t>(p.members * p.years)), member_total(arm_count, std::vector<double>(p.members * p.years)),
          member_category(keep_categories ? arm_count : 0, std::vector<double>(p.members * p.years * p.categories)),
          normals(p.categories), uniforms(p.categories), variables(p.categories), counts(2 * p.categories),
          arm_scale(2 * p.categories), log_p0(2 * p.categories), p0(2 * p.categories), p0_terms(2 * p.categories),
          count_draws(2 * p.categories), recursions(2 * p.categories), recursion_k(2 * p.categories), shared_count(p.categories),
          parts(2 * p.categories), trend_factor(static_cast<std::size_t>(p.years)), effect(p.tiers * p.categories, 1.0),
          year_effect(static_cast<std::size_t>(p.years) * p.tiers * p.categories, 1.0), participant(p.members, 0),
          caseload(static_cast<std::size_t>(p.years), MonthlyCaseload(p.tiers)),
          participant_cdf(p.rising_risk() ? static_cast<std::size_t>(p.years) * p.tiers * p.tiers : 0),
          months(p.model.population.months), first_month(p.members * p.years, 0), first_tier(p.model.population.tier), entry_month(p.starters, 0),
          risk_score(p.model.population.risk_score) {
        months.resize(p.members * p.years, 0);
        first_tier.resize(p.members, 0);
        entry_month.resize(p.members, -1);
        risk_score.resize(p.members, 1.0);
    }
};

random::LogP0Terms log_p0_terms(const Frequency& f, double scale) {
    return std::visit([&](const auto& d) { return d.log_p0_terms(scale); }, f);
}
detail::CountDraw prepare_count(const Frequency& f, double scale, double u, double log_p0, double p0) {
    return std::visit([&](const auto& d) { return d.prepare_scaled(scale, u, log_p0, p0); }, f);
}

/// The program's count factor per tier and category, max(0, 1 + Normal(mean, sd)), drawn once
/// per trial: an effect on every tier on the stream of its category (year field 0, as in
/// version 0.2), an effect on one tier on its own stream (year field 1 + the tier).
void draw_effects(const EnginePlan& plan, std::uint32_t trial, std::size_t slot, Workspace& ws, SimulationResults& out) {
    const Model& sc = plan.model;
    const std::size_t T = plan.tiers, C = plan.categories;
    std::fill(ws.effect.begin(), ws.effect.end(), 1.0);
    for (std::size_t c = 0; c < C; ++c) out.effect_factors[slot * C + c] = 1.0;
    for (std::size_t k = 0; k < plan.effect_cell.size(); ++k) {
        const CategoryEffect& e = sc.intervention->effects[k];
        const auto [c, tier] = plan.effect_cell[k];
        random::Stream s(plan.options.seed, plan.options.parameter_trial(trial), random::trial_level_member,
                         variable_id(StreamKind::intervention, static_cast<std::uint32_t>(tier + 1), static_cast<std::uint32_t>(c)));
        const double f = std::max(0.0, 1.0 + e.mean + e.sd * random::standard_normal_quantile(s.uniform()));
        for (std::size_t t = 0; t < T; ++t)
            if (tier < 0 || static_cast<std::size_t>(tier) == t) ws.effect[t * C + c] = f;
        out.tier_effect_factors[(slot * T + (tier < 0 ? 0 : tier)) * C + c] = f;
        if (tier < 0) {
            out.effect_factors[slot * C + c] = f;
            for (std::size_t t = 1; t < T; ++t) out.tier_effect_factors[(slot * T + t) * C + c] = f;
        } else {
            out.effect_factors[slot * C + c] = std::nan("");  // by tier: see tier_effect_factors
        }
    }
}

/// Who takes part in trial `trial`: every targeted member, or each with the chance of the
/// trial's uptake draw; and each year's count factor of a participant (the effect scaled
/// by the ramp-up; exactly the effect when the ramp is 1, so version 0.2's numbers stand).
void draw_participation(const EnginePlan& plan, std::uint32_t trial, Workspace& ws) {
    const Intervention& iv = *plan.model.intervention;
    const std::uint64_t seed = plan.options.seed;
    double share = iv.uptake.mean;
    if (iv.uptake.sd > 0) {
        random::Stream s(seed, plan.options.parameter_trial(trial), random::trial_level_member, variable_id(StreamKind::uptake, 0, 0));
        share = std::clamp(iv.uptake.mean + iv.uptake.sd * random::standard_normal_quantile(s.uniform()), 0.0, 1.0);
    }
    for (std::size_t i = 0; i < plan.members; ++i) {
        bool takes_part = ws.entry_month[i] >= 0 && plan.tier_targeted[ws.first_tier[i]] != 0;
        if (takes_part && plan.risk_score_rule) takes_part = plan.risk_score_rule->admits(ws.risk_score[i]);
        if (takes_part && share < 1.0)
            takes_part = random::Stream(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::participation, 0, 0)).uniform() < share;
        ws.participant[i] = takes_part ? 1 : 0;
    }
    const std::size_t cells = plan.tiers * plan.categories;
    for (int y = 0; y < plan.years; ++y) {
        const double r = iv.ramp(y);
        for (std::size_t k = 0; k < cells; ++k)
            ws.year_effect[static_cast<std::size_t>(y) * cells + k] = r == 1.0 ? ws.effect[k] : std::max(0.0, 1.0 + r * (ws.effect[k] - 1.0));
    }
}

/// Churn: how many members join over the horizon, Poisson(Lambda x entry points), and each
/// one's entry point (uniform over months 2 .. 12 Y, or the renewals) and tier (churn.hpp).
void draw_entrants(const EnginePlan& plan, std::uint32_t trial, Workspace& ws) {
    if (plan.members == plan.starters) return;
    const std::uint64_t seed = plan.options.seed;
    const Churn& churn = *plan.model.churn;
    const int points = churn.entry_points(plan.years);
    random::Stream n(seed, trial, random::trial_level_member, variable_id(StreamKind::churn, 0, 0));
    const std::uint32_t count = Poisson(plan.entrant_rate * points).draw(n);
    if (count > plan.members - plan.starters)  // probability below 1e-15 (Churn::entrant_slots)
        throw ComputationError("simulate: trial " + std::to_string(trial) + " drew " + std::to_string(count) + " entrants, more than the " +
                               std::to_string(plan.members - plan.starters) + " member slots kept for them");
    for (std::size_t i = plan.starters; i < plan.members; ++i) {
        const std::size_t k = i - plan.starters;
        ws.entry_month[i] = -1;
        if (k >= count) continue;
        random::Stream s(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::churn, 0, 0));
        ws.entry_month[i] = churn.entry_month(std::min(points - 1, static_cast<int>(s.uniform() * points)));
        const double u = s.uniform();
        std::uint16_t t = 0;
        while (static_cast<std::size_t>(t) + 1 < plan.tiers && u > plan.entrant_tier_cdf[t]) ++t;
        ws.first_tier[i] = t;
        ws.risk_score[i] = plan.tier_mean_score[t];
    }
}

/// Rising risk: the trial's factor on participants' upward moves, max(0, 1 + Normal(mean,
/// sd)), and for each year k >= 1 the cumulative transitions of a participant moving into
/// it, with the factor scaled by the ramp-up of program year k (rising_risk.hpp).
void draw_rising_risk(const EnginePlan& plan, std::uint32_t trial, std::size_t slot, Workspace& ws, SimulationResults& out) {
    const Intervention& iv = *plan.model.intervention;
    const UpwardTransitionChange& change = *iv.upward_transition_change;
    random::Stream s(plan.options.seed, plan.options.parameter_trial(trial), random::trial_level_member,
                     variable_id(StreamKind::rising_risk, 0, 0));
    const double f = std::max(0.0, 1.0 + change.mean + change.sd * random::standard_normal_quantile(s.uniform()));
    out.upward_transition_factors[slot] = f;
    const std::size_t T = plan.tiers, TT = T * T;
    for (int y = 1; y < plan.years; ++y) {
        const double r = iv.ramp(y - 1);
        const double factor = r == 1.0 ? f : std::max(0.0, 1.0 + r * (f - 1.0));
        std::vector<double> p = participant_transitions(plan.model.cost_model.tier_transition, plan.costlier, factor);
        EnginePlan::accumulate_rows(p, T);
        std::copy(p.begin(), p.end(), ws.participant_cdf.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(y) * TT));
    }
}

/// Member `i`'s tier in each year and arm: both arms make the same move with the same
/// uniform; a participant of a program that changes upward moves follows its own matrix.
void advance_tiers(const EnginePlan& plan, std::uint32_t trial, std::size_t i, int y, bool participant, std::uint16_t (&tier)[2],
                   const Workspace& ws) {
    if (y == 0 || plan.transition_cdf.empty()) return;
    random::Stream s(plan.options.seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::transition, y, 0));
    const double u = s.uniform();
    const std::uint16_t from_intervention = tier[1];
    tier[0] = next_tier(plan.transition_cdf.data(), plan.tiers, tier[0], u);
    if (participant && plan.rising_risk()) {
        const double* year_cdf = ws.participant_cdf.data() + static_cast<std::size_t>(y) * plan.tiers * plan.tiers;
        tier[1] = next_tier(year_cdf, plan.tiers, from_intervention, u);
    } else {
        tier[1] = tier[0];
    }
}

/// The member-year's frailty and, with a copula, its correlated count uniforms in ws.uniforms.
double draw_frailty_and_copula(const EnginePlan& plan, std::uint32_t trial, std::size_t i, int y, Workspace& ws) {
    const CostModel& model = plan.model.cost_model;
    const std::uint64_t seed = plan.options.seed;
    double frailty = 1.0;
    if (model.frailty_cv > 0) {
        const double shape = 1.0 / (model.frailty_cv * model.frailty_cv);
        random::Stream s(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::frailty, y, 0));
        frailty = random::standard_gamma(shape, s) / shape;
    }
    if (plan.copula_factor.size() != 0) {
        const std::size_t C = plan.categories;
        random::Stream s(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::copula, y, 0));
        for (std::size_t c = 0; c < C; ++c) ws.normals[c] = random::standard_normal_quantile(s.uniform());
        for (std::size_t c = 0; c < C; ++c) {
            double z = 0.0;
            for (std::size_t k = 0; k <= c; ++k) z += plan.copula_factor(c, k) * ws.normals[k];
            ws.uniforms[c] = std::clamp(random::standard_normal_cdf(z), 0x1.0p-60, 1.0 - 0x1.0p-53);
        }
    }
    return frailty;
}

/// One member-year as member_year_costs() needs it.
struct MemberYear {
    std::uint32_t trial;  ///< its number: what its draws depend on
    std::size_t slot;     ///< where the run stores it (trial - options.trial_begin)
    std::size_t member;
    int year;
    int first_month, end_month;  ///< enrolled months [first, end) of the year
    std::uint16_t tier[2];
    bool treated;
    double scale;         ///< frailty x relative risk (each category's exposure multiplies it)
    double trend_factor;
};

/// The member-year's counts, ws.counts[2c + arm]: category c's uniform inverted in each
/// arm's cell at its scale, the p(0) of all categories and arms computed together
/// (random::count_p0s), then their recursions run together (random::invert_counts). The
/// same cell at the same scale (no program effect on it: scale x 1 is scale exactly) gives
/// the same count, inverted once.
void member_year_counts(const EnginePlan& plan, const MemberYear& m, Workspace& ws) {
    const CostModel& model = plan.model.cost_model;
    const std::size_t T = plan.tiers, C = plan.categories;
    std::size_t draws = 0;
    for (std::size_t c = 0; c < C; ++c) {
        const double scale = m.scale * (plan.exposure[c * 13 + m.end_month] - plan.exposure[c * 13 + m.first_month]);
        const double effect = ws.year_effect[(static_cast<std::size_t>(m.year) * T + m.tier[1]) * C + c];
        const bool same_count = m.tier[0] == m.tier[1] && (!m.treated || effect == 1.0);
        ws.shared_count[c] = same_count ? 1 : 0;
        for (std::size_t a = 0; a < (same_count ? 1u : 2u); ++a, ++draws) {
            ws.arm_scale[draws] = a == 1 && m.treated ? scale * effect : scale;
            ws.p0_terms[draws] = log_p0_terms(model.cell(m.tier[a], c).frequency, ws.arm_scale[draws]);
        }
    }
    random::count_p0s(ws.p0_terms.data(), draws, ws.log_p0.data(), ws.p0.data());
    std::size_t recursions = 0;
    for (std::size_t c = 0, k = 0; c < C; ++c)
        for (std::size_t a = 0; a < (ws.shared_count[c] != 0 ? 1u : 2u); ++a, ++k) {
            detail::CountDraw& draw = ws.count_draws[2 * c + a];
            draw = prepare_count(model.cell(m.tier[a], c).frequency, ws.arm_scale[k], ws.uniforms[c], ws.log_p0[k], ws.p0[k]);
            if (draw.recursive) ws.recursions[recursions++] = draw.recursion;
        }
    random::invert_counts(ws.recursions.data(), recursions, ws.recursion_k.data());
    std::size_t next = 0;
    for (std::size_t c = 0; c < C; ++c) {
        const bool same_count = ws.shared_count[c] != 0;
        for (std::size_t a = 0; a < (same_count ? 1u : 2u); ++a) {
            const detail::CountDraw& draw = ws.count_draws[2 * c + a];
            ws.counts[2 * c + a] = draw.finish(draw.recursive ? ws.recursion_k[next++] : 0);
        }
        if (same_count) ws.counts[2 * c + 1] = ws.counts[2 * c];
    }
}

/// What one member-year costs in each arm, category by category: one uniform decides the
/// count in both arms, and severities are indexed by event number, so the arms share their
/// first min(N0, N1) events (common random numbers). When the arms' tiers differ (rising
/// risk), each arm draws its own tier's count and severities from the same numbers.
/// The counts of every category come first; then the severities of all categories are
/// drawn in one batch; then the costs are added up category by category.
void member_year_costs(const EnginePlan& plan, const MemberYear& m, std::size_t arm_count, Workspace& ws, SimulationResults& out,
                       double (&totals)[2]) {
    const CostModel& model = plan.model.cost_model;
    const std::size_t C = plan.categories, my = m.member * plan.years + m.year;
    const std::uint64_t seed = plan.options.seed;
    const auto member = static_cast<std::uint32_t>(m.member);
    const auto year = static_cast<std::uint32_t>(m.year);
    const bool same_tier = m.tier[0] == m.tier[1];
    if (plan.copula_factor.size() == 0) {
        for (std::size_t c = 0; c < C; ++c) ws.variables[c] = variable_id(StreamKind::count, year, static_cast<std::uint32_t>(c));
        random::first_uniforms(seed, m.trial, member, ws.variables.data(), C, ws.uniforms.data());
    }
    member_year_counts(plan, m, ws);
    ws.batch.clear();
    ws.tabulated.clear();
    for (std::size_t c = 0; c < C; ++c) {
        const CategoryModel& cell0 = model.cell(m.tier[0], c);
        const CategoryModel& cell1 = model.cell(m.tier[1], c);
        const std::uint32_t n0 = ws.counts[2 * c], n1 = ws.counts[2 * c + 1];
        const random::StreamAddress sev{seed, m.trial, member, variable_id(StreamKind::severity, year, static_cast<std::uint32_t>(c))};
        const std::uint32_t sums = variable_id(StreamKind::severity_sum, year, static_cast<std::uint32_t>(c));
        // Events [first, first + count) of the cell of tier `t`: exact draws, or from the tables (part 0 or 1 of the stream).
        auto part = [&](const CategoryModel& cell, std::uint16_t t, std::uint32_t first, std::uint32_t count, int part_number) {
            if (!plan.tabulated()) return SeveritySum::of(cell.severity, sev, first, count, ws.batch);
            const std::uint64_t first_draw = part_number == 0 ? 0 : second_part_draw;
            return SeveritySum{ws.tabulated.add(*plan.sum_tables[t * C + c], sums, first_draw, count), 0.0, true};
        };
        if (same_tier) {  // parts: events [0, lo) and [lo, hi)
            const std::uint32_t lo = std::min(n0, n1), hi = std::max(n0, n1);
            ws.parts[2 * c] = part(cell0, m.tier[0], 0, lo, 0);
            ws.parts[2 * c + 1] = part(cell0, m.tier[0], lo, hi - lo, 1);
        } else {  // parts: each arm's events [0, n)
            ws.parts[2 * c] = part(cell0, m.tier[0], 0, n0, 0);
            ws.parts[2 * c + 1] = part(cell1, m.tier[1], 0, n1, 0);
        }
    }
    ws.batch.compute(seed, m.trial, member);
    if (plan.tabulated()) ws.tabulated.compute(seed, m.trial, member);
    for (std::size_t c = 0; c < C; ++c) {
        const std::uint32_t n[2] = {ws.counts[2 * c], ws.counts[2 * c + 1]};
        const double part0 = ws.parts[2 * c].get(ws.batch, ws.tabulated) * m.trend_factor;
        double cost[2];
        if (same_tier) {
            const std::uint32_t lo = std::min(n[0], n[1]), hi = std::max(n[0], n[1]);
            const double s_hi = hi > lo ? part0 + ws.parts[2 * c + 1].get(ws.batch, ws.tabulated) * m.trend_factor : part0;
            cost[0] = n[0] == lo ? part0 : s_hi;
            cost[1] = n[1] == lo ? part0 : s_hi;
        } else {
            cost[0] = part0;
            cost[1] = ws.parts[2 * c + 1].get(ws.batch, ws.tabulated) * m.trend_factor;
        }
        for (std::size_t a = 0; a < ws.member_category.size(); ++a) ws.member_category[a][my * C + c] = cost[a];
        for (std::size_t a = 0; a < arm_count; ++a) {
            const std::size_t idx = out.cell_index(m.slot, m.year, m.tier[a], c);
            out.arms[a].cost[idx] += cost[a];
            out.arms[a].events[idx] += n[a];
            totals[a] += cost[a];
        }
    }
}

/// Every year of member `i` in trial `trial`, both arms, into the trial's results and ws.
/// The months [first, end) of year `y` member `i` is enrolled: the population's (the
/// first N of the year) or, for an entrant, from the month it joins; with churn, until it
/// leaves (its tier without the program sets the chance; `left` carries over the years):
/// in the month it leaves, or after the year when it leaves at the renewal.
std::pair<int, int> enrolled_months(const EnginePlan& plan, std::uint32_t trial, std::size_t i, int y, std::uint16_t tier,
                                    const Workspace& ws, bool& left) {
    const int entry = ws.entry_month[i];
    if (left || entry < 0 || entry >= 12 * (y + 1)) return {0, 0};
    const int first = std::max(0, entry - 12 * y);
    const int end = std::max(first, i < plan.starters ? plan.model.population.months_of(i, y) : 12);
    if (!plan.churn() || first == end) return {first, end};
    const Churn& churn = *plan.model.churn;
    const double q = churn.exit[tier];
    if (q == 0.0 || (churn.at_renewal && (end < 12 || y + 1 == plan.years))) return {first, end};  // no renewal to leave at
    random::Stream s(plan.options.seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::churn, y, 1));
    if (churn.at_renewal) {
        left = s.uniform() < q;
        return {first, end};
    }
    return {first, Churn::enrolled_until(q, first, end, s.uniform(), left)};
}

/// Every year of member `i` in trial `trial`, both arms, into the trial's results and ws.
void simulate_member(const EnginePlan& plan, std::uint32_t trial, std::size_t slot, std::size_t i, Workspace& ws, SimulationResults& out) {
    const std::size_t T = plan.tiers, C = plan.categories, arm_count = out.arms.size();
    const int Y = plan.years;
    const bool participant = plan.model.intervention.has_value() && ws.participant[i] != 0;
    const int entry_year = ws.entry_month[i] < 0 ? Y : ws.entry_month[i] / 12;
    std::uint16_t tier[2] = {ws.first_tier[i], ws.first_tier[i]};
    bool left = false;
    for (int y = 0; y < Y; ++y) {
        const std::size_t my = i * Y + y;
        if (y > entry_year) advance_tiers(plan, trial, i, y, participant, tier, ws);
        for (std::size_t a = 0; a < arm_count; ++a) {
            ws.tier[a][my] = tier[a];
            ws.member_total[a][my] = 0.0;
        }
        for (auto& v : ws.member_category) std::fill_n(v.begin() + my * C, C, 0.0);
        const auto [first, end] = enrolled_months(plan, trial, i, y, tier[0], ws, left);
        const int months = end - first;
        ws.months[my] = static_cast<std::uint8_t>(months);
        ws.first_month[my] = static_cast<std::uint8_t>(months == 0 ? 0 : first);
        if (months == 0) continue;

        const double frailty = draw_frailty_and_copula(plan, trial, i, y, ws);
        const MemberYear m{trial, slot, i, y, first, end, {tier[0], tier[1]}, participant, frailty * plan.relative_risk[i],
                           ws.trend_factor[static_cast<std::size_t>(y)]};
        double totals[2] = {0.0, 0.0};
        member_year_costs(plan, m, arm_count, ws, out, totals);
        if (participant) {
            const std::size_t ti = (slot * Y + y) * T + tier[1];
            out.arms[1].participant_months[ti] += months;
            ws.caseload[static_cast<std::size_t>(y)].add(tier[1], first, end);
        }
        for (std::size_t a = 0; a < arm_count; ++a) {
            const std::size_t ti = (slot * Y + y) * T + tier[a];
            ws.member_total[a][my] = totals[a];
            out.arms[a].member_months[ti] += months;
            out.arms[a].members[ti] += 1.0;
            out.arms[a].member_cost_sumsq[ti] += totals[a] * totals[a];
        }
    }
}

/// Trial number options.trial_begin + `slot`, stored in slot `slot` of `out`.
void simulate_trial(const EnginePlan& plan, std::size_t slot, SimulationResults& out, Workspace& ws,
                    const std::vector<TrialObserver*>& observers) {
    const std::uint32_t trial = plan.options.trial_number(slot);
    const Model& sc = plan.model;
    const CostModel& model = sc.cost_model;
    const std::uint64_t seed = plan.options.seed;
    const bool with_intervention = sc.intervention.has_value();
    const std::size_t T = plan.tiers, C = plan.categories;
    const int Y = plan.years;
    constexpr std::uint32_t trial_level = random::trial_level_member;

    // Trial-level draws: the common shock (trend) and the intervention's effect.
    const std::uint32_t parameter_trial = plan.options.parameter_trial(trial);  // whose trial-level draws this trial shares
    random::Stream trend_stream(seed, parameter_trial, trial_level, variable_id(StreamKind::trend, 0, 0));
    const double g = model.trend.mean + model.trend.sd * random::standard_normal_quantile(trend_stream.uniform());
    out.trend[slot] = g;
    if (plan.churn()) draw_entrants(plan, trial, ws);
    if (with_intervention) {
        draw_effects(plan, trial, slot, ws, out);
        draw_participation(plan, trial, ws);
        if (plan.rising_risk()) draw_rising_risk(plan, trial, slot, ws, out);
        for (MonthlyCaseload& c : ws.caseload) c.clear();
    }

    for (int y = 0; y < plan.years; ++y) ws.trend_factor[static_cast<std::size_t>(y)] = std::pow(std::max(0.0, 1.0 + g), y + 1);
    for (std::size_t i = 0; i < plan.members; ++i) simulate_member(plan, trial, slot, i, ws, out);
    const std::size_t arm_count = out.arms.size();

    // Program costs (intervention arm only): PMPM x participants' months, staff in steps, start-up.
    if (with_intervention) {
        for (int y = 0; y < Y; ++y) {
            const std::size_t at = slot * Y + y;
            sc.intervention->year_costs(y, std::span<const double>(out.arms[1].participant_months).subspan(at * T, T),
                                        ws.caseload[static_cast<std::size_t>(y)],
                                        model.tiers, std::span<double>(out.arms[1].program_cost).subspan(at * plan.cost_items, plan.cost_items));
        }
    }

    if (plan.options.member_detail) {
        for (std::size_t a = 0; a < arm_count; ++a)
            for (std::size_t i = 0; i < plan.members; ++i)
                for (int y = 0; y < Y; ++y)
                    out.member_costs[((a * out.trials + slot) * Y + y) * plan.members + i] = ws.member_total[a][i * Y + y];
    }
    if (!observers.empty()) {
        std::span<const double> arm_spans[2], category_spans[2];
        std::span<const std::uint16_t> tier_spans[2];
        for (std::size_t a = 0; a < arm_count; ++a) {
            arm_spans[a] = ws.member_total[a];
            category_spans[a] = ws.member_category[a];
            tier_spans[a] = ws.tier[a];
        }
        TrialView view{slot, Y, plan.members, std::span<const std::span<const std::uint16_t>>(tier_spans, arm_count), ws.months, ws.first_month, ws.risk_score,
                       std::span<const std::span<const double>>(arm_spans, arm_count), C,
                       std::span<const std::span<const double>>(category_spans, arm_count),
                       with_intervention ? std::span<const std::uint8_t>(ws.participant) : std::span<const std::uint8_t>()};
        for (auto* o : observers) o->observe(view);
    }
}

}  // namespace

unsigned resolve_threads(unsigned requested) {
    if (requested != 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1u : hw;
}

SimulationResults simulate(const Model& model, const SimulationOptions& options, const std::vector<TrialObserver*>& observers,
                           const RunControl& control) {
    model.validate();
    options.validate();
    (void)random::kernel_target();  // a bad APMSIM_SIMD is reported now, before any work
    const EnginePlan plan(model, options);

    SimulationResults out;
    out.trials = options.trials;
    out.trial_begin = options.trial_begin;
    out.seed = options.seed;
    out.mode = options.mode;
    out.years = plan.years;
    out.tiers = model.cost_model.tiers;
    out.categories = model.cost_model.categories;
    out.member_count = plan.members;
    out.members_at_start = plan.starters;
    if (model.intervention) out.program_cost_items = model.intervention->cost_items();
    const std::size_t arm_count = model.intervention ? 2 : 1;
    // Sizes of the result arrays, checked for overflow before anything is allocated.
    auto product = [](std::initializer_list<std::size_t> factors, const char* where) {
        std::size_t p = 1;
        for (std::size_t f : factors)
            if (__builtin_mul_overflow(p, f, &p))
                throw InvalidInput(where, "a run whose result arrays fit in memory", "a size beyond 2^64");
        return p;
    };
    const std::size_t cells = product({options.trials, static_cast<std::size_t>(plan.years), plan.tiers, plan.categories}, "options.trials");
    const std::size_t tier_cells = options.trials * plan.years * plan.tiers;
    auto fill = [&control](std::vector<double>& v, std::size_t n, double value) { fill_stoppably(v, n, value, control); };
    const std::size_t detail_bytes =
        options.member_detail ? product({arm_count, options.trials, static_cast<std::size_t>(plan.years), plan.members, sizeof(double)}, "options.member_detail") : 0;
    check_fits_in_memory("options.member_detail", detail_bytes, "per-member detail");
    // Cost and events, both arms: the largest per-trial arrays.
    check_fits_in_memory("options.trials", product({cells, arm_count, 2 * sizeof(double)}, "options.trials"), "per-trial results");
    for (std::size_t a = 0; a < arm_count; ++a) {
        ArmResults arm;
        arm.name = a == 0 ? "baseline" : "intervention";
        fill(arm.cost, cells, 0.0);
        fill(arm.events, cells, 0.0);
        fill(arm.member_months, tier_cells, 0.0);
        fill(arm.members, tier_cells, 0.0);
        fill(arm.member_cost_sumsq, tier_cells, 0.0);
        fill(arm.program_cost, options.trials * plan.years * plan.cost_items, 0.0);
        if (a == 1) fill(arm.participant_months, tier_cells, 0.0);
        out.arms.push_back(std::move(arm));
    }
    fill(out.trend, options.trials, 0.0);
    if (model.intervention) {
        fill(out.effect_factors, options.trials * plan.categories, 1.0);
        fill(out.tier_effect_factors, options.trials * plan.tiers * plan.categories, 1.0);
        if (plan.rising_risk()) fill(out.upward_transition_factors, options.trials, 1.0);
    }
    if (options.member_detail) fill(out.member_costs, arm_count * options.trials * plan.years * plan.members, 0.0);

    for_each_trial(
        options.trials, resolve_threads(options.threads), control, [&] { return Workspace(plan, arm_count, !observers.empty()); },
        [&](Workspace& ws, std::uint64_t t) { simulate_trial(plan, t, out, ws, observers); });
    return out;
}

}  // namespace apmsim
