#pragma once
/// \file delivery.hpp
/// \brief Who delivers the care and what it costs them: per category, the share of
/// allowed cost delivered inside the provider organisation and by the primary-care
/// practices (the rest leaks to other providers), and each one's cost-to-payment ratio
/// (cost of delivering a dollar of allowed care; above 1 the fee-for-service payment
/// does not cover the cost). Program costs are borne per item by the provider
/// (default) or the PCPs. The same for every payment model of a scenario.

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/party.hpp"

#include <map>
#include <string>
#include <vector>

namespace apmsim {

struct DeliveryBasis {
    NamedValues provider_share = NamedValues::all(1.0);
    NamedValues pcp_share = NamedValues::all(0.0);
    NamedValues provider_cost_ratio = NamedValues::all(1.0);
    NamedValues pcp_cost_ratio = NamedValues::all(1.0);
    std::map<std::string, Party> program_cost_bearer;  ///< program cost item -> provider or pcp; unlisted: provider

    void validate(const std::string& where) const {
        provider_share.validate(where + ".provider_share", check::probability);
        pcp_share.validate(where + ".pcp_share", check::probability);
        auto ratio = [](const std::string& w, double v) { check::in_closed(w, v, 0.0, 100.0); };
        provider_cost_ratio.validate(where + ".provider_cost_ratio", ratio);
        pcp_cost_ratio.validate(where + ".pcp_cost_ratio", ratio);
        for (const auto& [item, party] : program_cost_bearer)
            if (party != Party::provider && party != Party::pcp)
                throw InvalidInput(where + ".program_cost_borne_by." + item, "\"provider\" or \"pcp\"", to_string(party));
    }

    Party bearer_of(const std::string& item) const {
        const auto it = program_cost_bearer.find(item);
        return it == program_cost_bearer.end() ? Party::provider : it->second;
    }

    bool operator==(const DeliveryBasis&) const = default;
};

/// The delivery basis resolved against a cost model's categories.
struct ResolvedDelivery {
    std::vector<double> provider_share, pcp_share, provider_cost_ratio, pcp_cost_ratio;  ///< [category]

    ResolvedDelivery() = default;
    ResolvedDelivery(const DeliveryBasis& d, const std::vector<std::string>& categories, const std::string& where)
        : provider_share(d.provider_share.resolve(categories, where + ".provider_share", "category")),
          pcp_share(d.pcp_share.resolve(categories, where + ".pcp_share", "category")),
          provider_cost_ratio(d.provider_cost_ratio.resolve(categories, where + ".provider_cost_ratio", "category")),
          pcp_cost_ratio(d.pcp_cost_ratio.resolve(categories, where + ".pcp_cost_ratio", "category")) {
        for (std::size_t c = 0; c < categories.size(); ++c)
            if (provider_share[c] + pcp_share[c] > 1.0 + 1e-12)
                throw InvalidInput(where + ".pcp_share." + categories[c], "provider_share + pcp_share <= 1",
                                   show(provider_share[c]) + " + " + show(pcp_share[c]));
    }

    /// Share of category c's allowed cost delivered by `p` (other_providers: the rest).
    double share(Party p, std::size_t c) const {
        switch (p) {
            case Party::provider: return provider_share[c];
            case Party::pcp: return pcp_share[c];
            case Party::other_providers: return std::max(0.0, 1.0 - provider_share[c] - pcp_share[c]);
            default: return 0.0;
        }
    }
    /// Cost of delivering one dollar of allowed care (other providers: 1).
    double cost_ratio(Party p, std::size_t c) const {
        return p == Party::provider ? provider_cost_ratio[c] : p == Party::pcp ? pcp_cost_ratio[c] : 1.0;
    }
};

inline constexpr std::array<Party, 3> care_parties = {Party::provider, Party::pcp, Party::other_providers};

}  // namespace apmsim
