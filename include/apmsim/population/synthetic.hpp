#pragma once
/// \file synthetic.hpp
/// \brief A synthetic population: members split across tiers by a mix, in tier order.

#include "apmsim/population/population.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace apmsim {

/// `members` children split across tiers by `tier_mix` (largest remainders, so the
/// counts add up to `members`), tier 0 first, 12 months in each of `years` years.
/// Age bands cycle 0-4, 5-11, 12-17, 18-20; sex alternates F, M. The risk score of a
/// member is `tier_risk_scores[tier]` (e.g. tier mean cost / overall mean cost).
inline Population synthetic_population(std::size_t members, const std::vector<double>& tier_mix, int years,
                                       const std::vector<double>& tier_risk_scores,
                                       const std::string& where = "population.generate") {
    if (members == 0 || members > 100'000'000)
        throw InvalidInput(where + ".members", "1 to 100,000,000 members", std::to_string(members));
    if (tier_mix.empty()) throw InvalidInput(where + ".tier_mix", "one share per tier", "none");
    if (tier_risk_scores.size() != tier_mix.size())
        throw InvalidInput(where + ".tier_mix", std::to_string(tier_risk_scores.size()) + " shares (one per tier)",
                           std::to_string(tier_mix.size()));
    double total = 0.0;
    for (std::size_t t = 0; t < tier_mix.size(); ++t) {
        check::non_negative(where + ".tier_mix[" + std::to_string(t) + "]", tier_mix[t]);
        total += tier_mix[t];
    }
    if (std::fabs(total - 1.0) > 1e-9) throw InvalidInput(where + ".tier_mix", "shares summing to 1", "a sum of " + show(total));

    std::vector<std::size_t> count(tier_mix.size());
    std::vector<double> remainder(tier_mix.size());
    std::size_t assigned = 0;
    for (std::size_t t = 0; t < tier_mix.size(); ++t) {
        const double exact = tier_mix[t] * static_cast<double>(members);
        count[t] = static_cast<std::size_t>(std::floor(exact));
        remainder[t] = exact - std::floor(exact);
        assigned += count[t];
    }
    while (assigned < members) {  // hand the rest to the largest remainders, first tier first on ties
        std::size_t best = 0;
        for (std::size_t t = 1; t < remainder.size(); ++t)
            if (remainder[t] > remainder[best]) best = t;
        ++count[best];
        remainder[best] = -1.0;
        ++assigned;
    }

    static const char* const bands[] = {"0-4", "5-11", "12-17", "18-20"};
    Population pop;
    pop.years = years;
    pop.id.reserve(members);
    for (std::size_t t = 0; t < count.size(); ++t)
        for (std::size_t k = 0; k < count[t]; ++k) {
            const std::size_t i = pop.id.size();
            pop.id.push_back(static_cast<std::int64_t>(i + 1));
            pop.tier.push_back(static_cast<std::uint16_t>(t));
            pop.age_band.emplace_back(bands[i % 4]);
            pop.sex.emplace_back(i % 2 == 0 ? "F" : "M");
            pop.risk_score.push_back(tier_risk_scores[t]);
        }
    pop.months.assign(members * static_cast<std::size_t>(years), 12);
    return pop;
}

}  // namespace apmsim
