#pragma once
/// \file population.hpp
/// \brief The members of a program, stored column-wise.

#include "apmsim/core/errors.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace apmsim {

/// One row per member; eligibility months per simulated year are a members x years
/// row-major block. Tiers index the cost model's tier names. Age bands are labels
/// (kept for risk adjustment and reporting); sex is "F", "M" or "U".
struct Population {
    std::vector<std::int64_t> id;
    std::vector<std::uint16_t> tier;
    std::vector<std::string> age_band;
    std::vector<std::string> sex;
    std::vector<double> risk_score;
    std::vector<std::uint8_t> months;  ///< [member * years + year], 0..12
    int years = 1;

    std::size_t size() const { return id.size(); }
    int months_of(std::size_t member, int year) const { return months[member * years + year]; }

    /// Checks column lengths and ranges; `where` prefixes error locations
    /// (the JSON path of the member columns, "population.members").
    void validate(const std::string& where, std::size_t tier_count) const {
        const std::size_t n = id.size();
        auto same_length = [&](const char* column, std::size_t len) {
            if (len != n)
                throw InvalidInput(where + "." + column, std::to_string(n) + " values (one per member)",
                                   std::to_string(len) + " values");
        };
        if (n == 0) throw InvalidInput(where, "at least one member", "0 members");
        if (n >= 0xFFFFFFFFull)  // member 2^32 - 1 is the trial-level random stream
            throw InvalidInput(where, "fewer than 4294967295 members", std::to_string(n));
        if (years < 1 || years > 100) throw InvalidInput(where + ".years", "1 to 100 years", std::to_string(years));
        same_length("tier", tier.size());
        same_length("age_band", age_band.size());
        same_length("sex", sex.size());
        same_length("risk_score", risk_score.size());
        if (months.size() != n * static_cast<std::size_t>(years))
            throw InvalidInput(where + ".months", std::to_string(n * years) + " values (members x years)",
                               std::to_string(months.size()) + " values");
        for (std::size_t i = 0; i < n; ++i) validate_member(i, where, tier_count);
        for (int y = 0; y < years; ++y) {
            bool any = false;
            for (std::size_t i = 0; i < n && !any; ++i) any = months_of(i, y) > 0;
            if (!any) throw InvalidInput(where + ".months", "at least one eligible member in every year",
                                         "no eligible member in year " + std::to_string(y + 1));
        }
    }

    /// Checks member `i`'s tier, sex, risk score and months (the columns have their lengths).
    void validate_member(std::size_t i, const std::string& where, std::size_t tier_count) const {
        const std::string row = bracketed(i);
        if (tier[i] >= tier_count)
            throw InvalidInput(where + ".tier" + row, "a tier index below " + std::to_string(tier_count), std::to_string(tier[i]));
        if (sex[i] != "F" && sex[i] != "M" && sex[i] != "U")
            throw InvalidInput(where + ".sex" + row, "\"F\", \"M\" or \"U\"", "\"" + sex[i] + "\"");
        if (!(risk_score[i] >= 0.0) || risk_score[i] > 1e6)
            throw InvalidInput(where + ".risk_score" + row, "a number from 0 to 1e6", show(risk_score[i]));
        for (int y = 0; y < years; ++y)
            if (months_of(i, y) > 12)
                throw InvalidInput(where + ".months" + row + "[" + std::to_string(y) + "]", "0 to 12 months", std::to_string(months_of(i, y)));
    }

    /// Each member's risk score relative to the mean score of its (initial) tier, weighted
    /// by eligible months: the factor on the member's expected event counts. Budget neutral
    /// within a tier (the months-weighted mean factor is 1), so tier costs are unchanged.
    /// A tier whose members share one score (a synthetic population), or whose scores
    /// average 0, gets exactly 1 for every member.
    std::vector<double> relative_risk(std::size_t tier_count) const {
        std::vector<double> weighted(tier_count, 0.0), weight(tier_count, 0.0);
        std::vector<double> lo(tier_count, std::numeric_limits<double>::infinity()), hi(tier_count, -std::numeric_limits<double>::infinity());
        for (std::size_t i = 0; i < size(); ++i) {
            double m = 0.0;
            for (int y = 0; y < years; ++y) m += months_of(i, y);
            weighted[tier[i]] += m * risk_score[i];
            weight[tier[i]] += m;
            lo[tier[i]] = std::min(lo[tier[i]], risk_score[i]);
            hi[tier[i]] = std::max(hi[tier[i]], risk_score[i]);
        }
        std::vector<double> out(size(), 1.0);
        for (std::size_t i = 0; i < size(); ++i) {
            const std::size_t t = tier[i];
            if (lo[t] != hi[t] && weighted[t] > 0.0) out[i] = risk_score[i] * weight[t] / weighted[t];
        }
        return out;
    }

    /// True when some member's relative risk is not 1 (scores vary within a tier).
    bool has_risk_variation(std::size_t tier_count) const {
        for (double r : relative_risk(tier_count))
            if (r != 1.0) return true;
        return false;
    }
};

}  // namespace apmsim
