#pragma once
/// \file care_management_fee.hpp
/// \brief Care-management fee: the payer pays the `party` (provider or PCPs) a PMPM by tier,
/// on top of whatever pays for care (CPC+ care-management fees by risk tier, health-home
/// PMPMs; shared/DOMAIN.md section 5). Marked `health_home`, its payments are health-home
/// services, matched at the enhanced federal rate of the scenario's federal_match.health_home
/// (contracts/federal_match.hpp).

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/rate_trend.hpp"
#include "apmsim/contracts/settlement_context.hpp"

namespace apmsim {

struct CareManagementFee {
    static constexpr const char* type_name = "care_management_fee";
    static constexpr const char* class_name = "CareManagementFee";
    static constexpr int phase = 0;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "care_management_fee", "party": "pcp", "pmpm": {"A": 30, "B": 16, "C": 8}})";
    static constexpr std::array<MetricInfo, 1> metrics = {{{"care_management_fees", "paid by the payer as care-management fees"}}};

    Party party = Party::provider;
    NamedValues pmpm = NamedValues::all(0.0);  ///< by tier
    std::optional<RateTrend> rate_trend;       ///< none: the same fee every year
    bool health_home = false;                  ///< pays for health-home services

    bool marks_health_home() const { return health_home; }

    void validate(const std::string& where) const {
        pmpm.validate(where + ".pmpm", check::non_negative);
        if (rate_trend) rate_trend->validate(where + ".rate_trend");
    }

    struct Prepared {
        Party party;
        std::vector<double> rate;  ///< [tier] PMPM
        MetricId paid;
        std::optional<RateTrend> rate_trend;
        bool health_home;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            double amount = 0.0;
            for (std::size_t k = 0; k < rate.size(); ++k) amount += rate[k] * ctx.experience.member_months[k];
            if (rate_trend) amount *= rate_trend->factor(ctx.year, ctx.realised_trend);
            ledger.pay(paid, Party::payer, party, amount);
            if (health_home) ledger.mark_health_home(Party::payer, party, amount);
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds&) const {
        return {party, s.tier_values(pmpm, where + ".pmpm"), s.metric("care_management_fees"), rate_trend, health_home};
    }

    static CareManagementFee from_json(JsonObject& o) {
        CareManagementFee f;
        f.party = care_party_from_string(o.path("party"), o.string("party", "provider"));
        f.pmpm = NamedValues::from_json(o.at("pmpm"), o.path("pmpm"));
        if (o.has("rate_trend")) f.rate_trend = RateTrend::from_json(o.at("rate_trend"), o.path("rate_trend"));
        f.health_home = o.boolean("health_home", false);
        return f;
    }
    void to_json(Json& j) const {
        j["party"] = to_string(party);
        j["pmpm"] = pmpm.to_json();
        if (rate_trend) j["rate_trend"] = rate_trend->to_json();
        if (health_home) j["health_home"] = true;
    }
    static std::vector<std::string> keys() { return {"party", "pmpm", "rate_trend", "health_home"}; }
    bool operator==(const CareManagementFee&) const = default;
};

}  // namespace apmsim
