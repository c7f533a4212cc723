#pragma once
/// \file fee_for_service.hpp
/// \brief Fee-for-service: the payer pays every party that delivers care its share of
/// the allowed cost times a fee level (a multiplier of allowed cost, by category).
/// With `categories` it pays for those; without, for every category that no capitation
/// and no fee-for-service listing it covers that year (the residual). Two payers of the
/// same category's care in one year, two residual fee-for-service components, or a
/// residual one with nothing left to pay for are errors (checked at preparation).

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

namespace apmsim {

struct FeeForService {
    static constexpr const char* type_name = "fee_for_service";
    static constexpr const char* class_name = "FeeForService";
    static constexpr int phase = 0;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "fee_for_service", "fee_multiplier": {"inpatient": 1.05, "default": 1.0}})";
    static constexpr std::array<MetricInfo, 1> metrics = {
        {{"fee_for_service", "paid by the payer for care at a fee level (fee-for-service)"}}};

    NamedValues fee_multiplier = NamedValues::all(1.0);  ///< by category
    std::vector<std::string> categories;  ///< empty: every category nothing else pays for that year

    void validate(const std::string& where) const {
        fee_multiplier.validate(where + ".fee_multiplier", [](const std::string& w, double v) { check::in_closed(w, v, 0.0, 100.0); });
    }
    /// Pays for the categories nothing else covers (no categories listed).
    bool residual() const { return categories.empty(); }
    /// Categories it pays for, when listed (checked against other payers of care in force).
    std::optional<std::vector<bool>> covers(const SettlementSetup& s, const std::string& where) const {
        if (residual()) return std::nullopt;
        return s.category_mask(categories, where + ".categories");
    }

    struct Prepared {
        std::vector<double> fee;    ///< [category]
        std::vector<bool> listed;   ///< [category]; unused when residual
        bool residual = true;
        MetricId paid;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            const std::vector<bool>& mask = residual ? ctx.coverage.residual_mask : listed;
            for (std::size_t c = 0; c < fee.size(); ++c)
                if (mask[c]) ledger.record(paid, pay_for_care(ctx, ledger, Party::payer, c, fee[c], paid));
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds&) const {
        Prepared p;
        p.fee = fee_multiplier.resolve(s.categories, where + ".fee_multiplier", "category");
        p.listed = s.category_mask(categories, where + ".categories");
        p.residual = residual();
        p.paid = s.metric("fee_for_service");
        return p;
    }

    static FeeForService from_json(JsonObject& o) {
        FeeForService f;
        if (o.has("fee_multiplier")) f.fee_multiplier = NamedValues::from_json(o.at("fee_multiplier"), o.path("fee_multiplier"));
        if (o.has("categories")) f.categories = names_from_json(o.at("categories"), o.path("categories"));
        return f;
    }
    void to_json(Json& j) const {
        j["fee_multiplier"] = fee_multiplier.to_json();
        if (!categories.empty()) j["categories"] = categories;
    }
    static std::vector<std::string> keys() { return {"fee_multiplier", "categories"}; }
    bool operator==(const FeeForService&) const = default;
};

}  // namespace apmsim
