// Preparing and settling payment models (contracts/settlement.hpp).
#include "apmsim/contracts/settlement.hpp"

#include <algorithm>

namespace apmsim {
namespace {

/// Where `block` starts in `all`: an identical run of reductions already listed (the same
/// terms in two models, or in the variants of a sweep, are computed once), else appended.
std::size_t shared_block(std::vector<MemberReduction>& all, const std::vector<MemberReduction>& block) {
    if (block.empty()) return 0;
    for (std::size_t i = 0; i + block.size() <= all.size(); ++i)
        if (std::equal(block.begin(), block.end(), all.begin() + static_cast<std::ptrdiff_t>(i))) return i;
    all.insert(all.end(), block.begin(), block.end());
    return all.size() - block.size();
}


/// Expected allowed cost per member-year of each tier: the weights of the tier-mix risk adjustment.
double tier_mix_risk(std::span<const double> member_months, const std::vector<double>& tier_mean) {
    double num = 0, den = 0;
    for (std::size_t k = 0; k < member_months.size(); ++k) {
        num += member_months[k] * tier_mean[k];
        den += member_months[k];
    }
    return den > 0 ? num / den : 1.0;
}

/// Marks which categories each capitation and listed fee-for-service pays for, year by
/// year; two payers of one category's care in a year are an error.
void mark_coverage(PreparedModel& m, const SettlementStep& step, const SettlementSetup& setup) {
    std::visit(
        [&](const auto& terms) {
            if constexpr (requires { terms.covers(setup, step.where); }) {
                const auto mask = terms.covers(setup, step.where);
                if (!mask) return;
                for (int y = 0; y < setup.years; ++y) {
                    if (!step.component->in_force(y)) continue;
                    CareCoverage& cov = m.coverage[static_cast<std::size_t>(y)];
                    for (std::size_t k = 0; k < setup.categories.size(); ++k) {
                        if (!(*mask)[k]) continue;
                        if (cov.capitated(k) || cov.listed_by_ffs[k])
                            throw InvalidInput(step.where + ".categories",
                                               "categories no other capitation or fee-for-service pays for in year " + std::to_string(y + 1),
                                               "\"" + setup.categories[k] + "\" paid twice");
                        if constexpr (requires { terms.capitated_party(); })
                            cov.capitated_to[k] = static_cast<std::uint8_t>(terms.capitated_party());
                        else
                            cov.listed_by_ffs[k] = 1;
                    }
                }
            }
            if constexpr (requires { terms.insures(setup, step.where); }) {
                const auto [party, mask] = terms.insures(setup, step.where);
                for (int y = 0; y < setup.years; ++y)
                    if (step.component->in_force(y))
                        for (std::size_t k = 0; k < mask.size(); ++k)
                            if (mask[k]) m.coverage[static_cast<std::size_t>(y)].insured_by_party[static_cast<std::size_t>(party)][k] = true;
            }
        },
        step.component->terms);
}

/// An aggregate stop-loss attaches on claims net of the specific stop-loss recoveries of
/// the same party on its categories (contracts/stop_loss.hpp): it is handed their member
/// sums, netted in the years each specific is in force. A specific stop-loss covering some
/// of the aggregate's categories and some others cannot be split between them: an error.
void net_aggregates_of_specifics(PreparedModel& m, const SettlementSetup& setup, std::vector<MemberReduction>& all) {
    for (SettlementStep& step : m.steps) {
        auto* aggregate = std::get_if<AggregateStopLoss::Prepared>(&step.prepared);
        if (aggregate == nullptr) continue;
        for (const SettlementStep& other : m.steps) {
            const auto* specific = std::get_if<SpecificStopLoss::Prepared>(&other.prepared);
            if (specific == nullptr || specific->terms->party != aggregate->terms->party) continue;
            const std::vector<bool>& covered = other.needs.reductions[0].categories;
            std::size_t inside = 0, count = 0;
            for (std::size_t c = 0; c < covered.size(); ++c) {
                count += covered[c] ? 1 : 0;
                inside += covered[c] && aggregate->mask[c] ? 1 : 0;
            }
            if (inside == 0) continue;
            if (inside < count)
                throw InvalidInput(other.where + ".categories",
                                   "categories all inside or all outside those of the aggregate stop-loss " + step.where + " (" +
                                       setup.categories_in(aggregate->mask) + "), which attaches on claims net of specific recoveries",
                                   setup.categories_in(covered));
            step.needs.reductions.push_back(other.needs.reductions[0]);
            std::vector<bool> in_force;
            for (int y = 0; y < setup.years; ++y) in_force.push_back(other.component->in_force(y));
            aggregate->netted.push_back(std::move(in_force));
        }
        step.first_reduction = shared_block(all, step.needs.reductions);
    }
}

/// After coverage is known: at most one residual fee-for-service a year, and it has care
/// to pay for; components that measure against what others cover check it.
void check_coverage(const PreparedModel& m, const SettlementSetup& setup) {
    for (int y = 0; y < setup.years; ++y) {
        const CareCoverage& cov = m.coverage[static_cast<std::size_t>(y)];
        const SettlementStep* residual = nullptr;
        for (const auto& step : m.steps) {
            if (!step.component->in_force(y)) continue;
            std::visit(
                [&](const auto& terms) {
                    if constexpr (requires { terms.residual(); }) {
                        if (!terms.residual()) return;
                        if (residual)
                            throw InvalidInput(step.where + ".categories",
                                               "categories (" + residual->where + " already pays for every category nothing else covers in year " +
                                                   std::to_string(y + 1) + ")",
                                               "none: all care would be paid twice");
                        residual = &step;
                        if (std::find(cov.residual_mask.begin(), cov.residual_mask.end(), true) == cov.residual_mask.end())
                            throw InvalidInput(step.where, "care to pay for in year " + std::to_string(y + 1) + " (a fee-for-service with no effect is an error)",
                                               "every category is paid for by a capitation or a fee-for-service that lists it");
                    }
                    if constexpr (requires { terms.check_coverage(setup, cov, y, step.where); }) terms.check_coverage(setup, cov, y, step.where);
                },
                step.component->terms);
        }
    }
}

/// Each component's label in the results (comparisons, calibration rows): the type, or
/// type@index when two components of the model share it.
void label_steps(PreparedModel& m) {
    for (auto& step : m.steps) {
        const std::string type = component_type(step.component->terms);
        std::size_t same = 0;
        for (const auto& c : m.model->components) same += type == component_type(c.terms);
        const auto index = static_cast<std::size_t>(step.component - m.model->components.data());
        step.label = same > 1 ? type + "@" + std::to_string(index) : type;
    }
}

}  // namespace

Settlement::Settlement(const std::vector<PaymentModel>& models, const SettlementSetup& setup, const DeliveryBasis& delivery,
                       const std::vector<Party>& program_cost_bearer, double trend_mean)
    : Settlement(models, std::vector<SettlementSetup>{setup}, std::vector<std::size_t>(models.size(), 0), delivery, program_cost_bearer,
                 trend_mean) {}

Settlement::Settlement(const std::vector<PaymentModel>& models, const std::vector<SettlementSetup>& setups,
                       const std::vector<std::size_t>& segment_of_model, const DeliveryBasis& delivery,
                       const std::vector<Party>& program_cost_bearer, double trend_mean)
    : setup_(setups.at(0)), setups_(setups), delivery_(delivery, setup_.categories, "delivery"), bearer_(program_cost_bearer) {
    setup_.metrics = registered_metrics();
    setup_.expected_trend = trend_mean;
    for (auto& s : setups_) {
        s.metrics = setup_.metrics;
        s.expected_trend = trend_mean;
    }
    quality_metric_ = setup_.metric(quality_score_metric.name);
    for (std::size_t mi = 0; mi < models.size(); ++mi) {
        const PaymentModel& pm = models[mi];
        const SettlementSetup& ms = setups_.at(segment_of_model.at(mi));
        PreparedModel m{&pm, {}, std::vector<CareCoverage>(static_cast<std::size_t>(setup_.years), CareCoverage(setup_.categories.size())),
                        pm.scored(), false, segment_of_model[mi]};
        for (std::size_t ci = 0; ci < pm.components.size(); ++ci) {
            const ComponentInForce& c = pm.components[ci];
            SettlementStep step;
            step.component = &c;
            step.where = index_path(index_path("payment_models", mi) + ".components", ci);
            step.prepared = std::visit([&](const auto& terms) { return PreparedComponent(terms.prepare(ms, step.where, step.needs)); }, c.terms);
            m.pays_on_performance = m.pays_on_performance || pays_on_performance(c.terms);
            mark_coverage(m, step, ms);
            step.first_reduction = shared_block(reductions_, step.needs.reductions);
            if (step.needs.benchmark && step.needs.benchmark->simulated_baseline()) {
                base_years_ = std::max(base_years_, step.needs.benchmark->base_year_weights.size());
                if (step.needs.base_truncated) {
                    MemberReduction r = step.needs.reductions[0];
                    // Base-period costs are in base-year dollars: deflate year 1's truncation point by one year of expected trend.
                    r.attachment.assign(10, r.attachment[0] / std::max(0.01, 1.0 + trend_mean));
                    step.base_reduction = shared_block(base_reductions_, {r});
                }
            }
            m.steps.push_back(std::move(step));
        }
        for (auto& cov : m.coverage) cov.finish();
        net_aggregates_of_specifics(m, ms, reductions_);
        std::stable_sort(m.steps.begin(), m.steps.end(),
                         [](const auto& a, const auto& b) { return phase(a.component->terms) < phase(b.component->terms); });
        for (auto& step : m.steps)
            if (compares(step.component->terms)) step.comparison = comparisons_++;
        check_coverage(m, ms);
        label_steps(m);
        models_.push_back(std::move(m));
    }
    for (auto& r : base_reductions_) r.attachment.resize(base_years_, r.attachment.empty() ? 0.0 : r.attachment[0]);
}

bool Settlement::needs_calibration(std::size_t m) const {
    for (const auto& step : models_[m].steps)
        if (std::visit([](const auto& p) { return requires(const CalibrationView& v) { p.calibrate(v); }; }, step.prepared)) return true;
    return false;
}

bool Settlement::needs_calibration() const {
    for (std::size_t m = 0; m < models_.size(); ++m)
        if (needs_calibration(m)) return true;
    return false;
}

void Settlement::calibrate(std::span<const ExperienceTable> tables) {
    for (auto& m : models_)
        for (auto& step : m.steps)
            std::visit(
                [&, &table = tables[m.segment]](const auto& p) {
                    if constexpr (requires(const CalibrationView& v) { p.calibrate(v); }) {
                        CalibrationView v;
                        v.trials = table.trials();
                        v.years = setup_.years;
                        v.baseline = [&table](std::uint64_t t, int y) { return table.at(t, 0, y); };
                        const std::size_t first = step.first_reduction, count = step.needs.reductions.size();
                        v.member_sums = [&table, first, count](std::uint64_t t, int y) { return table.at(t, 0, y).member_sums.subspan(first, count); };
                        step.calibration = p.calibrate(v);
                    }
                },
                step.prepared);
}

double Settlement::benchmark_pmpm(const SettlementStep& step, const SettlementSetup& setup, const PeriodInputs& in,
                                  const BenchmarkBasis& basis) const {
    const BenchmarkTerms& bt = *step.needs.benchmark;
    const PeriodExperience& e = in.experience;
    const bool by_score = bt.risk_adjustment == RiskAdjustment::risk_score;
    BenchmarkInputs b;
    b.realised_trend = in.realised_trend;
    if (bt.simulated_baseline()) {
        double base_pmpm = 0, base_risk = 0;
        const std::size_t nb = bt.base_year_weights.size();
        for (std::size_t k = 0; k < nb; ++k) {
            // The weights run oldest first; the latest base year is simulated year 0, so a
            // model's base years do not depend on how many the others ask for (run.cpp).
            const PeriodExperience be = basis.base_period->at(in.trial, 0, static_cast<int>(nb - 1 - k));
            double cost = be.allowed_in(step.needs.base_categories);
            if (step.needs.base_truncated) cost -= be.member_sums[step.base_reduction];
            base_pmpm += bt.base_year_weights[k] * cost / be.total_months();
            base_risk += bt.base_year_weights[k] * (by_score ? be.risk_months / be.total_months() : tier_mix_risk(be.member_months, basis.tier_mean));
        }
        b.simulated_base_pmpm = base_pmpm;
        b.base_risk = base_risk;
    } else {
        b.base_risk = by_score ? setup.mean_risk_score : basis.given_base_tier_risk;
    }
    b.performance_risk = by_score ? e.risk_months / e.total_months() : tier_mix_risk(e.member_months, basis.tier_mean);
    return bt.pmpm_in(in.year, step.component->term_year(in.year), b);
}

void Settlement::settle(std::size_t mi, const PeriodInputs& in, const BenchmarkBasis& basis, Ledger& ledger,
                        std::span<Comparison> comparisons) const {
    const PreparedModel& m = models_[mi];
    const PeriodExperience& e = in.experience;
    for (std::size_t c = 0; c < e.allowed.size(); ++c)
        for (Party p : care_parties) ledger.incur(p, e.allowed[c] * delivery_.share(p, c) * delivery_.cost_ratio(p, c));
    for (std::size_t k = 0; k < e.program_cost.size(); ++k) ledger.incur(bearer_[k], e.program_cost[k]);
    if (m.scored) ledger.record(quality_metric_, in.quality_score);
    for (const auto& step : m.steps) {
        if (!step.component->in_force(in.year)) continue;
        const SettlementSetup& setup = setups_[m.segment];
        const double benchmark = step.needs.benchmark ? benchmark_pmpm(step, setup, in, basis) : 0.0;
        const SettlementContext ctx{setup,
                                    e,
                                    in.year,
                                    in.intervention_arm,
                                    delivery_,
                                    m.coverage[static_cast<std::size_t>(in.year)],
                                    in.quality_score,
                                    benchmark,
                                    e.member_sums.subspan(step.first_reduction, step.needs.reductions.size()),
                                    step.calibration,
                                    step.comparison ? &comparisons[*step.comparison] : nullptr,
                                    in.realised_trend};
        std::visit([&](const auto& p) { p.settle(ctx, ledger); }, step.prepared);
    }
}

}  // namespace apmsim
