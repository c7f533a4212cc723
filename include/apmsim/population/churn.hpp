#pragma once
/// \file churn.hpp
/// \brief Enrolment churn: members leave Medicaid month by month and new members join to
/// keep the program's expected size (issue 12; shared/DOMAIN.md section 9).
///
/// A member in tier t (its tier without the program: the program does not change
/// eligibility) who is enrolled in a month leaves at its end with probability q_t. New
/// members join at the start of months 2, 3, ... of the horizon: in each month a
/// Poisson(n_t q_t) number of tier t, where n_t is the number of members of tier t at the
/// start, so the expected exits of every tier are replaced and, without tier transitions,
/// each tier's expected size stays n_t in every month:
///   E[S(m + 1)] = (1 - q) E[S(m)] + n q = n   when E[S(m)] = n.
/// The pool at month m is then Binomial(n, (1 - q)^m) starters plus an independent
/// Poisson(n q sum_{j=1..m} (1 - q)^(m - j)) entrants still there (Poisson thinning).
///
/// The engine draws the horizon's entrants at once: their number K ~ Poisson(Lambda
/// (12 Y - 1)), Lambda = sum_t n_t q_t, and each one's month of entry (uniform over months
/// 2 .. 12 Y) and tier (tier t with probability n_t q_t / Lambda), which is the same
/// process. They occupy member slots after the population's; a run keeps
/// `entrant_slots()` of them, so many that K exceeds it with probability below 1e-15.

#include "apmsim/core/errors.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

struct Churn {
    std::vector<double> monthly_exit;  ///< [tier] probability of leaving at the end of an enrolled month
    bool by_tier = false;              ///< written back by tier (else one number for every tier)

    void validate(const std::string& where, const std::vector<std::string>& tiers) const {
        if (monthly_exit.size() != tiers.size())
            throw InvalidInput(where + ".monthly_exit", std::to_string(tiers.size()) + " values (one per tier)",
                               std::to_string(monthly_exit.size()) + " values");
        bool any = false;
        for (std::size_t t = 0; t < tiers.size(); ++t) {
            const std::string at = where + ".monthly_exit" + (by_tier ? "." + tiers[t] : "");
            if (!(monthly_exit[t] >= 0.0 && monthly_exit[t] < 1.0))
                throw InvalidInput(at, "a monthly probability from 0 to below 1", show(monthly_exit[t]));
            any = any || monthly_exit[t] > 0.0;
        }
        if (!any) throw InvalidInput(where + ".monthly_exit", "a probability above 0 for some tier (churn nobody has has no effect)", "0 for every tier");
    }

    /// Expected entrants a month by tier, n_t q_t, from the members' first tiers.
    std::vector<double> monthly_entrants(const std::vector<std::uint16_t>& first_tier) const {
        std::vector<double> rate(monthly_exit.size(), 0.0);
        for (std::uint16_t t : first_tier) rate[t] += monthly_exit[t];
        return rate;
    }

    /// Member slots kept for entrants over `months` months of entry at `rate` a month:
    /// the Poisson mean plus 9 sd plus 40, beyond which the chance of more entrants is
    /// below 1e-15 (a Chernoff bound).
    static std::size_t entrant_slots(double rate, int months) {
        const double mean = rate * months;
        return static_cast<std::size_t>(std::ceil(mean + 9.0 * std::sqrt(mean) + 40.0));
    }
    /// The month (0-based, exclusive) a member enrolled from month `first` to `end` of a
    /// year stops being enrolled, with exit probability `q` a month and uniform `u`: it
    /// leaves after month k when u > (1 - q)^(k - first + 1), the first such k (inversion
    /// of the geometric time to exit). `left` says whether it left within the window.
    static int enrolled_until(double q, int first, int end, double u, bool& left) {
        double stay = 1.0;
        for (int k = first; k < end; ++k) {
            stay *= 1.0 - q;
            if (u > stay) {
                left = true;
                return k + 1;
            }
        }
        return end;
    }
    bool operator==(const Churn&) const = default;
};

}  // namespace apmsim
