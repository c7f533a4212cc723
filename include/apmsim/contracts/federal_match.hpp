#pragma once
/// \file federal_match.hpp
/// \brief Who pays the payer's cost: the state, which gets the federal medical assistance
/// percentage (FMAP) of each dollar back from the federal government (shared/DOMAIN.md
/// section 9). Health-home services can be matched at an enhanced rate for the first
/// fiscal quarters of the state's health-home program:
///   aca_2703 (Social Security Act section 1945(c)(1)): 90% for the first 8 quarters;
///   ace_kids (section 1945A): FMAP + 15 points for the first 2 quarters, at most 90%.
/// An enhanced rate never lowers the match (an FMAP above 90% stays). Payments of a year
/// are spread evenly over its four quarters (settlement is annual), so year y's
/// health-home flows are matched at
///   h_y = (q_y / 4) x enhanced_y + (1 - q_y / 4) x FMAP_y,  q_y = enhanced quarters in year y,
/// and the federal part of each of the payer's measures (revenue, payments, delivery cost) is
///   FMAP_y x (the payer's measure on other flows) + h_y x (its measure on health-home flows).
/// The state's part is the payer's less the federal part. Neither is a ledger party: they
/// split the payer's results and are never summed with the five parties.

#include "apmsim/contracts/ledger.hpp"
#include "apmsim/core/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace apmsim {

enum class HealthHomeRule { aca_2703, ace_kids };

/// The enhanced match of health-home services and where the simulation starts in the
/// state's health-home program.
struct HealthHomeMatch {
    HealthHomeRule rule = HealthHomeRule::aca_2703;
    int first_quarter = 1;  ///< the program quarter (1-based) that simulated year 1's first quarter is

    /// Quarters of the program matched at the enhanced rate.
    int enhanced_quarters() const { return rule == HealthHomeRule::aca_2703 ? 8 : 2; }
    /// Enhanced quarters within simulated year `year0` (0-based), 0 to 4.
    int enhanced_quarters_in(int year0) const {
        const int first = first_quarter + 4 * year0, last = first + 3;
        return std::clamp(std::min(last, enhanced_quarters()) - first + 1, 0, 4);
    }
    /// The enhanced rate given the regular FMAP (never below it).
    double enhanced_rate(double fmap) const {
        return std::max(fmap, rule == HealthHomeRule::aca_2703 ? 0.9 : std::min(0.9, fmap + 0.15));
    }
    bool operator==(const HealthHomeMatch&) const = default;
};

inline const char* to_string(HealthHomeRule r) { return r == HealthHomeRule::aca_2703 ? "aca_2703" : "ace_kids"; }

struct FederalMatch {
    /// The FMAP, one value for every year or one per simulated year; in [0.5, 1] (the law's
    /// floor is 50%; 100% is the most a match can be).
    std::vector<double> fmap = {0.5};
    std::optional<HealthHomeMatch> health_home;

    double fmap_in(int year0) const { return fmap.size() == 1 ? fmap[0] : fmap[static_cast<std::size_t>(year0)]; }
    /// h_y: the federal share of year `year0`'s health-home flows.
    double health_home_rate_in(int year0) const {
        const double f = fmap_in(year0);
        if (!health_home) return f;
        const double share = health_home->enhanced_quarters_in(year0) / 4.0;
        return share * health_home->enhanced_rate(f) + (1.0 - share) * f;
    }

    /// The terms alone and against a horizon of `years` (a list of FMAPs has one per year;
    /// a health-home rule raises the match in at least one simulated year).
    void validate(const std::string& where, int years) const;

    static FederalMatch from_json(const Json& j, const std::string& where);
    Json to_json() const;
    bool operator==(const FederalMatch&) const = default;
};

/// The federal government's part of the payer's revenue, payments and delivery cost in one period.
struct FederalPart {
    double revenue = 0, payments = 0, delivery_cost = 0;
};

/// The match resolved year by year before the first trial; splitting a ledger neither
/// allocates nor throws.
class ResolvedFederalMatch {
public:
    ResolvedFederalMatch(const FederalMatch& m, int years) {
        for (int y = 0; y < years; ++y) {
            regular_.push_back(m.fmap_in(y));
            health_home_.push_back(m.health_home_rate_in(y));
        }
    }
    FederalPart federal_part(const Ledger& l, int year0) const {
        const auto y = static_cast<std::size_t>(year0);
        const std::size_t p = static_cast<std::size_t>(Party::payer);
        const double f = regular_[y], h = health_home_[y];
        return {f * (l.revenue[p] - l.health_home_revenue[p]) + h * l.health_home_revenue[p],
                f * (l.payments[p] - l.health_home_payments[p]) + h * l.health_home_payments[p], f * l.delivery_cost[p]};
    }

private:
    std::vector<double> regular_, health_home_;  ///< [year] FMAP_y and h_y
};

inline void FederalMatch::validate(const std::string& where, int years) const {
    if (fmap.empty()) throw InvalidInput(where + ".fmap", "a number or one number per simulated year", "an empty list");
    if (fmap.size() != 1 && fmap.size() != static_cast<std::size_t>(years))
        throw InvalidInput(where + ".fmap", "one FMAP or a list of one per simulated year (" + std::to_string(years) + ")",
                           std::to_string(fmap.size()) + " values");
    for (std::size_t i = 0; i < fmap.size(); ++i) {
        const std::string at = fmap.size() == 1 ? where + ".fmap" : index_path(where + ".fmap", i);
        if (!(fmap[i] >= 0.5 && fmap[i] <= 1.0))
            throw InvalidInput(at, "an FMAP in [0.5, 1] (at least 50% by law, at most 100%)", show(fmap[i]));
    }
    if (!health_home) return;
    const std::string at = where + ".health_home";
    if (health_home->first_quarter < 1) throw InvalidInput(at + ".first_quarter", "a program quarter of 1 or more", std::to_string(health_home->first_quarter));
    for (int y = 0; y < years; ++y)
        if (health_home_rate_in(y) > fmap_in(y)) return;
    throw InvalidInput(at, std::string("a rule that raises the match in a simulated year (") + to_string(health_home->rule) + ": " +
                               std::to_string(health_home->enhanced_quarters()) + " enhanced quarters from program quarter 1, below a 90% FMAP)",
                       "first_quarter " + std::to_string(health_home->first_quarter) + " with FMAP " + show(fmap_in(0)) +
                           ": no enhanced match in the horizon");
}

inline FederalMatch FederalMatch::from_json(const Json& j, const std::string& where) {
    JsonObject o(j, where);
    FederalMatch m;
    const Json& f = o.at("fmap");
    m.fmap = f.is_array() ? json_numbers(f, o.path("fmap")) : std::vector<double>{json_number(f, o.path("fmap"))};
    if (o.has("health_home")) {
        JsonObject h = o.object("health_home");
        HealthHomeMatch hh;
        const std::string rule = h.string("rule");
        if (rule == "aca_2703") hh.rule = HealthHomeRule::aca_2703;
        else if (rule == "ace_kids") hh.rule = HealthHomeRule::ace_kids;
        else throw InvalidInput(h.path("rule"), "one of: aca_2703, ace_kids", "\"" + rule + "\"");
        const double q = h.number("first_quarter", 1.0);
        if (q != std::floor(q) || q < 1 || q > 400) throw InvalidInput(h.path("first_quarter"), "a whole program quarter from 1 to 400", show(q));
        hh.first_quarter = static_cast<int>(q);
        h.finish({"rule", "first_quarter"});
        m.health_home = hh;
    }
    o.finish({"fmap", "health_home"});
    return m;
}

inline Json FederalMatch::to_json() const {
    Json j;
    if (fmap.size() == 1) j["fmap"] = fmap[0];
    else j["fmap"] = fmap;
    if (health_home) j["health_home"] = {{"rule", apmsim::to_string(health_home->rule)}, {"first_quarter", health_home->first_quarter}};
    return j;
}

}  // namespace apmsim
