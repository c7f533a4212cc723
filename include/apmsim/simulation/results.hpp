#pragma once
/// \file results.hpp
/// \brief Per-trial outputs of a simulation, stored once per trial (not per member),
/// with named access to samples (their summary: outputs/simulation_summary.hpp).
///
/// Arms: "baseline" (no intervention) and, when the scenario has an intervention,
/// "intervention" simulated on the same random numbers (common random numbers).

#include "apmsim/core/errors.hpp"
#include "apmsim/simulation/options.hpp"

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

using SampleMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ArmResults {
    std::string name;
    std::vector<double> cost;          ///< [trial][year][tier][category] allowed cost
    std::vector<double> events;        ///< [trial][year][tier][category] event counts
    std::vector<double> member_months; ///< [trial][year][tier]
    std::vector<double> members;       ///< [trial][year][tier] members with any eligibility
    std::vector<double> member_cost_sumsq;  ///< [trial][year][tier] sum of squared member-year costs
    std::vector<double> program_cost;  ///< [trial][year][program cost item]
    std::vector<double> participant_months;  ///< [trial][year][tier] eligible months of the program's participants (intervention arm)
};

class SimulationResults {
public:
    std::uint64_t trials = 0;
    std::uint64_t trial_begin = 0;  ///< the first trial's number (a part of a larger run: simulation/trial_ranges.hpp)
    std::uint64_t seed = 0;
    SimulationMode mode = SimulationMode::exact;  ///< how the costs were drawn (options.hpp)
    int years = 0;
    std::vector<std::string> tiers, categories, program_cost_items;
    std::vector<ArmResults> arms;
    std::vector<double> trend;            ///< [trial] the trial's annual trend draw
    std::vector<double> effect_factors;   ///< [trial][category] intervention count multipliers (NaN for an effect by tier)
    std::vector<double> tier_effect_factors;  ///< [trial][tier][category] intervention count multipliers
    /// [trial] the factor on participants' chances of moving to a costlier tier (rising risk; empty without one)
    std::vector<double> upward_transition_factors;
    /// Member slots: the population's members, then, with churn, the slots kept for entrants
    /// (most stay empty); the last dimension of member_costs.
    std::size_t member_count = 0;
    std::size_t members_at_start = 0;  ///< the population's members (what summaries call "members")
    std::vector<double> member_costs;     ///< [arm][trial][year][member] when member_detail

    /// Names of what `samples` returns.
    static const std::vector<std::string>& measures() {
        static const std::vector<std::string> m = {"total_cost", "events", "member_months", "members", "cost_pmpm",
                                                   "program_cost", "net_cost", "savings", "net_savings"};
        return m;
    }

    std::size_t arm_index(const std::string& arm) const {
        for (std::size_t i = 0; i < arms.size(); ++i)
            if (arms[i].name == arm) return i;
        std::string names;
        for (const auto& a : arms) names += (names.empty() ? "" : ", ") + a.name;
        throw InvalidInput("arm", "one of: " + names, "\"" + arm + "\"");
    }
    bool has_intervention() const { return arms.size() > 1; }

    /// trials x years of the eligible months of the program's participants (by initial
    /// tier at the start of each year; `tier` empty: all), the months its costs are paid for.
    SampleMatrix participant_months(const std::string& tier = "") const {
        require_intervention("participant_months");
        return tier_sum(arms[1].participant_months, lookup("tier", tiers, tier));
    }

    /// A trials x years matrix of `measure` for `arm`, summed over the tiers and
    /// categories that match (empty = all). `item` selects a program cost item.
    /// savings = baseline total_cost - intervention total_cost (same random numbers);
    /// net_savings = savings - intervention program_cost; both ignore `arm`.
    SampleMatrix samples(const std::string& measure = "total_cost", const std::string& arm = "baseline",
                         const std::string& category = "", const std::string& tier = "",
                         const std::string& item = "") const {
        const int cat = lookup("category", categories, category);
        const int tr = lookup("tier", tiers, tier);
        const int comp = lookup("item", program_cost_items, item);
        if (measure == "savings" || measure == "net_savings") {
            require_intervention(measure);
            SampleMatrix s = cell_sum(arms[0].cost, cat, tr) - cell_sum(arms[1].cost, cat, tr);
            if (measure == "net_savings") s -= program(arms[1], comp);
            return s;
        }
        const ArmResults& a = arms[arm_index(arm)];
        if (measure == "total_cost") return cell_sum(a.cost, cat, tr);
        if (measure == "events") return cell_sum(a.events, cat, tr);
        if (measure == "member_months") return tier_sum(a.member_months, tr);
        if (measure == "members") return tier_sum(a.members, tr);
        if (measure == "cost_pmpm") return cell_sum(a.cost, cat, tr).cwiseQuotient(tier_sum(a.member_months, tr));
        if (measure == "program_cost") return program(a, comp);
        if (measure == "net_cost") return cell_sum(a.cost, cat, tr) + program(a, comp);
        std::string names;
        for (const auto& m : measures()) names += (names.empty() ? "" : ", ") + m;
        throw InvalidInput("measure", "one of: " + names, "\"" + measure + "\"");
    }

    /// Member-level coefficient of variation of annual cost for a tier ("" = all) and
    /// year, pooled over trials: sqrt(E[X^2] - E[X]^2) / E[X] from the stored sums.
    double member_level_cv(const std::string& arm, int year, const std::string& tier = "") const {
        const ArmResults& a = arms[arm_index(arm)];
        const int tr = lookup("tier", tiers, tier);
        check_year(year);
        double n = 0, s = 0, s2 = 0;
        for (std::uint64_t t = 0; t < trials; ++t)
            for (std::size_t k = 0; k < tiers.size(); ++k) {
                if (tr >= 0 && static_cast<std::size_t>(tr) != k) continue;
                const std::size_t i = (t * years + (year - 1)) * tiers.size() + k;
                n += a.members[i];
                s2 += a.member_cost_sumsq[i];
                for (std::size_t c = 0; c < categories.size(); ++c) s += a.cost[i * categories.size() + c];
            }
        const double m = s / n;
        return std::sqrt(s2 / n - m * m) / m;
    }

    /// Within-tier member-level cv of annual cost for a year: sqrt(the mean over members of
    /// the variance within their tier) / overall mean, pooled over trials. For a pool whose
    /// tier mix is fixed, the sd of the pool's mean cost is about this / sqrt(members)
    /// (member_level_cv includes the variance between tiers and overstates that noise).
    double within_tier_cv(const std::string& arm, int year) const {
        const ArmResults& a = arms[arm_index(arm)];
        check_year(year);
        double n_all = 0, s_all = 0, within = 0;
        for (std::size_t k = 0; k < tiers.size(); ++k) {
            double n = 0, s = 0, s2 = 0;
            for (std::uint64_t t = 0; t < trials; ++t) {
                const std::size_t i = (t * years + (year - 1)) * tiers.size() + k;
                n += a.members[i];
                s2 += a.member_cost_sumsq[i];
                for (std::size_t c = 0; c < categories.size(); ++c) s += a.cost[i * categories.size() + c];
            }
            if (n > 0) within += s2 - s * s / n;
            n_all += n;
            s_all += s;
        }
        return std::sqrt(within / n_all) / (s_all / n_all);
    }

    std::size_t cell_index(std::uint64_t trial, int year, std::size_t tier, std::size_t category) const {
        return ((trial * years + year) * tiers.size() + tier) * categories.size() + category;
    }

private:
    static int lookup(const char* what, const std::vector<std::string>& names, const std::string& name) {
        if (name.empty()) return -1;
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return static_cast<int>(i);
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        throw InvalidInput(what, "one of: " + all, "\"" + name + "\"");
    }
    void check_year(int year) const {
        if (year < 1 || year > years) throw InvalidInput("year", "1 to " + std::to_string(years), std::to_string(year));
    }
    void require_intervention(const std::string& measure) const {
        if (!has_intervention())
            throw InvalidInput("measure", "a scenario with an intervention for \"" + measure + "\"", "no intervention");
    }
    SampleMatrix cell_sum(const std::vector<double>& v, int cat, int tier) const {
        SampleMatrix out = SampleMatrix::Zero(static_cast<Eigen::Index>(trials), years);
        for (std::uint64_t t = 0; t < trials; ++t)
            for (int y = 0; y < years; ++y)
                for (std::size_t k = 0; k < tiers.size(); ++k) {
                    if (tier >= 0 && static_cast<std::size_t>(tier) != k) continue;
                    for (std::size_t c = 0; c < categories.size(); ++c)
                        if (cat < 0 || static_cast<std::size_t>(cat) == c) out(t, y) += v[cell_index(t, y, k, c)];
                }
        return out;
    }
    SampleMatrix tier_sum(const std::vector<double>& v, int tier) const {
        SampleMatrix out = SampleMatrix::Zero(static_cast<Eigen::Index>(trials), years);
        for (std::uint64_t t = 0; t < trials; ++t)
            for (int y = 0; y < years; ++y)
                for (std::size_t k = 0; k < tiers.size(); ++k)
                    if (tier < 0 || static_cast<std::size_t>(tier) == k) out(t, y) += v[(t * years + y) * tiers.size() + k];
        return out;
    }
    SampleMatrix program(const ArmResults& a, int comp) const {
        SampleMatrix out = SampleMatrix::Zero(static_cast<Eigen::Index>(trials), years);
        for (std::uint64_t t = 0; t < trials; ++t)
            for (int y = 0; y < years; ++y)
                for (std::size_t k = 0; k < program_cost_items.size(); ++k)
                    if (comp < 0 || static_cast<std::size_t>(comp) == k)
                        out(t, y) += a.program_cost[(t * years + y) * program_cost_items.size() + k];
        return out;
    }
};

}  // namespace apmsim
