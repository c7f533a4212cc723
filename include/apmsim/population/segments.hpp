#pragma once
/// \file segments.hpp
/// \brief Segments of an attributed population (issue 12, "leverage larger
/// populations"): named groups of tiers, each tier in exactly one, so a CMC program can be
/// simulated inside a larger population (e.g. 20,000 other attributed children, whose
/// tiers carry the non-complex costs of shared/DOMAIN.md section 1) and a payment model
/// can cover the whole population or one segment. A member belongs to the segment of its
/// tier in the year.

#include "apmsim/core/errors.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace apmsim {

struct Segment {
    std::string name;
    std::vector<std::string> tiers;
    bool operator==(const Segment&) const = default;
};

/// Checks that `segments` (JSON path `where`) split `tiers` into named, non-empty,
/// disjoint groups covering every tier; one segment of every tier could have no effect.
inline void validate_segments(const std::vector<Segment>& segments, const std::vector<std::string>& tiers, const std::string& where) {
    if (segments.empty()) return;
    if (segments.size() < 2)
        throw InvalidInput(where, "two or more segments (one segment of every tier is the whole population)", "1 segment");
    std::vector<std::string> owner(tiers.size());
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const Segment& seg = segments[s];
        const std::string at = where + "." + seg.name;
        if (seg.name.empty()) throw InvalidInput(at, "a segment name", "\"\"");
        if (seg.tiers.empty()) throw InvalidInput(at, "at least one tier", "an empty list");
        for (std::size_t k = 0; k < seg.tiers.size(); ++k) {
            const std::string tier_at = at + "[" + std::to_string(k) + "]";
            const auto it = std::find(tiers.begin(), tiers.end(), seg.tiers[k]);
            if (it == tiers.end()) throw InvalidInput(tier_at, "a tier of the cost model", "\"" + seg.tiers[k] + "\"");
            std::string& o = owner[static_cast<std::size_t>(it - tiers.begin())];
            if (!o.empty()) throw InvalidInput(tier_at, "a tier in no other segment", "\"" + seg.tiers[k] + "\", already in " + o);
            o = seg.name;
        }
    }
    for (std::size_t t = 0; t < tiers.size(); ++t)
        if (owner[t].empty()) throw InvalidInput(where, "every tier in a segment", "tier \"" + tiers[t] + "\" in none");
}

/// The tiers of segment `name` as a mask over `tiers`; `name` empty: every tier.
inline std::vector<bool> segment_mask(const std::vector<Segment>& segments, const std::string& name, const std::vector<std::string>& tiers,
                                      const std::string& where) {
    if (name.empty()) return std::vector<bool>(tiers.size(), true);
    for (const Segment& s : segments)
        if (s.name == name) {
            std::vector<bool> mask(tiers.size(), false);
            for (std::size_t t = 0; t < tiers.size(); ++t) mask[t] = std::find(s.tiers.begin(), s.tiers.end(), tiers[t]) != s.tiers.end();
            return mask;
        }
    std::string names;
    for (const Segment& s : segments) names += (names.empty() ? "" : ", ") + s.name;
    throw InvalidInput(where, segments.empty() ? "no segment (the scenario has no population.segments)" : "one of: " + names, "\"" + name + "\"");
}

}  // namespace apmsim
