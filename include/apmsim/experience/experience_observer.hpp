#pragma once
/// \file experience_observer.hpp
/// \brief Fills an ExperienceTable from the engine's member-level view of each trial.

#include "apmsim/experience/experience.hpp"
#include "apmsim/population/model.hpp"
#include "apmsim/simulation/trial_observer.hpp"

namespace apmsim {

/// Writes only the rows of the trial it is shown (safe from any worker thread).
class ExperienceObserver final : public TrialObserver {
public:
    ExperienceObserver(const Model& s, std::vector<MemberReduction> reductions, ExperienceTable& out)
        : model_(s), reductions_(std::move(reductions)), out_(out) {}

    void observe(const TrialView& v) override {
        const std::size_t C = v.categories, T = out_.tiers(), K = out_.components();
        std::vector<double> months_by_tier(T), heads_by_tier(T);  // participants' (observers run on many threads: local)
        for (std::size_t a = 0; a < v.arm_categories.size(); ++a) {
            const auto costs = v.arm_categories[a];
            const auto tier = v.arm_tiers[a];
            for (int y = 0; y < v.years; ++y) {
                auto r = out_.row(v.trial, a, y);
                std::fill(r.begin(), r.end(), 0.0);
                std::fill(months_by_tier.begin(), months_by_tier.end(), 0.0);
                std::fill(heads_by_tier.begin(), heads_by_tier.end(), 0.0);
                for (std::size_t i = 0; i < v.members; ++i) {
                    const std::size_t my = i * v.years + y;
                    const double months = v.months[my];
                    if (months == 0) continue;
                    if (!v.participant.empty() && v.participant[i] != 0) {
                        months_by_tier[tier[my]] += months;
                        heads_by_tier[tier[my]] += 1.0;
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
                if (a == 1 && model_.intervention)  // program costs: the intervention arm only
                    model_.intervention->year_costs(y, months_by_tier, heads_by_tier, model_.cost_model.tiers, r.subspan(C + T + 2, K));
            }
        }
    }

private:
    const Model& model_;
    std::vector<MemberReduction> reductions_;
    ExperienceTable& out_;
};

}  // namespace apmsim
