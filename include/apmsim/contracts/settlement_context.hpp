#pragma once
/// \file settlement_context.hpp
/// \brief What a contract component sees: when it is prepared (SettlementSetup: the
/// scenario's names and pool facts; it answers with its ComponentNeeds and a prepared
/// settlement whose names are resolved to indices and masks), when it calibrates
/// expectations on the base case (CalibrationView), and when it settles one trial, arm
/// and year (SettlementContext). Preparation may throw (errors name the JSON path);
/// settling neither throws nor allocates.

#include "apmsim/contracts/benchmark.hpp"
#include "apmsim/contracts/delivery.hpp"
#include "apmsim/contracts/ledger.hpp"
#include "apmsim/contracts/named_values.hpp"
#include "apmsim/experience/experience.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace apmsim {

struct SettlementSetup {
    std::vector<std::string> categories, tiers;
    int years = 0;
    double pool_members = 0;     ///< members eligible in year 1
    double mean_risk_score = 1;  ///< exposure-weighted mean risk score, year 1
    double member_cost_cv = 0;   ///< analytic member-level cv of annual cost (tier mix of year 1), between tiers included
    /// sqrt(mean within-tier variance) / mean: the cv that governs the noise of the mean of
    /// a pool whose tier mix is fixed (sd of the pool mean = this / sqrt(n))
    double member_cost_cv_within_tier = 0;
    /// The same two cvs (total, within tier) of a member's annual cost of `categories`
    /// only; not set: those of the whole cost.
    std::function<std::pair<double, double>(const std::vector<bool>& categories)> measured_cost_cvs;
    /// The cost model's expected annual trend: dollar terms stated for year 1 that stand
    /// for a quantity of each year's cost (truncation amounts) grow with it.
    double expected_trend = 0;
    /// Per-year p-quantile of baseline member-year allowed cost (from the calibration
    /// sample); used for truncation at a percentile.
    std::function<std::vector<double>(double p)> member_cost_percentile;
    /// Every registered metric, in order (contracts/component.hpp: registered_metrics()).
    std::span<const MetricInfo> metrics;
    /// [tier] the tiers of the population segment the model covers (empty: every tier).
    std::vector<bool> tiers_in;

    /// A value per tier of the cost model from terms by tier: every tier's, or for a model on
    /// a segment its tiers' (the others get 0, and naming one is an error: it could have no
    /// effect). Errors are located at `where`.
    std::vector<double> tier_values(const NamedValues& values, const std::string& where) const {
        if (tiers_in.empty()) return values.resolve(tiers, where, "tier");
        std::vector<std::string> covered;
        for (std::size_t t = 0; t < tiers.size(); ++t)
            if (tiers_in[t]) covered.push_back(tiers[t]);
        for (const auto& [name, v] : values.by_name)
            if (std::find(covered.begin(), covered.end(), name) == covered.end() && std::find(tiers.begin(), tiers.end(), name) != tiers.end())
                throw InvalidInput(join_path(where, name), "a tier of the model's segment (" + join(covered) + ")", "\"" + name + "\"");
        const std::vector<double> in_segment = values.resolve(covered, where, "tier");
        std::vector<double> out(tiers.size(), 0.0);
        for (std::size_t t = 0, k = 0; t < tiers.size(); ++t)
            if (tiers_in[t]) out[t] = in_segment[k++];
        return out;
    }

    /// Selected categories as a mask; an empty list selects every category.
    std::vector<bool> category_mask(const std::vector<std::string>& names, const std::string& where) const {
        if (names.empty()) return std::vector<bool>(categories.size(), true);
        std::vector<bool> mask(categories.size(), false);
        for (std::size_t i = 0; i < names.size(); ++i) {
            bool found = false;
            for (std::size_t c = 0; c < categories.size(); ++c)
                if (categories[c] == names[i]) found = mask[c] = true;
            if (!found) throw InvalidInput(index_path(where, i), "a category of the cost model (" + join(categories) + ")", "\"" + names[i] + "\"");
        }
        return mask;
    }
    /// The names of the categories in `mask`, comma-separated ("none" when it is empty).
    std::string categories_in(const std::vector<bool>& mask) const {
        std::vector<std::string> in;
        for (std::size_t c = 0; c < mask.size() && c < categories.size(); ++c)
            if (mask[c]) in.push_back(categories[c]);
        return in.empty() ? "none" : join(in);
    }
    /// A registered metric by name (a programming error when it is not registered).
    MetricId metric(std::string_view name) const {
        for (std::size_t k = 0; k < metrics.size(); ++k)
            if (metrics[k].name == name) return {k};
        throw ComputationError("metric \"" + std::string(name) + "\" is not registered (contracts/component.hpp)");
    }

private:
    static std::string join(const std::vector<std::string>& names) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        return all;
    }
};

/// What a component needs from the driver.
struct ComponentNeeds {
    std::vector<MemberReduction> reductions;      ///< member-level sums, handed back in this order
    const BenchmarkTerms* benchmark = nullptr;    ///< price this benchmark each trial and year
    /// Expenditure categories and truncation of the benchmark's simulated base period
    /// (the first reduction when truncating).
    std::vector<bool> base_categories;
    bool base_truncated = false;
};

/// The base case (baseline arm: no program) of every trial of the calibration sample,
/// for expectations that a contract fixes before the year starts (stop-loss premiums and
/// attachments).
struct CalibrationView {
    std::uint64_t trials = 0;
    int years = 0;
    std::function<PeriodExperience(std::uint64_t trial, int year)> baseline;
    std::function<std::span<const double>(std::uint64_t trial, int year)> member_sums;  ///< this component's
};

/// Who pays for each category's care in one year of a payment model, resolved before the
/// first trial from the components in force that year.
struct CareCoverage {
    static constexpr std::uint8_t nobody = 0xFF;
    std::vector<std::uint8_t> capitated_to;  ///< [category] party index of the capitation that covers it, or nobody
    std::vector<std::uint8_t> listed_by_ffs; ///< [category] 1 when a fee-for-service lists it
    /// [party][category] capitated to that party (derived by finish())
    std::array<std::vector<bool>, party_count> capitated_by_party;
    std::vector<bool> residual_mask;  ///< [category] covered by nothing but a residual fee-for-service
    /// [party][category] covered by a stop-loss that insures that party
    std::array<std::vector<bool>, party_count> insured_by_party;

    explicit CareCoverage(std::size_t categories = 0) : capitated_to(categories, nobody), listed_by_ffs(categories, 0) {
        for (auto& insured : insured_by_party) insured.assign(categories, false);
        finish();
    }
    bool capitated(std::size_t c) const { return capitated_to[c] != nobody; }
    /// Paid by a fee-for-service that lists no categories: covered by nothing else.
    bool residual(std::size_t c) const { return !capitated(c) && !listed_by_ffs[c]; }
    /// The categories capitated to `p`.
    const std::vector<bool>& capitated_to_party(Party p) const { return capitated_by_party[static_cast<std::size_t>(p)]; }
    /// The categories a stop-loss insuring `p` covers.
    const std::vector<bool>& insured_for_party(Party p) const { return insured_by_party[static_cast<std::size_t>(p)]; }
    /// Derives the masks once the capitations and listings are marked.
    void finish() {
        for (std::size_t p = 0; p < party_count; ++p) {
            capitated_by_party[p].assign(capitated_to.size(), false);
            for (std::size_t c = 0; c < capitated_to.size(); ++c) capitated_by_party[p][c] = capitated_to[c] == p;
        }
        residual_mask.assign(capitated_to.size(), false);
        for (std::size_t c = 0; c < capitated_to.size(); ++c) residual_mask[c] = residual(c);
    }
};

struct SettlementContext {
    const SettlementSetup& setup;
    const PeriodExperience& experience;
    int year = 0;  ///< 0-based
    bool intervention_arm = false;
    const ResolvedDelivery& delivery;
    const CareCoverage& coverage;      ///< who pays for each category's care this year
    double quality_score = 1.0;
    double benchmark_pmpm = 0.0;       ///< when the component asked for a benchmark
    std::span<const double> member_sums;  ///< the component's reductions
    std::span<const double> calibration;  ///< what its calibrate() returned
    Comparison* comparison = nullptr;     ///< where a comparing component states its comparison
    double realised_trend = 0.0;          ///< the trial's cost trend draw

    double months() const { return experience.total_months(); }
};

/// Pays each care party its share of a category's allowed cost at a fee multiplier,
/// from `payer` (the payer under fee-for-service, the capitated party under capitation);
/// with `flow`, each party is credited what it received as that flow. Returns the total paid.
inline double pay_for_care(const SettlementContext& ctx, Ledger& ledger, Party payer, std::size_t category, double fee,
                           std::optional<MetricId> flow = std::nullopt) {
    double paid = 0.0;
    for (Party p : care_parties) {
        const double amount = fee * ctx.delivery.share(p, category) * ctx.experience.allowed[category];
        if (p != payer) {
            ledger.transfer(payer, p, amount);
            if (flow) ledger.credit(*flow, p, amount);
            paid += amount;
        }
    }
    return paid;
}

}  // namespace apmsim
