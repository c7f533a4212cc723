// Monitoring a contract year against its scenario (monitor.hpp).
#include "apmsim/monitor.hpp"

#include "apmsim/claims/frailty_posterior.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/run.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/simulation/parallel_trials.hpp"
#include "apmsim/stats/chain_ladder.hpp"
#include "apmsim/stats/exposure.hpp"
#include "apmsim/stats/summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace apmsim {

using std::chrono::months;
using std::chrono::year_month;
using stats::month_text;

void MonitorOptions::validate() const {
    (void)stats::parse_month(start, "start");
    if (trials < 2 || trials > 10'000'000) throw InvalidInput("trials", "2 to 10,000,000 trials", std::to_string(trials));
    if (!(band > 0.0 && band < 1.0)) throw InvalidInput("band", "a probability in (0, 1)", show(band));
    if (!(tail_factor >= 1.0) || !std::isfinite(tail_factor)) throw InvalidInput("tail_factor", "a factor >= 1", show(tail_factor));
}

namespace {

enum class Mode : std::uint32_t { prior = 0, conditional = 1 };

struct Cell {
    double mean = 0.0;  ///< events per member-year
    double size = 0.0;  ///< negative binomial size; infinity: Poisson
    const Severity* severity = nullptr;
};

/// One member's contract year: what was seen and the exposure still to come, by category.
struct MemberFacts {
    std::uint16_t tier = 0;
    double relative_risk = 1.0;
    std::vector<double> seen;              ///< [c * 12 + m] exposure-years paid so far (x completeness)
    std::vector<double> rest;              ///< [c * 12 + m] exposure-years still to be paid
    std::vector<std::uint32_t> count;      ///< [c] events seen
    std::vector<double> paid;              ///< [c * 12 + m] allowed paid so far
    std::uint8_t whole_months = 0;         ///< the year's months, observed and projected, rounded
    std::optional<claims::FrailtyPosterior> posterior;
};

/// What the projection needs, built once from the scenario and the clean claims.
struct YearFacts {
    int year = 0, observed = 0;  ///< 0-based contract year; months of it observed
    year_month first;            ///< the contract year's first month
    std::size_t C = 0;
    std::vector<Cell> cells;     ///< [tier * C + c]
    double frailty_cv = 0.0;
    Trend trend;
    std::vector<double> completeness;        ///< [observed month]
    std::array<double, 12> member_months{};  ///< observed and projected
    std::vector<MemberFacts> members;
    std::vector<double> cell_events, cell_allowed;  ///< [tier * C + c] paid so far
    double theta_mean = 0.0, theta_sd = 0.0;        ///< the trend's posterior, on log(1 + g)
};

std::vector<Cell> cells_of(const CostModel& cm) {
    std::vector<Cell> out;
    if (cm.copula_correlation.size() != 0)
        throw InvalidInput("cost_model.copula", "no copula (the monitor's projection conditions on a frailty alone)", "a copula");
    for (std::size_t t = 0; t < cm.tier_count(); ++t)
        for (std::size_t c = 0; c < cm.category_count(); ++c) {
            const CategoryModel& m = cm.cell(t, c);
            Cell cell{mean(m.frequency), std::numeric_limits<double>::infinity(), &m.severity};
            if (const auto* nb = std::get_if<NegativeBinomial>(&m.frequency)) cell.size = nb->dispersion();
            else if (!std::holds_alternative<Poisson>(m.frequency))
                throw InvalidInput("cost_model.cells." + cm.categories[c] + "." + cm.tiers[t] + ".frequency",
                                   "a Poisson or negative binomial frequency (the monitor's conditional projection)", type_name(m.frequency));
            out.push_back(cell);
        }
    return out;
}

/// The seasonal weight of category c in calendar month ym (1 without seasonality).
double season(const CostModel& cm, std::size_t c, year_month ym) {
    return cm.seasonality.empty() ? 1.0 : cm.seasonality[c][static_cast<unsigned>(ym.month()) - 1];
}

void add_member_facts(const Scenario& s, const claims::CleanClaims& clean, YearFacts& f) {
    const std::size_t C = f.C, n = clean.months();
    const auto window0 = static_cast<std::size_t>((f.first - clean.first).count());
    const year_month through = clean.valuation;
    const std::chrono::sys_days last_day{through.year() / through.month() / std::chrono::last};
    for (std::size_t i = 0; i < clean.members.size(); ++i) {
        MemberFacts m;
        m.tier = clean.members[i].tier;
        m.seen.assign(C * 12, 0.0), m.rest.assign(C * 12, 0.0), m.paid.assign(C * 12, 0.0), m.count.assign(C, 0);
        const bool stays = clean.members[i].enrolled_on(last_day);
        double months_in_year = 0.0;
        for (int k = 0; k < 12; ++k) {
            const year_month ym = f.first + months{k};
            const bool seen = k < f.observed;
            const double mm = seen ? clean.exposure.member_months[i * n + window0 + static_cast<std::size_t>(k)] : (stays ? 1.0 : 0.0);
            months_in_year += mm;
            f.member_months[static_cast<std::size_t>(k)] += mm;
            const double done = seen ? f.completeness[static_cast<std::size_t>(k)] : 0.0;
            for (std::size_t c = 0; c < C; ++c) {
                const double e = mm * season(s.cost_model, c, ym) / 12.0;
                m.seen[c * 12 + static_cast<std::size_t>(k)] = e * done;
                m.rest[c * 12 + static_cast<std::size_t>(k)] = e * (1.0 - done);
            }
        }
        m.whole_months = static_cast<std::uint8_t>(std::clamp(std::lround(months_in_year), 0L, 12L));
        f.members.push_back(std::move(m));
    }
    f.cell_events.assign(f.cells.size(), 0.0), f.cell_allowed.assign(f.cells.size(), 0.0);
    for (const claims::Event& e : clean.events) {
        const year_month ym = year_month{std::chrono::year_month_day{e.service}.year(), std::chrono::year_month_day{e.service}.month()};
        const int k = (ym - f.first).count();
        if (k < 0 || k >= f.observed) continue;
        MemberFacts& m = f.members[e.member];
        m.count[e.category] += 1;
        m.paid[e.category * 12 + static_cast<std::size_t>(k)] += e.allowed;
        f.cell_events[m.tier * C + e.category] += 1.0;
        f.cell_allowed[m.tier * C + e.category] += e.allowed;
    }
}

/// The trend's posterior given the severities paid so far, normal on theta = log(1 + g)
/// (monitor.hpp): a cell's mean severity over n events, x, gives
/// log x + cv^2 / (2n) - log m = k theta + N(0, cv^2 / n) (the delta method, its bias
/// corrected; m and cv the cell's severity mean and cv, k = y + 1 the contract year's
/// power); the prior is N(log(1 + mean), (sd / (1 + mean))^2). With sd 0 the trend is fixed.
void add_trend_posterior(YearFacts& f) {
    const double prior_mean = std::log1p(f.trend.mean), prior_sd = f.trend.sd / (1.0 + f.trend.mean);
    f.theta_mean = prior_mean, f.theta_sd = prior_sd;
    if (prior_sd == 0.0) return;
    const double k = f.year + 1;
    double precision = 1.0 / (prior_sd * prior_sd), weighted = prior_mean * precision;
    for (std::size_t cell = 0; cell < f.cells.size(); ++cell) {
        const double n = f.cell_events[cell];
        const Severity& sev = *f.cells[cell].severity;
        const double m = mean(sev), cv2 = variance(sev) / (m * m);
        if (n < 2 || !std::isfinite(cv2) || !(cv2 > 0.0)) continue;
        const double y = (std::log(f.cell_allowed[cell] / n) + cv2 / (2 * n) - std::log(m)) / k;  // an estimate of theta
        const double w = n * k * k / cv2;                                                              // its precision
        precision += w, weighted += w * y;
    }
    f.theta_mean = weighted / precision, f.theta_sd = 1.0 / std::sqrt(precision);
}

/// Each member's relative risk (Population::relative_risk over the year's months) and
/// frailty posterior given its counts.
void add_posteriors(const Scenario& actual, const claims::CleanClaims& clean, YearFacts& f) {
    const std::vector<double> rho = actual.population.relative_risk(actual.cost_model.tier_count());
    std::vector<claims::CountSeen> seen(f.C);
    for (std::size_t i = 0; i < f.members.size(); ++i) {
        MemberFacts& m = f.members[i];
        m.relative_risk = rho[i];
        for (std::size_t c = 0; c < f.C; ++c) {
            const Cell& cell = f.cells[m.tier * f.C + c];
            double e = 0.0;
            for (int k = 0; k < 12; ++k) e += m.seen[c * 12 + static_cast<std::size_t>(k)];
            seen[c] = {cell.mean * m.relative_risk * e, m.count[c], cell.size};
            if (m.count[c] > 0 && seen[c].expected == 0.0)  // a cell whose mean is 0, or a risk score of 0
                throw InvalidInput("claims of member " + clean.members[i].id + " in " + actual.cost_model.categories[c],
                                   "none where the model expects none (cell " + actual.cost_model.categories[c] + "." +
                                       actual.cost_model.tiers[m.tier] + ", relative risk " + show(m.relative_risk) + ")",
                                   std::to_string(m.count[c]) + " events");
        }
        m.posterior.emplace(f.frailty_cv, seen);
    }
}

/// One trial of the contract year: each member-category's year cost, and (prior) what would
/// have been paid so far, by tier x category; cumulative cost by month.
struct TrialYear {
    std::vector<double> member_cost;  ///< [i * C + c]
    std::vector<double> seen_cost;    ///< [tier * C + c] paid so far (prior mode)
    std::array<double, 12> month_cost{};
    double trend = 0.0;
};

/// Draws `count` events of a member's category in one stream, adding each to the month the
/// exposure weights `w` (12, cumulative in the loop) pick; returns their sum.
double draw_events(std::uint32_t count, const Cell& cell, double scale, std::span<const double> w, double total_w, random::Stream& s,
                   std::array<double, 12>& month_cost) {
    double sum = 0.0;
    for (std::uint32_t j = 0; j < count; ++j) {
        const double x = scale * std::visit([&](const auto& d) { return d.draw(s); }, *cell.severity);
        double u = s.uniform() * total_w;
        int k = 0;
        while (k < 11 && u >= w[static_cast<std::size_t>(k)]) u -= w[static_cast<std::size_t>(k++)];
        month_cost[static_cast<std::size_t>(k)] += x;
        sum += x;
    }
    return sum;
}

std::uint32_t poisson(double mean, double u) { return mean > 0.0 ? Poisson(1.0).draw_scaled(mean, u) : 0u; }

void project_member(const YearFacts& f, std::size_t i, Mode mode, double scale, std::uint64_t seed, std::uint32_t trial, TrialYear& out) {
    const MemberFacts& m = f.members[i];
    random::Stream s(seed, trial, static_cast<std::uint32_t>(i), random::variable_id(random::StreamKind::monitor, static_cast<std::uint32_t>(mode), 0));
    const double shape = f.frailty_cv > 0.0 ? 1.0 / (f.frailty_cv * f.frailty_cv) : 0.0;
    const double frailty = mode == Mode::conditional ? m.posterior->draw(s.uniform())
                                                     : (shape > 0.0 ? random::standard_gamma(shape, s) / shape : 1.0);
    for (std::size_t c = 0; c < f.C; ++c) {
        const Cell& cell = f.cells[m.tier * f.C + c];
        const std::span<const double> seen(m.seen.data() + c * 12, 12), rest(m.rest.data() + c * 12, 12);
        double e_seen = 0.0, e_rest = 0.0;
        for (int k = 0; k < 12; ++k) e_seen += seen[static_cast<std::size_t>(k)], e_rest += rest[static_cast<std::size_t>(k)];
        const double lambda = cell.mean * m.relative_risk * frailty;
        double g = 1.0;  // the member-category's own gamma factor (negative binomial cells)
        if (std::isfinite(cell.size)) {
            const double a = cell.size + (mode == Mode::conditional ? m.count[c] : 0.0);
            const double b = cell.size + (mode == Mode::conditional ? lambda * e_seen : 0.0);
            g = random::standard_gamma(a, s) / b;
        }
        double cost = 0.0;
        if (mode == Mode::prior) {
            const double seen_sum = draw_events(poisson(lambda * g * e_seen, s.uniform()), cell, scale, seen, e_seen, s, out.month_cost);
            out.seen_cost[m.tier * f.C + c] += seen_sum;
            cost += seen_sum;
        } else {
            for (int k = 0; k < f.observed; ++k) {
                cost += m.paid[c * 12 + static_cast<std::size_t>(k)];
                out.month_cost[static_cast<std::size_t>(k)] += m.paid[c * 12 + static_cast<std::size_t>(k)];
            }
        }
        cost += draw_events(poisson(lambda * g * e_rest, s.uniform()), cell, scale, rest, e_rest, s, out.month_cost);
        out.member_cost[i * f.C + c] = cost;
    }
}

TrialYear project_trial(const YearFacts& f, Mode mode, std::uint64_t seed, std::uint32_t trial) {
    TrialYear out;
    out.member_cost.assign(f.members.size() * f.C, 0.0);
    out.seen_cost.assign(f.cells.size(), 0.0);
    random::Stream ts(seed, trial, random::trial_level_member, random::variable_id(random::StreamKind::monitor, 2, 0));
    const double z = random::standard_normal_quantile(ts.uniform());
    out.trend = mode == Mode::prior ? f.trend.mean + f.trend.sd * z : std::expm1(f.theta_mean + f.theta_sd * z);
    const double scale = std::pow(1.0 + out.trend, f.year + 1);
    for (std::size_t i = 0; i < f.members.size(); ++i) project_member(f, i, mode, scale, seed, trial, out);
    return out;
}

/// The member-level view of one projected trial, every year of the scenario holding the
/// contract year (only that year is read), both arms alike.
void show_trial(const Scenario& s, const YearFacts& f, std::uint32_t trial, const TrialYear& ty, const std::vector<TrialObserver*>& observers) {
    if (observers.empty()) return;
    const auto Y = static_cast<std::size_t>(s.years()), N = f.members.size(), C = f.C;
    std::vector<std::uint16_t> tiers(N * Y);
    std::vector<std::uint8_t> months_in(N * Y), participant;
    std::vector<double> total(N * Y), by_category(N * Y * C), scores(s.population.risk_score);
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t y = 0; y < Y; ++y) {
            tiers[i * Y + y] = f.members[i].tier;
            months_in[i * Y + y] = f.members[i].whole_months;
            for (std::size_t c = 0; c < C; ++c) {
                by_category[(i * Y + y) * C + c] = ty.member_cost[i * C + c];
                total[i * Y + y] += ty.member_cost[i * C + c];
            }
        }
    if (s.intervention)  // every member of a targeted tier counts as taking part
        for (std::size_t i = 0; i < N; ++i) participant.push_back(s.intervention->targets(s.cost_model.tiers[f.members[i].tier]) ? 1 : 0);
    const std::size_t arms = s.intervention ? 2 : 1;
    const std::vector<std::span<const std::uint16_t>> arm_tiers(arms, tiers);
    const std::vector<std::span<const double>> arm_totals(arms, total), arm_categories(arms, by_category);
    TrialView v;
    v.trial = trial, v.years = s.years(), v.members = N, v.arm_tiers = arm_tiers, v.months = months_in, v.risk_score = scores;
    v.arms = arm_totals, v.categories = C, v.arm_categories = arm_categories, v.participant = participant;
    for (TrialObserver* o : observers) o->observe(v);
}

/// Both projections of each trial and their settlement: one run of 2 x trials, the first
/// half prior and the second conditional (trial t of each on the same draws of trial t),
/// so the base period and calibration sample the settlement needs are simulated once.
struct Projections {
    std::vector<TrialYear> prior, conditional;
    PaymentResults payments;  ///< trials [0, T) prior, [T, 2T) conditional
};

Projections project(const Scenario& actual, const YearFacts& f, SimulationOptions options, const RunControl& control) {
    const std::uint64_t T = options.trials;
    options.trials = 2 * T;
    std::vector<TrialYear> all(2 * T);
    const Simulator simulator = [&](const Model&, const SimulationOptions& o, const std::vector<TrialObserver*>& observers, const RunControl& rc) {
        const RunControl stop_only{rc.stop, nullptr};  // the projections are not the run's trials: no progress count
        for_each_trial(o.trials, resolve_threads(o.threads), stop_only, [] { return 0; }, [&](int, std::uint64_t t) {
            TrialYear ty = project_trial(f, t < T ? Mode::prior : Mode::conditional, o.seed, static_cast<std::uint32_t>(t % T));
            show_trial(actual, f, static_cast<std::uint32_t>(t), ty, observers);
            ty.member_cost = {};  // kept: the totals only
            all[t] = std::move(ty);
        });
        SimulationResults sim;
        sim.trials = o.trials, sim.seed = o.seed, sim.years = actual.years();
        sim.tiers = actual.cost_model.tiers, sim.categories = actual.cost_model.categories;
        for (const char* arm : {"baseline", "intervention"}) {
            if (sim.arms.size() == (actual.intervention ? 2u : 1u)) break;
            sim.arms.emplace_back().name = arm;
        }
        for (const TrialYear& ty : all) sim.trend.push_back(ty.trend);
        return sim;
    };
    Projections out;
    out.payments = run_with(actual, options, simulator, control).payments;
    out.prior.assign(std::make_move_iterator(all.begin()), std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(T)));
    out.conditional.assign(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(T)), std::make_move_iterator(all.end()));
    return out;
}


/// An extract whose claims all fall outside the months read has nothing to complete or
/// compare: say so, with the file and the window (the chain ladder's own message is about
/// its triangle).
void check_claims_in_window(const claims::CleanClaims& clean) {
    if (clean.triangle.lines_used > 0) return;
    throw InvalidInput(clean.report.claims_file,
                       "claims incurred and paid from " + month_text(clean.first) + " to " + month_text(clean.valuation) +
                           " (--first or --start to --through)",
                       "none: of " + std::to_string(clean.report.rows_in) + " rows, " + std::to_string(clean.report.finding("claims", "incurred_outside_window").rows) +
                           " incurred outside those months and " + std::to_string(clean.report.finding("claims", "paid_after_valuation").rows) + " paid after " +
                           month_text(clean.valuation));
}

YearFacts year_facts(const Scenario& s, const claims::CleanClaims& clean, const MonitorOptions& o) {
    YearFacts f;
    const year_month start = stats::parse_month(o.start, "start");
    const int since = (clean.valuation - start).count();
    if (since < 0 || since >= 12 * s.years())
        throw InvalidInput("through", "a month of the scenario's " + std::to_string(s.years()) + " contract years from " + o.start,
                           month_text(clean.valuation));
    f.year = since / 12;
    f.observed = since % 12 + 1;
    f.first = start + months{12 * f.year};
    if (clean.first > f.first)
        throw InvalidInput("first", "claims from the contract year's first month " + month_text(f.first), month_text(clean.first));
    f.C = s.cost_model.category_count();
    f.cells = cells_of(s.cost_model);
    f.frailty_cv = s.cost_model.frailty_cv;
    f.trend = s.cost_model.trend;
    check_claims_in_window(clean);
    stats::check_run_out_span(clean.triangle, o.tail_factor);
    const stats::ChainLadder run_out = stats::chain_ladder(clean.triangle.cumulative, o.tail_factor, "run_out_triangle");
    const std::size_t n = clean.months();
    const auto window0 = static_cast<std::size_t>((f.first - clean.first).count());
    for (int k = 0; k < f.observed; ++k) f.completeness.push_back(run_out.completion[n - 1 - (window0 + static_cast<std::size_t>(k))]);
    add_member_facts(s, clean, f);
    add_trend_posterior(f);
    return f;
}

/// The scenario with the extract's members in place of its population, every year holding
/// the contract year's months (churn and a population recipe dropped).
Scenario with_actual_members(const Scenario& s, const YearFacts& f, const claims::CleanClaims& clean) {
    Scenario a = s;
    a.churn.reset();
    a.population_recipe.reset();
    Population p;
    p.years = s.years();
    for (std::size_t i = 0; i < f.members.size(); ++i) {
        p.id.push_back(static_cast<std::int64_t>(i));
        p.tier.push_back(f.members[i].tier);
        p.age_band.emplace_back("");
        p.sex.emplace_back("U");
        p.risk_score.push_back(clean.members[i].risk_score);
        for (int y = 0; y < p.years; ++y) p.months.push_back(f.members[i].whole_months);
    }
    a.population = std::move(p);
    return a;
}

/// Where `value` sits among `sims`: the share below it, ties counting half.
double percentile_of(double value, std::span<const double> sims) {
    double below = 0.0;
    for (double x : sims) below += x < value ? 1.0 : (x == value ? 0.5 : 0.0);
    return below / static_cast<double>(sims.size());
}

Fan fan_of(std::span<const double> sims) {
    Fan out{};
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = stats::quantile(sims, MonitorReport::levels[k]);
    return out;
}

/// Actual vs expected paid so far over the cells `in` selects, against the prior's trials.
ActualVsExpected actual_vs_expected(const std::vector<double>& actual, const std::vector<TrialYear>& prior, const std::vector<bool>& in, double band) {
    ActualVsExpected row;
    std::vector<double> sims;
    for (const TrialYear& ty : prior) {
        double x = 0.0;
        for (std::size_t k = 0; k < in.size(); ++k) x += in[k] ? ty.seen_cost[k] : 0.0;
        sims.push_back(x);
    }
    for (std::size_t k = 0; k < in.size(); ++k) row.actual += in[k] ? actual[k] : 0.0;
    for (double x : sims) row.expected += x / static_cast<double>(sims.size());
    if (!(row.expected > 0.0)) return row;
    for (double& x : sims) x /= row.expected;
    row.ratio = row.actual / row.expected;
    row.low = stats::quantile(sims, 0.5 - band / 2), row.high = stats::quantile(sims, 0.5 + band / 2);
    row.percentile = percentile_of(row.ratio, sims);
    row.flag = row.ratio > row.high ? "above" : (row.ratio < row.low ? "below" : "within");
    return row;
}

/// By tier x category, then by tier, by category and in total (rows with nothing expected left out).
std::vector<ActualVsExpected> actual_vs_expected_rows(const CostModel& cm, const YearFacts& f, const std::vector<TrialYear>& prior, double band) {
    const std::size_t T = cm.tier_count(), C = f.C;
    std::vector<double> actual(T * C, 0.0);
    for (const MemberFacts& m : f.members)
        for (std::size_t c = 0; c < C; ++c)
            for (int k = 0; k < f.observed; ++k) actual[m.tier * C + c] += m.paid[c * 12 + static_cast<std::size_t>(k)];
    std::vector<ActualVsExpected> rows;
    auto add = [&](int tier, int category) {
        std::vector<bool> in(T * C);
        for (std::size_t k = 0; k < T * C; ++k) in[k] = (tier < 0 || k / C == static_cast<std::size_t>(tier)) && (category < 0 || k % C == static_cast<std::size_t>(category));
        ActualVsExpected row = actual_vs_expected(actual, prior, in, band);
        row.tier = tier < 0 ? "" : cm.tiers[static_cast<std::size_t>(tier)];
        row.category = category < 0 ? "" : cm.categories[static_cast<std::size_t>(category)];
        if (row.expected > 0.0) rows.push_back(std::move(row));
    };
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t c = 0; c < C; ++c) add(static_cast<int>(t), static_cast<int>(c));
    for (std::size_t t = 0; t < T; ++t) add(static_cast<int>(t), -1);
    for (std::size_t c = 0; c < C; ++c) add(-1, static_cast<int>(c));
    add(-1, -1);
    return rows;
}

/// The cumulative PMPM month by month: observed (paid and completed), prior and conditional.
std::vector<FanMonth> fan_chart(const YearFacts& f, const std::vector<TrialYear>& prior, const std::vector<TrialYear>& conditional) {
    std::vector<FanMonth> out;
    std::vector<double> prior_sum(prior.size(), 0.0), conditional_sum(conditional.size(), 0.0);
    double months_sum = 0.0, paid_sum = 0.0, completed_sum = 0.0;
    for (int k = 0; k < 12; ++k) {
        const auto ks = static_cast<std::size_t>(k);
        FanMonth m;
        m.month = month_text(f.first + months{k});
        months_sum += f.member_months[ks];
        if (!(months_sum > 0.0)) continue;  // nobody enrolled yet
        m.observed = k < f.observed;
        if (m.observed) {
            double paid = 0.0;
            for (const MemberFacts& mf : f.members)
                for (std::size_t c = 0; c < f.C; ++c) paid += mf.paid[c * 12 + ks];
            paid_sum += paid, completed_sum += paid / f.completeness[ks];
            m.paid_to_date = paid_sum / months_sum, m.completed = completed_sum / months_sum;
        }
        std::vector<double> p, q;
        for (std::size_t t = 0; t < prior.size(); ++t) p.push_back((prior_sum[t] += prior[t].month_cost[ks]) / months_sum);
        for (std::size_t t = 0; t < conditional.size(); ++t) q.push_back((conditional_sum[t] += conditional[t].month_cost[ks]) / months_sum);
        m.prior = fan_of(p), m.conditional = fan_of(q);
        out.push_back(std::move(m));
    }
    return out;
}

/// Each payment model's chance and mean of savings paid and of losses owed in the contract
/// year (0-based `year`), over the prior trials and over the conditional ones (the program
/// arm, as PaymentResults::indicators counts them).
std::vector<MonitorOutcome> outcomes(const PaymentResults& pay, std::uint64_t T, int year) {
    std::vector<MonitorOutcome> out;
    for (const std::string& model : pay.models) {
        const SampleMatrix paid = pay.metric(model, "savings_paid"), owed = pay.metric(model, "losses_owed");
        std::array<double, 8> v{};  // p paid, p owed, mean paid, mean owed: prior, then conditional
        for (std::uint64_t t = 0; t < 2 * T; ++t) {
            const std::size_t half = t < T ? 0 : 4;
            const double s = paid(static_cast<Eigen::Index>(t), year), l = owed(static_cast<Eigen::Index>(t), year);
            v[half] += s > 0, v[half + 1] += l > 0, v[half + 2] += s, v[half + 3] += l;
        }
        for (double& x : v) x /= static_cast<double>(T);
        out.push_back({model, v[0], v[4], v[1], v[5], v[2], v[6], v[3], v[7]});
    }
    return out;
}

MonitorReport assemble_report(const Scenario& s, const claims::CleanClaims& clean, const MonitorOptions& o, const YearFacts& f,
                              const Projections& projections) {
    const std::vector<TrialYear>&prior = projections.prior, &conditional = projections.conditional;
    MonitorReport r;
    r.scenario = s.name, r.start = o.start, r.through = month_text(clean.valuation), r.year = f.year + 1, r.months_observed = f.observed;
    r.trials = o.trials, r.seed = o.seed, r.band = o.band, r.completeness = f.completeness, r.standardisation = clean.report;
    r.trend_posterior_mean = std::expm1(f.theta_mean), r.trend_posterior_sd = f.theta_sd * std::exp(f.theta_mean);
    r.actual_vs_expected = actual_vs_expected_rows(s.cost_model, f, prior, o.band);
    const ActualVsExpected& total = r.actual_vs_expected.back();
    for (int k = 0; k < f.observed; ++k) r.member_months += f.member_months[static_cast<std::size_t>(k)];
    if (!(r.member_months > 0.0)) throw InvalidInput("members", "member-months in the months observed", "none");
    r.paid_to_date = total.actual, r.pmpm = total.actual / r.member_months;
    std::vector<double> sims;
    for (const TrialYear& ty : prior) sims.push_back(std::accumulate(ty.seen_cost.begin(), ty.seen_cost.end(), 0.0) / r.member_months);
    r.percentile = percentile_of(r.pmpm, sims);
    r.band_low = stats::quantile(sims, 0.5 - o.band / 2), r.band_high = stats::quantile(sims, 0.5 + o.band / 2);
    r.flag = r.pmpm > r.band_high ? "above" : (r.pmpm < r.band_low ? "below" : "within");
    r.fan = fan_chart(f, prior, conditional);
    for (double mm : f.member_months) r.year_member_months += mm;
    std::vector<double> p, q;
    for (const TrialYear& ty : prior) p.push_back(std::accumulate(ty.month_cost.begin(), ty.month_cost.end(), 0.0) / r.year_member_months);
    for (const TrialYear& ty : conditional) q.push_back(std::accumulate(ty.month_cost.begin(), ty.month_cost.end(), 0.0) / r.year_member_months);
    r.year_pmpm_prior = fan_of(p), r.year_pmpm_conditional = fan_of(q);
    r.year_pmpm_mean_prior = std::accumulate(p.begin(), p.end(), 0.0) / static_cast<double>(p.size());
    r.year_pmpm_mean_conditional = std::accumulate(q.begin(), q.end(), 0.0) / static_cast<double>(q.size());
    r.outcomes = outcomes(projections.payments, o.trials, f.year);
    return r;
}

}  // namespace

MonitorReport monitor(const Scenario& scenario, const claims::CleanClaims& clean, const MonitorOptions& options, const RunControl& control) {
    scenario.validate();
    options.validate();
    if (clean.tiers != scenario.cost_model.tiers || clean.categories != scenario.cost_model.categories)
        throw InvalidInput("claims", "extracts standardised with the scenario's tiers and categories", "others");
    YearFacts f = year_facts(scenario, clean, options);
    const Scenario actual = with_actual_members(scenario, f, clean);
    add_posteriors(actual, clean, f);
    SimulationOptions so = scenario.settings;
    so.trials = options.trials, so.seed = options.seed, so.threads = options.threads, so.trial_begin = 0, so.member_detail = false;
    return assemble_report(scenario, clean, options, f, project(actual, f, so, control));
}

}  // namespace apmsim
