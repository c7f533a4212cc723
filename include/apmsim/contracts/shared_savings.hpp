#pragma once
/// \file shared_savings.hpp
/// \brief Shared savings (one-sided) and shared risk (two-sided) against a benchmark,
/// after 42 CFR part 425 (shared/DOMAIN.md section 4):
///   expenditure X = allowed cost of the chosen categories, each member-year truncated
///   at a percentile of each year's cost or at an amount (year 1's; later years' grow
///   with the expected trend, as the percentile it stands for does and as the simulated
///   base period's is deflated); benchmark B = benchmark PMPM x member-months;
///   the categories must not be capitated to the party in a year it is in force (its
///   capitation already keeps their savings: a risk corridor shares them);
///   savings rate r = (B - X) / B.
///   r >= MSR: the payer pays rate x quality x (B - X) from the first dollar (the MSR
///   cliff), at most savings_cap x B. Quality scales the rate, or gates it (rate 0 below
///   quality_threshold, which the gate needs and nothing else takes); either needs the
///   payment model to define a quality score.
///   Two-sided, -r >= MLR: the party owes loss_rate x (X - B), at most the loss limit:
///   loss_limit_benchmark x B and/or loss_limit_revenue x the party's revenue from this
///   model that year; with both, the lesser (BASIC C-E) unless loss_limit_rule is "greater".

#include "apmsim/contracts/minimum_rate.hpp"
#include "apmsim/contracts/quality.hpp"
#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>

namespace apmsim {

enum class QualityUse { none, scale, gate };

template <bool TwoSided>
struct SharingTerms {
    static constexpr const char* type_name = TwoSided ? "shared_risk" : "shared_savings";
    static constexpr const char* class_name = TwoSided ? "SharedRisk" : "SharedSavings";
    static constexpr int phase = 2;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example =
        TwoSided ? R"({"type": "shared_risk", "benchmark": {"pmpm": 3900}, "sharing_rate": 0.5, "minimum_savings_rate": 0.02,
                      "loss_rate": 0.3, "loss_limit_benchmark": 0.02})"
                 : R"({"type": "shared_savings", "benchmark": {"baseline_pmpm": "simulated", "base_year_weights": [0.1, 0.3, 0.6],
                      "trend": "realised", "risk_adjustment": "tier_mix"}, "sharing_rate": 0.5,
                      "minimum_savings_rate": {"method": "confidence_interval"}, "savings_cap": 0.1})";

    Party party = Party::provider;
    BenchmarkTerms benchmark;
    std::vector<std::string> categories;         ///< expenditure categories; empty: all
    std::optional<double> truncation_amount;     ///< per member-year, dollars
    std::optional<double> truncation_percentile; ///< of baseline member-year cost, per year
    double sharing_rate = 0.5;
    MinimumRate minimum_savings_rate = MinimumRate::fixed_rate(0.0);
    std::optional<double> savings_cap;           ///< fraction of the benchmark
    QualityUse quality = QualityUse::none;
    std::optional<double> quality_threshold;     ///< gate only
    // Two-sided only.
    std::optional<MinimumRate> minimum_loss_rate;  ///< none: the minimum savings rate (symmetric, MSSP two-sided tracks)
    double loss_rate = 0.0;
    std::optional<double> loss_limit_benchmark;  ///< fraction of the benchmark
    std::optional<double> loss_limit_revenue;    ///< fraction of the party's revenue
    bool loss_limit_greater = false;

    void validate(const std::string& where) const {
        if (party != Party::provider && party != Party::pcp) throw InvalidInput(where + ".party", "\"provider\" or \"pcp\"", to_string(party));
        benchmark.validate(where + ".benchmark");
        if (truncation_amount && truncation_percentile)
            throw InvalidInput(where + ".truncation_amount", "either a truncation amount or a percentile", "both");
        if (truncation_amount) check::positive(where + ".truncation_amount", *truncation_amount);
        if (truncation_percentile) check::in_open(where + ".truncation_percentile", *truncation_percentile, 0.5, 1.0);
        check::probability(where + ".sharing_rate", sharing_rate);
        minimum_savings_rate.validate(where + ".minimum_savings_rate");
        if (savings_cap) check::in_closed(where + ".savings_cap", *savings_cap, 0.0, 1.0);
        if (quality == QualityUse::gate && !quality_threshold)
            throw InvalidInput(where + ".quality_threshold", "a threshold in (0, 1] for quality \"gate\"", "none");
        if (quality != QualityUse::gate && quality_threshold)
            throw InvalidInput(where + ".quality_threshold", "no threshold unless quality is \"gate\"", show(*quality_threshold));
        if (quality_threshold) check::in_half_open(where + ".quality_threshold", *quality_threshold, 0.0, 1.0);
        if (TwoSided) {
            if (minimum_loss_rate) minimum_loss_rate->validate(where + ".minimum_loss_rate");
            check::probability(where + ".loss_rate", loss_rate);
            if (loss_limit_benchmark) check::in_closed(where + ".loss_limit_benchmark", *loss_limit_benchmark, 0.0, 1.0);
            if (loss_limit_revenue) check::in_closed(where + ".loss_limit_revenue", *loss_limit_revenue, 0.0, 1.0);
        }
    }

    bool compares() const { return true; }
    bool pays_on_performance() const { return true; }
    bool uses_quality() const { return quality != QualityUse::none; }

    static constexpr std::array<MetricInfo, TwoSided ? 4 : 2> metrics = [] {
        constexpr MetricInfo savings{"shared_savings", "paid by the payer under shared savings or shared risk"};
        constexpr MetricInfo paid{"savings_paid", "every payment for savings: shared savings, shared risk, corridors on a shared basis"};
        constexpr MetricInfo losses{"shared_losses", "owed to the payer under shared risk"};
        constexpr MetricInfo owed{"losses_owed", "every charge for losses: shared risk, corridors on a shared basis"};
        if constexpr (TwoSided) return std::array<MetricInfo, 4>{savings, losses, paid, owed};
        else return std::array<MetricInfo, 2>{savings, paid};
    }();

    struct Prepared {
        const SharingTerms* terms;
        std::vector<bool> mask;  ///< [category] expenditure
        MinimumRate::Resolved msr, mlr;
        MetricId shared_savings, savings_paid, shared_losses, losses_owed;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            const SharingTerms& t = *terms;
            const double B = ctx.benchmark_pmpm * ctx.months();
            const double X = ctx.experience.allowed_in(mask) - (ctx.member_sums.empty() ? 0.0 : ctx.member_sums[0]);
            const double savings = B - X;
            const double r = B > 0 ? savings / B : 0.0;
            if (ctx.comparison) *ctx.comparison = {B, X, r};
            const double members = ctx.experience.members;
            if (savings > 0 && r >= msr(members)) {
                double q = 1.0;
                if (t.quality == QualityUse::scale) q = ctx.quality_score;
                if (t.quality == QualityUse::gate) q = meets_quality_threshold(ctx.quality_score, *t.quality_threshold) ? 1.0 : 0.0;
                double paid = t.sharing_rate * q * savings;
                if (t.savings_cap) paid = std::min(paid, *t.savings_cap * B);
                ledger.pay(shared_savings, Party::payer, t.party, paid);
                ledger.record(savings_paid, paid);
            }
            if constexpr (TwoSided) {
                if (savings < 0 && -r >= mlr(members)) {
                    double owed = t.loss_rate * -savings;
                    const double inf = std::numeric_limits<double>::infinity();
                    const double by_benchmark = t.loss_limit_benchmark ? *t.loss_limit_benchmark * B : inf;
                    const double by_revenue = t.loss_limit_revenue ? *t.loss_limit_revenue * ledger.revenue_of(t.party) : inf;
                    double limit = std::min(by_benchmark, by_revenue);
                    if (t.loss_limit_greater && t.loss_limit_benchmark && t.loss_limit_revenue) limit = std::max(by_benchmark, by_revenue);
                    owed = std::min(owed, limit);
                    ledger.pay(shared_losses, t.party, Party::payer, owed);
                    ledger.record(losses_owed, owed);
                }
            }
        }
    };

    /// Year y's truncation point for an amount stated in year-1 dollars: amount x (1 + g)^y.
    static std::vector<double> trended_amounts(double amount, const SettlementSetup& s) {
        std::vector<double> out;
        for (int y = 0; y < s.years; ++y) out.push_back(amount * std::pow(1.0 + s.expected_trend, y));
        return out;
    }
    /// None of the measured categories capitated to the party in `year` (0-based; file comment).
    void check_coverage(const SettlementSetup& s, const CareCoverage& coverage, int year, const std::string& where) const {
        const std::vector<bool> measured = s.category_mask(categories, where + ".categories");
        const std::vector<bool>& capitated = coverage.capitated_to_party(party);
        for (std::size_t c = 0; c < measured.size(); ++c)
            if (measured[c] && capitated[c])
                throw InvalidInput(where + ".categories",
                                   std::string("categories not capitated to the ") + to_string(party) + " in year " + std::to_string(year + 1) +
                                       " (its capitation already keeps their savings; a risk_corridor shares them)",
                                   "\"" + s.categories[c] + "\", capitated to the " + to_string(party));
    }

    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds& n) const {
        n.benchmark = &benchmark;
        n.base_categories = s.category_mask(categories, where + ".categories");
        if (truncation_amount || truncation_percentile) {
            MemberReduction r;
            r.categories = n.base_categories;
            r.attachment = truncation_amount ? trended_amounts(*truncation_amount, s) : s.member_cost_percentile(*truncation_percentile);
            n.reductions.push_back(r);
            n.base_truncated = true;
        }
        Prepared p{this, n.base_categories, {}, {}, s.metric("shared_savings"), s.metric("savings_paid"), {}, {}};
        // A confidence-interval rate's cv is that of what the contract measures: its
        // categories' cost (truncated costs keep their categories' whole cv, which overstates it).
        double cv = s.member_cost_cv, cv_within = s.member_cost_cv_within_tier;
        const bool some_categories = std::find(n.base_categories.begin(), n.base_categories.end(), false) != n.base_categories.end();
        if (some_categories && s.measured_cost_cvs) std::tie(cv, cv_within) = s.measured_cost_cvs(n.base_categories);
        // The MSSP table covers pools of 5,000 or more: a smaller year-1 pool is an error.
        p.msr = minimum_savings_rate.resolve(s.pool_members, cv_within, cv, where + ".minimum_savings_rate");
        if constexpr (TwoSided) {
            const std::string at = where + (minimum_loss_rate ? ".minimum_loss_rate" : ".minimum_savings_rate");
            p.mlr = minimum_loss_rate.value_or(minimum_savings_rate).resolve(s.pool_members, cv_within, cv, at);
            p.shared_losses = s.metric("shared_losses");
            p.losses_owed = s.metric("losses_owed");
        }
        return p;
    }

    static SharingTerms from_json(JsonObject& o) {
        SharingTerms t;
        t.party = care_party_from_string(o.path("party"), o.string("party", "provider"));
        t.benchmark = BenchmarkTerms::from_json(o.at("benchmark"), o.path("benchmark"));
        if (o.has("categories")) t.categories = names_from_json(o.at("categories"), o.path("categories"));
        if (o.has("truncation_amount")) t.truncation_amount = o.number("truncation_amount");
        if (o.has("truncation_percentile")) t.truncation_percentile = o.number("truncation_percentile");
        t.sharing_rate = o.number("sharing_rate");
        if (o.has("minimum_savings_rate"))
            t.minimum_savings_rate = MinimumRate::from_json(o.at("minimum_savings_rate"), o.path("minimum_savings_rate"));
        if (o.has("savings_cap")) t.savings_cap = o.number("savings_cap");
        const std::string q = o.string("quality", "none");
        if (q == "scale") t.quality = QualityUse::scale;
        else if (q == "gate") t.quality = QualityUse::gate;
        else if (q != "none") throw InvalidInput(o.path("quality"), "\"none\", \"scale\" or \"gate\"", "\"" + q + "\"");
        if (o.has("quality_threshold")) t.quality_threshold = o.number("quality_threshold");
        if constexpr (TwoSided) {
            if (o.has("minimum_loss_rate")) t.minimum_loss_rate = MinimumRate::from_json(o.at("minimum_loss_rate"), o.path("minimum_loss_rate"));
            t.loss_rate = o.number("loss_rate");
            if (o.has("loss_limit_benchmark")) t.loss_limit_benchmark = o.number("loss_limit_benchmark");
            if (o.has("loss_limit_revenue")) t.loss_limit_revenue = o.number("loss_limit_revenue");
            const std::string rule = o.string("loss_limit_rule", "lesser");
            if (rule != "lesser" && rule != "greater")
                throw InvalidInput(o.path("loss_limit_rule"), "\"lesser\" or \"greater\"", "\"" + rule + "\"");
            t.loss_limit_greater = rule == "greater";
        } else {
            for (const char* k : {"minimum_loss_rate", "loss_rate", "loss_limit_benchmark", "loss_limit_revenue", "loss_limit_rule"})
                if (o.has(k))
                    throw InvalidInput(o.path(k), "no loss terms in one-sided shared_savings (use \"shared_risk\")",
                                       describe(o.at(k)));
        }
        return t;
    }
    void to_json(Json& j) const {
        j["party"] = to_string(party);
        j["benchmark"] = benchmark.to_json();
        j["categories"] = names_to_json(categories);
        if (truncation_amount) j["truncation_amount"] = *truncation_amount;
        if (truncation_percentile) j["truncation_percentile"] = *truncation_percentile;
        j["sharing_rate"] = sharing_rate;
        j["minimum_savings_rate"] = minimum_savings_rate.to_json();
        if (savings_cap) j["savings_cap"] = *savings_cap;
        j["quality"] = quality == QualityUse::none ? "none" : quality == QualityUse::scale ? "scale" : "gate";
        if (quality_threshold) j["quality_threshold"] = *quality_threshold;
        if constexpr (TwoSided) {
            if (minimum_loss_rate) j["minimum_loss_rate"] = minimum_loss_rate->to_json();
            j["loss_rate"] = loss_rate;
            if (loss_limit_benchmark) j["loss_limit_benchmark"] = *loss_limit_benchmark;
            if (loss_limit_revenue) j["loss_limit_revenue"] = *loss_limit_revenue;
            j["loss_limit_rule"] = loss_limit_greater ? "greater" : "lesser";
        }
    }
    static std::vector<std::string> keys() {
        std::vector<std::string> k = {"party", "benchmark", "categories", "truncation_amount", "truncation_percentile",
                                      "sharing_rate", "minimum_savings_rate", "savings_cap", "quality", "quality_threshold"};
        if (TwoSided) k.insert(k.end(), {"minimum_loss_rate", "loss_rate", "loss_limit_benchmark", "loss_limit_revenue", "loss_limit_rule"});
        return k;
    }
    bool operator==(const SharingTerms&) const = default;
};

using SharedSavings = SharingTerms<false>;
using SharedRisk = SharingTerms<true>;

}  // namespace apmsim
