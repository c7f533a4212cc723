#pragma once
/// \file experience_observer.hpp
/// \brief Fills an ExperienceTable from the engine's member-level view of each trial.

#include "apmsim/experience/experience.hpp"
#include "apmsim/population/model.hpp"
#include "apmsim/simulation/trial_observer.hpp"

namespace apmsim {

/// Writes only the rows of the trial it is shown (safe from any worker thread). With a
/// segment's tiers (`tiers_in`, population/segments.hpp) it sees only the members in those
/// tiers that year, and the program's costs only when the segment holds its target tiers.
class ExperienceObserver final : public TrialObserver {
public:
    ExperienceObserver(const Model& s, std::vector<MemberReduction> reductions, ExperienceTable& out, std::vector<bool> tiers_in = {})
        : model_(s), reductions_(std::move(reductions)), out_(out), tiers_in_(std::move(tiers_in)) {
        if (tiers_in_.empty()) tiers_in_.assign(s.cost_model.tier_count(), true);
        program_costs_ = false;
        for (std::size_t t = 0; t < tiers_in_.size(); ++t)
            program_costs_ = program_costs_ || (tiers_in_[t] && s.intervention && s.intervention->targets(s.cost_model.tiers[t]));
    }

    void observe(const TrialView& v) override {
        const std::size_t C = v.categories, T = out_.tiers(), K = out_.components();
        std::vector<double> months_by_tier(T);  // participants' (observers run on many threads: local)
        MonthlyCaseload caseload(T);
        for (std::size_t a = 0; a < v.arm_categories.size(); ++a) {
            const auto costs = v.arm_categories[a];
            const auto tier = v.arm_tiers[a];
            for (int y = 0; y < v.years; ++y) {
                auto r = out_.row(v.trial, a, y);
                std::fill(r.begin(), r.end(), 0.0);
                std::fill(months_by_tier.begin(), months_by_tier.end(), 0.0);
                caseload.clear();
                for (std::size_t i = 0; i < v.members; ++i) {
                    const std::size_t my = i * v.years + y;
                    const double months = v.months[my];
                    if (months == 0 || !tiers_in_[tier[my]]) continue;
                    if (!v.participant.empty() && v.participant[i] != 0) {
                        months_by_tier[tier[my]] += months;
                        caseload.add(tier[my], v.first_month(my), v.first_month(my) + v.months[my]);
                    }
                    r[C + tier[my]] += months;
                    r[C + T] += 1.0;
                    r[C + T + 1] += v.risk_score[i] * months;
                    const double* member = costs.data() + my * C;
                    for (std::size_t c = 0; c < C; ++c) r[c] += member[c];
                    for (std::size_t k = 0; k < reductions_.size(); ++k) {
                        const MemberReduction& red = reductions_[k];
                        double cost = 0.0;
                        for (std::size_t c = 0; c < C; ++c) cost += red.categories[c] ? member[c] : 0.0;
                        r[C + T + 2 + K + k] += red.apply(cost, y);
                    }
                }
                if (a == 1 && program_costs_)  // program costs: the intervention arm only
                    model_.intervention->year_costs(y, months_by_tier, caseload, model_.cost_model.tiers, r.subspan(C + T + 2, K));
            }
        }
    }

private:
    const Model& model_;
    std::vector<MemberReduction> reductions_;
    ExperienceTable& out_;
    std::vector<bool> tiers_in_;  ///< [tier] members counted
    bool program_costs_ = false;  ///< the program enrols some of these tiers
};

}  // namespace apmsim
