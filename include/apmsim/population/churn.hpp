#pragma once
/// \file churn.hpp
/// \brief Enrolment churn: members leave Medicaid month by month, or at the annual renewal
/// only, and new members join to keep the program's expected size (issue 12;
/// shared/DOMAIN.md section 9).
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
///
/// At the renewal only (12 months of continuous eligibility for children since 2024,
/// shared/DOMAIN.md section 9): a member enrolled at the end of a year leaves then with
/// probability r_t, and Poisson(n_t r_t) members of tier t join at the start of each later
/// year. The same formulas hold with renewals in place of months: the pool in year k is
/// Binomial(n, (1 - r)^(k-1)) starters plus Poisson(n r sum_{j=1..k-1} (1 - r)^(k-1-j))
/// entrants, each enrolled all year.

#include "apmsim/core/errors.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

struct Churn {
    std::vector<double> exit;  ///< [tier] probability of leaving at the end of an enrolled month (at a renewal)
    bool at_renewal = false;   ///< exits at the annual renewal only (renewal_exit), else monthly (monthly_exit)
    bool by_tier = false;      ///< written back by tier (else one number for every tier)

    /// The JSON key of the exit probabilities.
    const char* key() const { return at_renewal ? "renewal_exit" : "monthly_exit"; }

    void validate(const std::string& where, const std::vector<std::string>& tiers, int years) const {
        const std::string key_at = where + "." + key();
        if (exit.size() != tiers.size())
            throw InvalidInput(key_at, std::to_string(tiers.size()) + " values (one per tier)", std::to_string(exit.size()) + " values");
        bool any = false;
        for (std::size_t t = 0; t < tiers.size(); ++t) {
            const std::string at = key_at + (by_tier ? "." + tiers[t] : "");
            if (!(exit[t] >= 0.0 && exit[t] < 1.0))
                throw InvalidInput(at, at_renewal ? "a probability per renewal from 0 to below 1" : "a monthly probability from 0 to below 1", show(exit[t]));
            any = any || exit[t] > 0.0;
        }
        if (!any) throw InvalidInput(key_at, "a probability above 0 for some tier (churn nobody has has no effect)", "0 for every tier");
        if (at_renewal && years < 2)
            throw InvalidInput(key_at, "a horizon of 2 years or more (members leave at the end of a year)", "1 year: the exits could have no effect");
    }

    /// Expected entrants per entry point (a month, or a renewal) by tier, n_t q_t, from the
    /// members' first tiers.
    std::vector<double> entrants_per_entry(const std::vector<std::uint16_t>& first_tier) const {
        std::vector<double> rate(exit.size(), 0.0);
        for (std::uint16_t t : first_tier) rate[t] += exit[t];
        return rate;
    }
    /// How many times members can join over `years` years: months 2 .. 12 Y, or the
    /// renewals at the start of years 2 .. Y.
    int entry_points(int years) const { return at_renewal ? years - 1 : 12 * years - 1; }
    /// The month (0-based, from the start of the horizon) of entry point `k` (0-based).
    int entry_month(int k) const { return at_renewal ? 12 * (k + 1) : k + 1; }

    /// Member slots kept for entrants over `points` entry points at `rate` each: the
    /// Poisson mean plus 9 sd plus 40, beyond which the chance of more entrants is below
    /// 1e-15 (a Chernoff bound).
    static std::size_t entrant_slots(double rate, int points) {
        const double mean = rate * points;
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
