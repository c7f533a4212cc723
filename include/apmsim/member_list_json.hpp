#pragma once
/// \file member_list_json.hpp
/// \brief A scenario's member list (`population.members`: columns id, tier, age_band, sex,
/// risk_score, months) read from JSON with every problem reported, not only the first.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/population/population.hpp"

#include <string>
#include <vector>

namespace apmsim {

/// At most this many problems of one member list are listed; one more entry says how
/// many were left out (a million-member file with a bad column stays readable).
inline constexpr std::size_t max_member_list_problems = 25;

/// Reads the member list `o` for `years` years against the scenario's tiers. Every problem
/// goes to `problems` (the JSON path of the column or entry, expected, found), the ids
/// repeated included; the population is valid only when none was added.
Population read_member_list(JsonObject& o, const std::vector<std::string>& tiers, int years, std::vector<InvalidInput>& problems);

/// The same, throwing the first problem.
Population members_from_json(JsonObject& o, const std::vector<std::string>& tiers, int years);

}  // namespace apmsim
