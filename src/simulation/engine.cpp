// The member-level Monte Carlo engine (simulation/engine.hpp).
#include "apmsim/simulation/engine.hpp"
#include "apmsim/random/batch.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
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
    Eigen::MatrixXd transition_cdf;  ///< cumulative rows, or empty
    std::vector<double> relative_risk;  ///< [member] risk score / its tier's mean: scales expected counts
    std::vector<std::uint8_t> targeted;  ///< [member] its initial tier is one the program enrols
    std::vector<std::pair<std::size_t, int>> effect_cell;  ///< [effect] its category, and its tier (-1: every tier)

    EnginePlan(const Model& s, const SimulationOptions& o)
        : model(s), options(o), tiers(s.cost_model.tier_count()), categories(s.cost_model.category_count()),
          members(s.population.size()), cost_items(s.intervention ? s.intervention->cost_items().size() : 0),
          years(s.years()), relative_risk(s.population.relative_risk(tiers)) {
        const CostModel& m = s.cost_model;
        exposure.assign(categories * 13, 0.0);
        for (std::size_t c = 0; c < categories; ++c)
            for (int k = 1; k <= 12; ++k)
                exposure[c * 13 + k] = exposure[c * 13 + k - 1] + (m.seasonality.empty() ? 1.0 : m.seasonality[c][k - 1]) / 12.0;
        if (m.copula_correlation.size() != 0) copula_factor = Eigen::LLT<Eigen::MatrixXd>(m.copula_correlation).matrixL();
        if (s.intervention) {
            for (std::size_t i = 0; i < members; ++i) targeted.push_back(s.intervention->targets(m.tiers[s.population.tier[i]]) ? 1 : 0);
            for (const auto& e : s.intervention->effects)
                effect_cell.emplace_back(static_cast<std::size_t>(CostModel::index_of(m.categories, e.category)),
                                         e.tier.empty() ? -1 : CostModel::index_of(m.tiers, e.tier));
        }
        if (m.tier_transition.size() != 0) {
            transition_cdf = m.tier_transition;
            for (Eigen::Index i = 0; i < transition_cdf.rows(); ++i)
                for (Eigen::Index j = 1; j < transition_cdf.cols(); ++j) transition_cdf(i, j) += transition_cdf(i, j - 1);
        }
    }
};

/// Per-thread scratch space, reused across trials (no allocation in the hot loop).
struct Workspace {
    std::vector<std::uint16_t> tier;                ///< [member * years + year]
    std::vector<std::vector<double>> member_total;  ///< [arm][member * years + year]
    std::vector<std::vector<double>> member_category;  ///< [arm][(member * years + year) * C + c], for observers
    std::vector<double> normals, uniforms;          ///< per category
    std::vector<double> effect;                     ///< [tier][category] the trial's count factor of the program
    std::vector<double> year_effect;                ///< [year][tier][category] a participant's count factor
    std::vector<std::uint8_t> participant;          ///< [member]
    std::vector<double> participant_heads;          ///< [year][tier] participants eligible in the year

    Workspace(const EnginePlan& p, std::size_t arm_count, bool keep_categories)
        : tier(p.members * p.years), member_total(arm_count, std::vector<double>(p.members * p.years)),
          member_category(keep_categories ? arm_count : 0, std::vector<double>(p.members * p.years * p.categories)),
          normals(p.categories), uniforms(p.categories), effect(p.tiers * p.categories, 1.0),
          year_effect(static_cast<std::size_t>(p.years) * p.tiers * p.categories, 1.0), participant(p.members, 0),
          participant_heads(static_cast<std::size_t>(p.years) * p.tiers, 0.0) {}
};

/// Sum of the severities of events first .. first + count - 1 of a member-year-category.
/// Event k's severity depends only on k: samplers that use one uniform per draw take
/// draw k of the stream (lognormal ones through the vectorised batch kernel, which
/// returns what Lognormal::draw returns); rejection samplers (Gamma) give event k its
/// own range of 256 Philox blocks starting at draw 512 k (events beyond 2^24 in one
/// member-year-category would wrap the 32-bit block counter).
double sum_severities(const Severity& severity, const random::StreamAddress& at, std::uint64_t first,
                             std::uint32_t count) {
    if (count == 0) return 0.0;
    if (const auto* ln = std::get_if<Lognormal>(&severity))
        return random::sum_lognormal_draws(at, first, count, ln->mu(), ln->sigma());
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

std::uint32_t draw_count(const Frequency& f, double scale, double u) {
    return std::visit([&](const auto& d) { return d.draw_scaled(scale, u); }, f);
}

/// The program's count factor per tier and category, max(0, 1 + Normal(mean, sd)), drawn once
/// per trial: an effect on every tier on the stream of its category (year field 0, as in
/// version 0.2), an effect on one tier on its own stream (year field 1 + the tier).
void draw_effects(const EnginePlan& plan, std::uint32_t trial, Workspace& ws, SimulationResults& out) {
    const Model& sc = plan.model;
    const std::size_t T = plan.tiers, C = plan.categories;
    std::fill(ws.effect.begin(), ws.effect.end(), 1.0);
    for (std::size_t c = 0; c < C; ++c) out.effect_factors[trial * C + c] = 1.0;
    for (std::size_t k = 0; k < plan.effect_cell.size(); ++k) {
        const CategoryEffect& e = sc.intervention->effects[k];
        const auto [c, tier] = plan.effect_cell[k];
        random::Stream s(plan.options.seed, plan.options.parameter_trial(trial), random::trial_level_member,
                         variable_id(StreamKind::intervention, static_cast<std::uint32_t>(tier + 1), static_cast<std::uint32_t>(c)));
        const double f = std::max(0.0, 1.0 + e.mean + e.sd * random::standard_normal_quantile(s.uniform()));
        for (std::size_t t = 0; t < T; ++t)
            if (tier < 0 || static_cast<std::size_t>(tier) == t) ws.effect[t * C + c] = f;
        out.tier_effect_factors[(trial * T + (tier < 0 ? 0 : tier)) * C + c] = f;
        if (tier < 0) {
            out.effect_factors[trial * C + c] = f;
            for (std::size_t t = 1; t < T; ++t) out.tier_effect_factors[(trial * T + t) * C + c] = f;
        } else {
            out.effect_factors[trial * C + c] = std::nan("");  // by tier: see tier_effect_factors
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
        bool takes_part = plan.targeted[i] != 0;
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

void simulate_trial(const EnginePlan& plan, std::uint32_t trial, SimulationResults& out, Workspace& ws,
                           const std::vector<TrialObserver*>& observers) {
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
    out.trend[trial] = g;
    if (with_intervention) {
        draw_effects(plan, trial, ws, out);
        draw_participation(plan, trial, ws);
        std::fill(ws.participant_heads.begin(), ws.participant_heads.end(), 0.0);
    }

    const std::size_t arm_count = out.arms.size();
    const double frailty_shape = model.frailty_cv > 0 ? 1.0 / (model.frailty_cv * model.frailty_cv) : 0.0;
    for (std::size_t i = 0; i < plan.members; ++i) {
        std::uint16_t tier = sc.population.tier[i];
        for (int y = 0; y < Y; ++y) {
            const std::size_t my = i * Y + y;
            if (y > 0 && plan.transition_cdf.size() != 0) {
                random::Stream s(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::transition, y, 0));
                const double u = s.uniform();
                std::uint16_t next = 0;
                while (static_cast<std::size_t>(next) + 1 < T && u > plan.transition_cdf(tier, next)) ++next;
                tier = next;
            }
            ws.tier[my] = tier;
            const int months = sc.population.months_of(i, y);
            for (std::size_t a = 0; a < arm_count; ++a) ws.member_total[a][my] = 0.0;
            for (auto& v : ws.member_category) std::fill_n(v.begin() + my * C, C, 0.0);
            if (months == 0) continue;

            double frailty = 1.0;
            if (frailty_shape > 0) {
                random::Stream s(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::frailty, y, 0));
                frailty = random::standard_gamma(frailty_shape, s) / frailty_shape;
            }
            const bool copula = plan.copula_factor.size() != 0;
            if (copula) {
                random::Stream s(seed, trial, static_cast<std::uint32_t>(i), variable_id(StreamKind::copula, y, 0));
                for (std::size_t c = 0; c < C; ++c) ws.normals[c] = random::standard_normal_quantile(s.uniform());
                for (std::size_t c = 0; c < C; ++c) {
                    double z = 0.0;
                    for (std::size_t k = 0; k <= c; ++k) z += plan.copula_factor(c, k) * ws.normals[k];
                    ws.uniforms[c] = std::clamp(random::standard_normal_cdf(z), 0x1.0p-60, 1.0 - 0x1.0p-53);
                }
            }
            const double trend_factor = std::pow(std::max(0.0, 1.0 + g), y + 1);
            double totals[2] = {0.0, 0.0};
            for (std::size_t c = 0; c < C; ++c) {
                const CategoryModel& cell = model.cell(tier, c);
                const double scale = frailty * plan.relative_risk[i] * plan.exposure[c * 13 + months];
                // One uniform per member-year-category decides the count in both arms.
                const double u = copula ? ws.uniforms[c]
                                        : random::Stream(seed, trial, static_cast<std::uint32_t>(i),
                                                         variable_id(StreamKind::count, y, static_cast<std::uint32_t>(c)))
                                              .uniform();
                const std::uint32_t n0 = draw_count(cell.frequency, scale, u);
                const bool treated = with_intervention && ws.participant[i] != 0;
                const std::uint32_t n1 = treated ? draw_count(cell.frequency, scale * ws.year_effect[(static_cast<std::size_t>(y) * T + tier) * C + c], u) : n0;

                const random::StreamAddress sev{seed, trial, static_cast<std::uint32_t>(i),
                                                variable_id(StreamKind::severity, y, static_cast<std::uint32_t>(c))};
                const std::uint32_t lo = std::min(n0, n1), hi = std::max(n0, n1);
                const double s_lo = sum_severities(cell.severity, sev, 0, lo) * trend_factor;
                const double s_hi = hi > lo ? s_lo + sum_severities(cell.severity, sev, lo, hi - lo) * trend_factor : s_lo;
                const double cost[2] = {n0 == lo ? s_lo : s_hi, n1 == lo ? s_lo : s_hi};
                const std::uint32_t n[2] = {n0, n1};
                for (std::size_t a = 0; a < ws.member_category.size(); ++a) ws.member_category[a][my * C + c] = cost[a];
                for (std::size_t a = 0; a < arm_count; ++a) {
                    const std::size_t idx = out.cell_index(trial, y, tier, c);
                    out.arms[a].cost[idx] += cost[a];
                    out.arms[a].events[idx] += n[a];
                    totals[a] += cost[a];
                }
            }
            const std::size_t ti = (static_cast<std::size_t>(trial) * Y + y) * T + tier;
            if (with_intervention && ws.participant[i] != 0) {
                out.arms[1].participant_months[ti] += months;
                ws.participant_heads[static_cast<std::size_t>(y) * T + tier] += 1.0;
            }
            for (std::size_t a = 0; a < arm_count; ++a) {
                ws.member_total[a][my] = totals[a];
                out.arms[a].member_months[ti] += months;
                out.arms[a].members[ti] += 1.0;
                out.arms[a].member_cost_sumsq[ti] += totals[a] * totals[a];
            }
        }
    }

    // Program costs (intervention arm only): PMPM x participants' months, staff in steps, start-up.
    if (with_intervention) {
        for (int y = 0; y < Y; ++y) {
            const std::size_t at = static_cast<std::size_t>(trial) * Y + y;
            sc.intervention->year_costs(y, std::span<const double>(out.arms[1].participant_months).subspan(at * T, T),
                                        std::span<const double>(ws.participant_heads).subspan(static_cast<std::size_t>(y) * T, T),
                                        model.tiers, std::span<double>(out.arms[1].program_cost).subspan(at * plan.cost_items, plan.cost_items));
        }
    }

    if (plan.options.member_detail) {
        for (std::size_t a = 0; a < arm_count; ++a)
            for (std::size_t i = 0; i < plan.members; ++i)
                for (int y = 0; y < Y; ++y)
                    out.member_costs[((a * out.trials + trial) * Y + y) * plan.members + i] = ws.member_total[a][i * Y + y];
    }
    if (!observers.empty()) {
        std::span<const double> arm_spans[2], category_spans[2];
        for (std::size_t a = 0; a < arm_count; ++a) {
            arm_spans[a] = ws.member_total[a];
            category_spans[a] = ws.member_category[a];
        }
        TrialView view{trial, Y, plan.members, ws.tier, sc.population.months,
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
    const EnginePlan plan(model, options);

    SimulationResults out;
    out.trials = options.trials;
    out.seed = options.seed;
    out.years = plan.years;
    out.tiers = model.cost_model.tiers;
    out.categories = model.cost_model.categories;
    out.member_count = plan.members;
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
    (void)product({cells, arm_count, 2 * sizeof(double)}, "options.trials");  // cost and events, both arms
    const std::size_t tier_cells = options.trials * plan.years * plan.tiers;
    if (options.member_detail)
        (void)product({arm_count, options.trials, static_cast<std::size_t>(plan.years), plan.members, sizeof(double)}, "options.member_detail");
    for (std::size_t a = 0; a < arm_count; ++a) {
        ArmResults arm;
        arm.name = a == 0 ? "baseline" : "intervention";
        arm.cost.assign(cells, 0.0);
        arm.events.assign(cells, 0.0);
        arm.member_months.assign(tier_cells, 0.0);
        arm.members.assign(tier_cells, 0.0);
        arm.member_cost_sumsq.assign(tier_cells, 0.0);
        arm.program_cost.assign(options.trials * plan.years * plan.cost_items, 0.0);
        if (a == 1) arm.participant_months.assign(tier_cells, 0.0);
        out.arms.push_back(std::move(arm));
    }
    out.trend.assign(options.trials, 0.0);
    if (model.intervention) {
        out.effect_factors.assign(options.trials * plan.categories, 1.0);
        out.tier_effect_factors.assign(options.trials * plan.tiers * plan.categories, 1.0);
    }
    if (options.member_detail) out.member_costs.assign(arm_count * options.trials * plan.years * plan.members, 0.0);

    const unsigned threads = std::min<std::uint64_t>(resolve_threads(options.threads), options.trials);
    std::atomic<std::uint64_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
        try {
            Workspace ws(plan, arm_count, !observers.empty());
            for (std::uint64_t t; !control.stop_requested() && (t = next.fetch_add(1)) < options.trials;) {
                simulate_trial(plan, static_cast<std::uint32_t>(t), out, ws, observers);
                if (control.trials_done) control.trials_done->fetch_add(1, std::memory_order_relaxed);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = options.trials;
        }
    };
    if (threads <= 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        try {
            for (unsigned k = 0; k < threads; ++k) pool.emplace_back(worker);
        } catch (...) {  // could not start a thread: stop the others, join them, report
            next = options.trials;
            for (auto& th : pool) th.join();
            throw ComputationError("simulate: could not start " + std::to_string(threads) + " threads");
        }
        for (auto& th : pool) th.join();
    }
    if (failure) std::rethrow_exception(failure);
    if (control.stop_requested()) throw Interrupted();
    return out;
}

}  // namespace apmsim
