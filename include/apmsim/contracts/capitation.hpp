#pragma once
/// \file capitation.hpp
/// \brief Capitation: the payer pays a party (provider, or PCPs for a primary-care
/// capitation) a fixed amount per member-month for a set of categories (all: global;
/// some: partial), either a PMPM rate by tier or a base rate times the member's risk
/// score normalised to budget neutrality (42 CFR 438: risk adjustment must be budget
/// neutral; shared/DOMAIN.md section 5). The capitated party then pays for the covered
/// care that others deliver (at a fee level, default the allowed cost), so it carries
/// the cost risk of those categories.

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

#include <optional>

namespace apmsim {

struct Capitation {
    static constexpr const char* type_name = "capitation";
    static constexpr const char* class_name = "Capitation";
    static constexpr int phase = 0;

    Party paid_to = Party::provider;
    std::vector<std::string> categories;        ///< empty: global
    std::optional<NamedValues> pmpm;            ///< by tier
    std::optional<double> base_pmpm;            ///< times the normalised risk score
    std::optional<double> reference_risk_score; ///< normalisation; default the pool's year-1 mean
    NamedValues fee_multiplier = NamedValues::all(1.0);  ///< what it pays others, by category

    void validate(const std::string& where) const {
        if (pmpm.has_value() == base_pmpm.has_value())
            throw InvalidInput(where, "exactly one of \"pmpm\" (by tier) and \"base_pmpm\" (times risk score)",
                               pmpm ? "both" : "neither");
        if (pmpm) pmpm->validate(where + ".pmpm", check::non_negative);
        if (base_pmpm) check::non_negative(where + ".base_pmpm", *base_pmpm);
        if (reference_risk_score) check::positive(where + ".reference_risk_score", *reference_risk_score);
        if (reference_risk_score && !base_pmpm)
            throw InvalidInput(where + ".reference_risk_score", "only with \"base_pmpm\"", show(*reference_risk_score));
        fee_multiplier.validate(where + ".fee_multiplier", [](const std::string& w, double v) { check::in_closed(w, v, 0.0, 100.0); });
    }
    ComponentNeeds needs(const SettlementSetup& s, const std::string& where) const {
        if (pmpm) pmpm->resolve(s.tiers, where + ".pmpm", "tier");
        fee_multiplier.resolve(s.categories, where + ".fee_multiplier", "category");
        if (base_pmpm && !reference_risk_score && !(s.mean_risk_score > 0))
            throw InvalidInput(where + ".base_pmpm", "members with positive risk scores (or a reference_risk_score)",
                               "a mean risk score of " + show(s.mean_risk_score));
        return {};
    }
    Party capitated_party() const { return paid_to; }
    std::optional<std::vector<bool>> covers(const SettlementSetup& s, const std::string& where) const {
        return s.category_mask(categories, where + ".categories");
    }
    void settle(const SettlementContext& ctx, Ledger& ledger) const {
        double amount = 0.0;
        if (pmpm) {
            const std::vector<double> rate = pmpm->resolve(ctx.tiers, "pmpm", "tier");
            for (std::size_t k = 0; k < rate.size(); ++k) amount += rate[k] * ctx.experience.member_months[k];
        } else {
            amount = *base_pmpm * ctx.experience.risk_months / reference_risk_score.value_or(ctx.setup.mean_risk_score);
        }
        ledger.transfer(Party::payer, paid_to, amount);
        ledger.record(Metric::capitation, amount);
        ledger.capitation_received[static_cast<std::size_t>(paid_to)] += amount;
        const std::vector<double> fee = fee_multiplier.resolve(ctx.categories, "fee_multiplier", "category");
        const std::vector<bool> covered = select_categories(categories, ctx.categories);
        for (std::size_t c = 0; c < ctx.categories.size(); ++c)
            if (covered[c]) pay_for_care(ctx, ledger, paid_to, c, fee[c]);
    }

    static Capitation from_json(JsonObject& o) {
        Capitation k;
        k.paid_to = care_party_from_string(o.path("paid_to"), o.string("paid_to", "provider"));
        if (o.has("categories")) k.categories = names_from_json(o.at("categories"), o.path("categories"));
        if (o.has("pmpm")) k.pmpm = NamedValues::from_json(o.at("pmpm"), o.path("pmpm"));
        if (o.has("base_pmpm")) k.base_pmpm = o.number("base_pmpm");
        if (o.has("reference_risk_score")) k.reference_risk_score = o.number("reference_risk_score");
        if (o.has("fee_multiplier")) k.fee_multiplier = NamedValues::from_json(o.at("fee_multiplier"), o.path("fee_multiplier"));
        return k;
    }
    void to_json(Json& j) const {
        j["paid_to"] = to_string(paid_to);
        j["categories"] = names_to_json(categories);
        if (pmpm) j["pmpm"] = pmpm->to_json();
        if (base_pmpm) j["base_pmpm"] = *base_pmpm;
        if (reference_risk_score) j["reference_risk_score"] = *reference_risk_score;
        j["fee_multiplier"] = fee_multiplier.to_json();
    }
    static std::vector<std::string> keys() {
        return {"paid_to", "categories", "pmpm", "base_pmpm", "reference_risk_score", "fee_multiplier"};
    }
    bool operator==(const Capitation&) const = default;
};

}  // namespace apmsim
