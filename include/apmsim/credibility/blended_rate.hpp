#pragma once
/// \file blended_rate.hpp
/// \brief Credibility-blended PMPM rate of a program: its own experience against a
/// manual rate, with large claims pooled.
///
/// Method (small-group pooling practice, shared/DOMAIN.md section 6; ASOP 25):
///   1. Pool: each member's claims over the experience period are capped at the pooling
///      level L; the excess is removed. E_p = sum_i min(C_i, L) / member-months.
///   2. Put the manual rate M (which includes all claims) on the same basis:
///      M_p = M - P, where P is the pooling charge, the expected claims above L PMPM
///      (from the manual's book of business, or from an annual-cost distribution with
///      pooling_charge_pmpm(): E[(X - L)+] / 12).
///   3. Credibility Z on member-months MM: the square-root rule Z = min(1, sqrt(MM / MM_F))
///      against a full-credibility standard MM_F, or Buhlmann Z = MM / (MM + K).
///   4. Blend and add the pooling charge back: rate = Z E_p + (1 - Z) M_p + P.
/// Everyone pays the pooling charge; only the pooled (capped) experience is blended.

#include "apmsim/core/errors.hpp"
#include "apmsim/distributions/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace apmsim {

/// Terms of a blended rate. Set exactly one of full_credibility_member_months and
/// buhlmann_k (member-months, > 0).
struct BlendedRateTerms {
    double manual_pmpm = 0.0;  ///< manual rate PMPM, all claims included
    double pooling_level = std::numeric_limits<double>::infinity();  ///< per member over the experience period
    double pooling_charge_pmpm = 0.0;             ///< expected claims above the pooling level, PMPM
    double full_credibility_member_months = 0.0;  ///< square-root rule standard MM_F
    double buhlmann_k = 0.0;                      ///< Buhlmann K in member-months

    void validate() const {
        check::non_negative("manual_pmpm", manual_pmpm);
        if (!(pooling_level > 0.0))
            throw InvalidInput("pooling_level", "a level > 0 (infinity = no pooling)", show(pooling_level));
        check::non_negative("pooling_charge_pmpm", pooling_charge_pmpm);
        if (pooling_charge_pmpm > manual_pmpm)
            throw InvalidInput("pooling_charge_pmpm", "at most manual_pmpm (" + show(manual_pmpm) + ")",
                               show(pooling_charge_pmpm));
        if (std::isinf(pooling_level) && pooling_charge_pmpm > 0.0)
            throw InvalidInput("pooling_charge_pmpm", "0 when there is no pooling level", show(pooling_charge_pmpm));
        check::non_negative("full_credibility_member_months", full_credibility_member_months);
        check::non_negative("buhlmann_k", buhlmann_k);
        if ((full_credibility_member_months > 0.0) == (buhlmann_k > 0.0))
            throw InvalidInput("full_credibility_member_months",
                               "exactly one of full_credibility_member_months and buhlmann_k set (> 0)",
                               show(full_credibility_member_months) + " and buhlmann_k " + show(buhlmann_k));
    }
};

/// The pieces of a blended rate (all rates PMPM).
struct BlendedRate {
    double member_months = 0.0;
    double experience_pmpm = 0.0;         ///< all claims / member-months
    double excess_claims = 0.0;           ///< claims removed above the pooling level (total)
    std::size_t members_pooled = 0;       ///< members whose claims exceeded the pooling level
    double pooled_experience_pmpm = 0.0;  ///< E_p
    double manual_pooled_pmpm = 0.0;      ///< M_p = M - P
    double pooling_charge_pmpm = 0.0;     ///< P
    double credibility = 0.0;             ///< Z
    double blended_pmpm = 0.0;            ///< Z E_p + (1 - Z) M_p + P
    std::string method;                   ///< "square-root rule" or "Buhlmann"
};

/// Expected claims above the pooling level PMPM for members whose cost over `months`
/// months follows `cost`: (E[X] - E[min(X, L)]) / months (Loss Models: limited expected value).
inline double pooling_charge_pmpm(const Severity& cost, double pooling_level, double months = 12.0) {
    check::positive("pooling_level", pooling_level);
    check::positive("months", months);
    return std::max(0.0, mean(cost) - limited_expected_value(cost, pooling_level)) / months;
}

/// Blends a program's experience (claims and member-months per member over the
/// experience period) with the manual rate; see the file comment for the method.
inline BlendedRate blended_rate(const std::vector<double>& member_claims, const std::vector<double>& member_months,
                                const BlendedRateTerms& terms) {
    terms.validate();
    if (member_claims.size() != member_months.size())
        throw InvalidInput("member_months", std::to_string(member_claims.size()) + " values (one per member)",
                           std::to_string(member_months.size()) + " values");
    if (member_claims.empty()) throw InvalidInput("member_claims", "at least one member", "0 members");
    BlendedRate out;
    double claims = 0.0, pooled = 0.0;
    for (std::size_t i = 0; i < member_claims.size(); ++i) {
        const std::string row = bracketed(i);
        check::non_negative("member_claims" + row, member_claims[i]);
        check::non_negative("member_months" + row, member_months[i]);
        claims += member_claims[i];
        pooled += std::min(member_claims[i], terms.pooling_level);
        if (member_claims[i] > terms.pooling_level) ++out.members_pooled;
        out.member_months += member_months[i];
    }
    if (!(out.member_months > 0.0)) throw InvalidInput("member_months", "a positive total", "0");
    out.experience_pmpm = claims / out.member_months;
    out.excess_claims = claims - pooled;
    out.pooled_experience_pmpm = pooled / out.member_months;
    out.pooling_charge_pmpm = terms.pooling_charge_pmpm;
    out.manual_pooled_pmpm = terms.manual_pmpm - terms.pooling_charge_pmpm;
    if (terms.buhlmann_k > 0.0) {
        out.credibility = out.member_months / (out.member_months + terms.buhlmann_k);
        out.method = "Buhlmann";
    } else {
        out.credibility = std::min(1.0, std::sqrt(out.member_months / terms.full_credibility_member_months));
        out.method = "square-root rule";
    }
    out.blended_pmpm = out.credibility * out.pooled_experience_pmpm + (1.0 - out.credibility) * out.manual_pooled_pmpm +
                       out.pooling_charge_pmpm;
    return out;
}

}  // namespace apmsim
