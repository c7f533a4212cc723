#pragma once
/// \file intervention.hpp
/// \brief A care program: relative changes in expected event counts by category, with
/// parameter uncertainty drawn once per trial, and program costs per member per month.

#include "apmsim/core/errors.hpp"
#include "apmsim/population/rising_risk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace apmsim {

/// Relative change in a category's expected count: effect ~ Normal(mean, sd) per trial,
/// factor max(0, 1 + effect). Bergman et al. 2020 (shared/DOMAIN.md section 1) gives
/// the default inpatient -7.7% (95% CI 1.2 to 13.5, so sd ~ 3.1%).
struct CategoryEffect {
    std::string category;
    double mean = 0.0;
    double sd = 0.0;
    std::string tier;  ///< the tier it applies to; empty: every tier
};

/// A participant's PMPM in one tier, for a program cost item that differs by tier.
struct TierPmpm {
    std::string tier;
    double pmpm = 0.0;
    bool operator==(const TierPmpm&) const = default;
};

/// A program cost item (care team, family support...), dollars per participant per month
/// of eligibility: `pmpm` in every tier, or by tier (`by_tier`: tiers not listed pay 0),
/// the participant's tier that year (with tier transitions, one it has moved into).
struct ProgramCost {
    std::string item;
    double pmpm = 0.0;
    std::vector<TierPmpm> by_tier;

    double pmpm_in(const std::string& tier) const {
        if (by_tier.empty()) return pmpm;
        for (const auto& r : by_tier)
            if (r.tier == tier) return r.pmpm;
        return 0.0;
    }
};

/// Targeting by a rule on the risk score (shared/DOMAIN.md section 5): a member of a
/// target tier is eligible when its risk score at the start (an entrant's: its tier's
/// mean) lies in [min, max].
struct RiskScoreRule {
    double min = 0.0;
    double max = std::numeric_limits<double>::infinity();
    bool admits(double score) const { return score >= min && score <= max; }
};

/// Participants enrolled in each month of a year, by tier. A caseload (shared/DOMAIN.md
/// section 9: care coordinators at 1:40 ...) counts the children carried at one time, so a
/// year's staff are set by its busiest month: with churn, a child enrolled for a month
/// fills a caseload slot for that month only, not for the year.
class MonthlyCaseload {
public:
    explicit MonthlyCaseload(std::size_t tiers = 0) : tiers_(tiers), count_(12 * tiers, 0.0) {}
    void clear() { std::fill(count_.begin(), count_.end(), 0.0); }
    /// A participant of tier `tier` enrolled in months [first, end) of the year (0 .. 12).
    void add(std::size_t tier, int first, int end) {
        for (int m = first; m < end; ++m) count_[static_cast<std::size_t>(m) * tiers_ + tier] += 1.0;
    }
    double at(int month, std::size_t tier) const { return count_[static_cast<std::size_t>(month) * tiers_ + tier]; }
    std::size_t tiers() const { return tiers_; }
    /// The most participants of the tiers for which `counted(tier)` holds enrolled in one month.
    template <class Counted>
    double peak(Counted counted) const {
        double most = 0.0;
        for (int m = 0; m < 12; ++m) {
            double n = 0.0;
            for (std::size_t t = 0; t < tiers_; ++t)
                if (counted(t)) n += at(m, t);
            most = std::max(most, n);
        }
        return most;
    }

private:
    std::size_t tiers_;
    std::vector<double> count_;  ///< [month][tier]
};

/// A program cost in steps of staff (shared/DOMAIN.md section 9): one staff member per
/// `participants_per_staff` participants of `tiers` (every tier when empty) enrolled at one
/// time, in the year's busiest month (MonthlyCaseload), rounded up, each costing
/// `annual_cost` dollars a year; a small program costs more per child.
struct StaffingCost {
    std::string item;
    std::vector<std::string> tiers;
    double participants_per_staff = 0.0;
    double annual_cost = 0.0;

    /// Staff needed for `participants` (a whole number of them).
    double staff(double participants) const { return participants > 0 ? std::ceil(participants / participants_per_staff) : 0.0; }
};

/// A one-time cost of the first program year (analytics, infrastructure), dollars.
struct StartUpCost {
    std::string item;
    double amount = 0.0;
};

/// The share of eligible members who take part: Normal(mean, sd) drawn once per trial,
/// clipped to [0, 1] (sd 0: a fixed share).
struct Uptake {
    double mean = 1.0;
    double sd = 0.0;
};

/// Who takes part and when it works (shared/DOMAIN.md sections 5 and 9): a program enrols
/// the members of its target tiers (their tier at the start), of whom a share takes part;
/// its effects apply to participants only, scaled in program year k by ramp_up[k-1] (the
/// last value continues), and its costs are paid for participants' eligible months.
struct Intervention {
    std::string name;
    std::vector<CategoryEffect> effects;
    std::vector<ProgramCost> costs;
    std::vector<std::string> target_tiers;  ///< empty: every tier
    std::optional<RiskScoreRule> target_risk_score;  ///< none: every member of a target tier
    Uptake uptake;
    std::vector<double> ramp_up;            ///< share of the effect in force by program year; empty: all of it
    std::vector<StaffingCost> staffing;
    std::vector<StartUpCost> start_up;
    /// Rising risk: the change in participants' chance of moving to a costlier tier (rising_risk.hpp)
    std::optional<UpwardTransitionChange> upward_transition_change;

    /// A participant's PMPM in `tier`, all items together.
    double total_pmpm(const std::string& tier) const {
        double s = 0.0;
        for (const auto& c : costs) s += c.pmpm_in(tier);
        return s;
    }
    /// Every program cost item, in the order of the results: PMPM items, staffing, start-up.
    std::vector<std::string> cost_items() const {
        std::vector<std::string> items;
        for (const auto& c : costs) items.push_back(c.item);
        for (const auto& c : staffing) items.push_back(c.item);
        for (const auto& c : start_up) items.push_back(c.item);
        return items;
    }
    /// Each item's cost in program year `year` (0-based), in the order of cost_items(), from
    /// the participants' eligible months by tier and their caseload month by month.
    void year_costs(int year, std::span<const double> months_by_tier, const MonthlyCaseload& caseload,
                    const std::vector<std::string>& tiers, std::span<double> out) const {
        double months = 0.0;  // whole months: exact in any order
        for (double m : months_by_tier) months += m;
        std::size_t k = 0;
        for (const auto& c : costs) {
            if (c.by_tier.empty()) {
                out[k++] = c.pmpm * months;
                continue;
            }
            double cost = 0.0;
            for (std::size_t t = 0; t < tiers.size(); ++t) cost += c.pmpm_in(tiers[t]) * months_by_tier[t];
            out[k++] = cost;
        }
        for (const auto& c : staffing) {
            const double busiest = caseload.peak(
                [&](std::size_t t) { return c.tiers.empty() || std::find(c.tiers.begin(), c.tiers.end(), tiers[t]) != c.tiers.end(); });
            out[k++] = c.staff(busiest) * c.annual_cost;
        }
        for (const auto& c : start_up) out[k++] = year == 0 ? c.amount : 0.0;
    }
    /// Every member takes part from the first day with the whole effect (the program of
    /// version 0.2): the engine draws nothing more, so its numbers are unchanged.
    bool everyone_from_the_start() const {
        bool ramped = false;
        for (double r : ramp_up) ramped = ramped || r != 1.0;
        return target_tiers.empty() && !target_risk_score && uptake.mean == 1.0 && uptake.sd == 0.0 && !ramped;
    }
    /// The share of the effect in force in program year `year` (0-based).
    double ramp(int year) const {
        if (ramp_up.empty()) return 1.0;
        return ramp_up[std::min<std::size_t>(static_cast<std::size_t>(year), ramp_up.size() - 1)];
    }
    bool targets(const std::string& tier) const {
        if (target_tiers.empty()) return true;
        for (const auto& t : target_tiers)
            if (t == tier) return true;
        return false;
    }

    /// Whether a member of tier `tier` with risk score `score` at the start is eligible.
    bool eligible(const std::string& tier, double score) const { return targets(tier) && (!target_risk_score || target_risk_score->admits(score)); }

    void validate(const std::string& where, const std::vector<std::string>& categories, const std::vector<std::string>& tiers, int years) const {
        validate_participation(where, tiers, years);
        if (name.empty()) throw InvalidInput(where + ".name", "a non-empty name", "\"\"");
        for (std::size_t i = 0; i < effects.size(); ++i) {
            const auto& e = effects[i];
            const std::string at = where + ".effects." + e.category + (e.tier.empty() ? "" : ".by_tier." + e.tier);
            for (std::size_t k = 0; k < i; ++k)
                if (effects[k].category == e.category && (effects[k].tier == e.tier || effects[k].tier.empty() || e.tier.empty()))
                    throw InvalidInput(at, "one effect per category and tier (every tier, or by tier)", "a second effect");
            if (!e.tier.empty() && std::find(tiers.begin(), tiers.end(), e.tier) == tiers.end())
                throw InvalidInput(at, "a tier of the cost model", "\"" + e.tier + "\"");
            bool known = false;
            for (const auto& c : categories) known = known || c == e.category;
            if (!known) throw InvalidInput(at, "a category of the cost model", "\"" + e.category + "\"");
            check::in_closed(at + ".mean", e.mean, -1.0, 10.0);
            check::in_closed(at + ".sd", e.sd, 0.0, 10.0);
        }
        validate_costs_by_tier(where, tiers);
        validate_staffing(where, tiers);
        for (const auto& c : start_up) check::non_negative(where + ".start_up_cost." + c.item, c.amount);
        if (upward_transition_change) upward_transition_change->validate(where + ".upward_transition_change");
        const std::vector<std::string> items = cost_items();
        const std::size_t first_staffing = costs.size(), first_start_up = costs.size() + staffing.size();
        for (std::size_t i = 0; i < items.size(); ++i) {
            const char* key = i < first_staffing ? ".program_cost_pmpm." : i < first_start_up ? ".staffing." : ".start_up_cost.";
            const std::string at = where + key + items[i];
            if (items[i].empty()) throw InvalidInput(at, "an item name", "\"\"");
            for (std::size_t k = 0; k < i; ++k)
                if (items[k] == items[i]) throw InvalidInput(at, "a program cost item no other cost has", "\"" + items[i] + "\" again");
        }
    }

private:
    void validate_costs_by_tier(const std::string& where, const std::vector<std::string>& tiers) const {
        for (const auto& c : costs) {
            const std::string at = where + ".program_cost_pmpm." + c.item;
            check::non_negative(at, c.pmpm);
            if (!c.by_tier.empty() && c.pmpm != 0.0)
                throw InvalidInput(at, "a PMPM for every tier or by tier, not both", show(c.pmpm) + " and by_tier");
            for (std::size_t i = 0; i < c.by_tier.size(); ++i) {
                const std::string tier_at = at + ".by_tier." + c.by_tier[i].tier;
                if (std::find(tiers.begin(), tiers.end(), c.by_tier[i].tier) == tiers.end())
                    throw InvalidInput(tier_at, "a tier of the cost model", "\"" + c.by_tier[i].tier + "\"");
                check::non_negative(tier_at, c.by_tier[i].pmpm);
            }
        }
    }

    void validate_staffing(const std::string& where, const std::vector<std::string>& tiers) const {
        for (const auto& c : staffing) {
            const std::string at = where + ".staffing." + c.item;
            check::positive(at + ".participants_per_staff", c.participants_per_staff);
            check::non_negative(at + ".annual_cost", c.annual_cost);
            for (std::size_t i = 0; i < c.tiers.size(); ++i) {
                const std::string tier_at = at + ".tiers[" + std::to_string(i) + "]";
                if (std::find(tiers.begin(), tiers.end(), c.tiers[i]) == tiers.end())
                    throw InvalidInput(tier_at, "a tier of the cost model", "\"" + c.tiers[i] + "\"");
                if (!targets(c.tiers[i]))  // staff for a tier with no participants would cost nothing
                    throw InvalidInput(tier_at, "a tier the program enrols (target_tiers)", "\"" + c.tiers[i] + "\"");
            }
        }
    }

    void validate_participation(const std::string& where, const std::vector<std::string>& tiers, int years) const {
        for (std::size_t i = 0; i < target_tiers.size(); ++i) {
            const std::string at = where + ".target_tiers[" + std::to_string(i) + "]";
            bool known = false;
            for (const auto& t : tiers) known = known || t == target_tiers[i];
            if (!known) throw InvalidInput(at, "a tier of the cost model", "\"" + target_tiers[i] + "\"");
            for (std::size_t k = 0; k < i; ++k)
                if (target_tiers[k] == target_tiers[i]) throw InvalidInput(at, "a tier not listed before", "\"" + target_tiers[i] + "\" again");
        }
        if (target_risk_score) {
            const std::string at = where + ".target_risk_score";
            check::in_closed(at + ".min", target_risk_score->min, 0.0, 1e6);
            if (!(target_risk_score->max >= target_risk_score->min))
                throw InvalidInput(at + ".max", "a risk score at least min (" + show(target_risk_score->min) + ")", show(target_risk_score->max));
        }
        check::in_closed(where + ".uptake.mean", uptake.mean, 0.0, 1.0);
        check::in_closed(where + ".uptake.sd", uptake.sd, 0.0, 1.0);
        if (uptake.mean == 0.0 && uptake.sd == 0.0)
            throw InvalidInput(where + ".uptake", "a share of members taking part above 0 (a program nobody joins has no effect)", "0");
        if (ramp_up.size() > static_cast<std::size_t>(years))
            throw InvalidInput(where + ".ramp_up", "at most one share per simulated year (" + std::to_string(years) + ")",
                               std::to_string(ramp_up.size()) + " values");
        for (std::size_t k = 0; k < ramp_up.size(); ++k)
            check::in_closed(where + ".ramp_up[" + std::to_string(k) + "]", ramp_up[k], 0.0, 2.0);
    }
};

}  // namespace apmsim
