#pragma once
/// \file capitation.hpp
/// \brief Capitation: the payer pays the `party` (provider, or PCPs for a primary-care
/// capitation) a fixed amount per member-month for a set of categories (all: global;
/// some: partial), either a PMPM rate by tier or a base rate times the member's risk
/// score normalised to budget neutrality (42 CFR 438: risk adjustment must be budget
/// neutral; shared/DOMAIN.md section 5). The capitated party then pays for the covered
/// care that others deliver (at a fee level, default the allowed cost), so it carries
/// the cost risk of those categories.

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/rate_trend.hpp"
#include "apmsim/contracts/settlement_context.hpp"

#include <optional>

namespace apmsim {

struct Capitation {
    static constexpr const char* type_name = "capitation";
    static constexpr const char* class_name = "Capitation";
    static constexpr int phase = 0;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "capitation", "party": "provider", "pmpm": {"A": 8900, "B": 3300, "C": 1400}})";
    static constexpr std::array<MetricInfo, 1> metrics = {{{"capitation", "paid by the payer as capitation"}}};

    Party party = Party::provider;
    std::vector<std::string> categories;        ///< empty: global
    std::optional<NamedValues> pmpm;            ///< by tier
    std::optional<double> base_pmpm;            ///< times the normalised risk score
    std::optional<double> reference_risk_score; ///< normalisation; default the pool's year-1 mean
    NamedValues fee_multiplier = NamedValues::all(1.0);  ///< what it pays others, by category
    std::optional<RateTrend> rate_trend;        ///< none: the same rate every year

    void validate(const std::string& where) const {
        if (rate_trend) rate_trend->validate(where + ".rate_trend");
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
    Party capitated_party() const { return party; }
    std::optional<std::vector<bool>> covers(const SettlementSetup& s, const std::string& where) const {
        return s.category_mask(categories, where + ".categories");
    }

    struct Prepared {
        Party party;
        std::vector<double> rate;      ///< [tier] PMPM; empty with a base rate
        double base_pmpm = 0.0;        ///< per unit of normalised risk score
        double reference_risk_score = 1.0;
        std::vector<double> fee;       ///< [category] what it pays others
        std::vector<bool> covered;     ///< [category]
        MetricId paid;
        std::optional<RateTrend> rate_trend;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            double amount = 0.0;
            if (!rate.empty()) {
                for (std::size_t k = 0; k < rate.size(); ++k) amount += rate[k] * ctx.experience.member_months[k];
            } else {
                amount = base_pmpm * ctx.experience.risk_months / reference_risk_score;
            }
            if (rate_trend) amount *= rate_trend->factor(ctx.year, ctx.realised_trend);
            ledger.pay(paid, Party::payer, party, amount);
            for (std::size_t c = 0; c < fee.size(); ++c)
                if (covered[c]) pay_for_care(ctx, ledger, party, c, fee[c]);
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds&) const {
        if (base_pmpm && !reference_risk_score && !(s.mean_risk_score > 0))
            throw InvalidInput(where + ".base_pmpm", "members with positive risk scores (or a reference_risk_score)",
                               "a mean risk score of " + show(s.mean_risk_score));
        Prepared p{party, {}, base_pmpm.value_or(0.0), reference_risk_score.value_or(s.mean_risk_score),
                   fee_multiplier.resolve(s.categories, where + ".fee_multiplier", "category"),
                   s.category_mask(categories, where + ".categories"), s.metric("capitation"), rate_trend};
        if (pmpm) p.rate = s.tier_values(*pmpm, where + ".pmpm");
        return p;
    }

    static Capitation from_json(JsonObject& o) {
        Capitation k;
        k.party = care_party_from_string(o.path("party"), o.string("party", "provider"));
        if (o.has("categories")) k.categories = names_from_json(o.at("categories"), o.path("categories"));
        if (o.has("pmpm")) k.pmpm = NamedValues::from_json(o.at("pmpm"), o.path("pmpm"));
        if (o.has("base_pmpm")) k.base_pmpm = o.number("base_pmpm");
        if (o.has("reference_risk_score")) k.reference_risk_score = o.number("reference_risk_score");
        if (o.has("fee_multiplier")) k.fee_multiplier = NamedValues::from_json(o.at("fee_multiplier"), o.path("fee_multiplier"));
        if (o.has("rate_trend")) k.rate_trend = RateTrend::from_json(o.at("rate_trend"), o.path("rate_trend"));
        return k;
    }
    void to_json(Json& j) const {
        j["party"] = to_string(party);
        j["categories"] = names_to_json(categories);
        if (pmpm) j["pmpm"] = pmpm->to_json();
        if (base_pmpm) j["base_pmpm"] = *base_pmpm;
        if (reference_risk_score) j["reference_risk_score"] = *reference_risk_score;
        j["fee_multiplier"] = fee_multiplier.to_json();
        if (rate_trend) j["rate_trend"] = rate_trend->to_json();
    }
    static std::vector<std::string> keys() {
        return {"party", "categories", "pmpm", "base_pmpm", "reference_risk_score", "fee_multiplier", "rate_trend"};
    }
    bool operator==(const Capitation&) const = default;
};

}  // namespace apmsim
