#pragma once
/// \file party.hpp
/// \brief The parties whose cash flows a payment model settles.
///
/// payer: the Medicaid agency or plan; provider: the children's hospital or ACO that
/// runs the program; pcp: the primary-care practices; other_providers: everyone else
/// who delivers covered services (leakage); reinsurer: the stop-loss carrier. Every
/// transfer is paid by one of them and received by another, so cash is conserved.

#include "apmsim/core/errors.hpp"

#include <array>
#include <cstddef>
#include <string>

namespace apmsim {

enum class Party : std::size_t { payer = 0, provider, pcp, other_providers, reinsurer };

inline constexpr std::size_t party_count = 5;
inline constexpr std::array<const char*, party_count> party_names = {"payer", "provider", "pcp", "other_providers",
                                                                     "reinsurer"};

inline const char* to_string(Party p) { return party_names[static_cast<std::size_t>(p)]; }

inline Party party_from_string(const std::string& where, const std::string& text) {
    for (std::size_t i = 0; i < party_count; ++i)
        if (text == party_names[i]) return static_cast<Party>(i);
    throw InvalidInput(where, "one of: payer, provider, pcp, other_providers, reinsurer", "\"" + text + "\"");
}

/// Parties that can deliver care and receive payment for it under a contract.
inline Party care_party_from_string(const std::string& where, const std::string& text) {
    const Party p = party_from_string(where, text);
    if (p != Party::provider && p != Party::pcp) throw InvalidInput(where, "\"provider\" or \"pcp\"", "\"" + text + "\"");
    return p;
}

}  // namespace apmsim
