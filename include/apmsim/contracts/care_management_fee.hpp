#pragma once
/// \file care_management_fee.hpp
/// \brief Care-management fee: the payer pays the provider or the PCPs a PMPM by tier,
/// on top of whatever pays for care (CPC+ care-management fees by risk tier, health-home
/// PMPMs; shared/DOMAIN.md section 5).

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

namespace apmsim {

struct CareManagementFee {
    static constexpr const char* type_name = "care_management_fee";
    static constexpr const char* class_name = "CareManagementFee";
    static constexpr int phase = 0;

    Party paid_to = Party::provider;
    NamedValues pmpm = NamedValues::all(0.0);  ///< by tier

    void validate(const std::string& where) const { pmpm.validate(where + ".pmpm", check::non_negative); }
    ComponentNeeds needs(const SettlementSetup& s, const std::string& where) const {
        pmpm.resolve(s.tiers, where + ".pmpm", "tier");
        return {};
    }
    void settle(const SettlementContext& ctx, Ledger& ledger) const {
        const std::vector<double> rate = pmpm.resolve(ctx.tiers, "pmpm", "tier");
        double amount = 0.0;
        for (std::size_t k = 0; k < rate.size(); ++k) amount += rate[k] * ctx.experience.member_months[k];
        ledger.transfer(Party::payer, paid_to, amount);
        ledger.record(Metric::care_management_fees, amount);
    }

    static CareManagementFee from_json(JsonObject& o) {
        CareManagementFee f;
        f.paid_to = care_party_from_string(o.path("paid_to"), o.string("paid_to", "provider"));
        f.pmpm = NamedValues::from_json(o.at("pmpm"), o.path("pmpm"));
        return f;
    }
    void to_json(Json& j) const {
        j["paid_to"] = to_string(paid_to);
        j["pmpm"] = pmpm.to_json();
    }
    static std::vector<std::string> keys() { return {"paid_to", "pmpm"}; }
    bool operator==(const CareManagementFee&) const = default;
};

}  // namespace apmsim
