#pragma once
/// \file column_map.hpp
/// \brief How a program's extracts name their columns and codes: which column of the
/// members (eligibility) file and of the claims file holds each field, which source
/// values map to the cost model's tiers and categories, and which adjustment values mark
/// a reversal. The defaults are the names `apmsim synth` writes, so its files need no map.
///
/// Mapping JSON (every key optional; docs/claims-data.md):
///   {"members": {"member_id": "MBR_ID", "tier": "ACUITY", ...},
///    "claims": {"category": "REV_CODE", "allowed": "ALLOWED_AMT", ...},
///    "tiers": {"1": "A", "2": "B"},                   source value -> tier
///    "categories": {"0450": "emergency", ...},        source code -> category
///    "reversal_values": ["R", "reversal"]}
/// Without a "tiers" or "categories" map a value stands for itself.

#include "apmsim/core/json_reader.hpp"

#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace apmsim::claims {

struct MemberColumns {
    std::string member_id = "member_id";
    std::string birth_date = "birth_date";  ///< optional column
    std::string sex = "sex";                ///< optional column
    std::string tier = "tier";
    std::string risk_score = "risk_score";  ///< optional column
    std::string enrolment_start = "enrolment_start";
    std::string enrolment_end = "enrolment_end";  ///< the last day enrolled (inclusive)
};

struct ClaimColumns {
    std::string claim_id = "claim_id";
    std::string line = "line";              ///< optional column: without it, one line per claim
    std::string member_id = "member_id";
    std::string service_date = "service_date";
    std::string paid_date = "paid_date";
    std::string category = "category";      ///< or a code column mapped by `categories`
    std::string allowed = "allowed";
    std::string paid = "paid";              ///< optional column
    std::string adjustment = "adjustment";  ///< optional column
};

struct ColumnMap {
    MemberColumns members;
    ClaimColumns claims;
    std::map<std::string, std::string, std::less<>> tiers;       ///< source value -> tier; empty: identity
    std::map<std::string, std::string, std::less<>> categories;  ///< source code -> category; empty: identity
    std::vector<std::string> reversal_values{"reversal", "R"};

    /// The tier / category a source value maps to, or none when a map is given and does
    /// not hold it (without a map the value itself).
    std::optional<std::string> tier_of(std::string_view value) const { return lookup(tiers, value); }
    std::optional<std::string> category_of(std::string_view value) const { return lookup(categories, value); }
    bool is_reversal(std::string_view value) const {
        for (const auto& r : reversal_values)
            if (value == r) return true;
        return false;
    }

    /// The map of a mapping JSON document (file comment); errors name the JSON path.
    static ColumnMap from_json(const Json& j, const std::string& path = "") {
        JsonObject o(j, path);
        ColumnMap m;
        if (o.has("members")) {
            JsonObject c = o.object("members");
            auto& mc = m.members;
            read_names(c, {{"member_id", &mc.member_id}, {"birth_date", &mc.birth_date}, {"sex", &mc.sex}, {"tier", &mc.tier},
                           {"risk_score", &mc.risk_score}, {"enrolment_start", &mc.enrolment_start}, {"enrolment_end", &mc.enrolment_end}});
        }
        if (o.has("claims")) {
            JsonObject c = o.object("claims");
            auto& cc = m.claims;
            read_names(c, {{"claim_id", &cc.claim_id}, {"line", &cc.line}, {"member_id", &cc.member_id}, {"service_date", &cc.service_date},
                           {"paid_date", &cc.paid_date}, {"category", &cc.category}, {"allowed", &cc.allowed}, {"paid", &cc.paid},
                           {"adjustment", &cc.adjustment}});
        }
        if (o.has("tiers")) m.tiers = read_code_map(o.object("tiers"));
        if (o.has("categories")) m.categories = read_code_map(o.object("categories"));
        if (o.has("reversal_values")) {
            const Json& a = o.at("reversal_values");
            if (!a.is_array()) throw InvalidInput(o.path("reversal_values"), "an array of strings", describe(a));
            m.reversal_values.clear();
            for (std::size_t i = 0; i < a.size(); ++i) m.reversal_values.push_back(json_string(a[i], index_path(o.path("reversal_values"), i)));
        }
        o.finish({"members", "claims", "tiers", "categories", "reversal_values"});
        return m;
    }

private:
    static std::optional<std::string> lookup(const std::map<std::string, std::string, std::less<>>& map, std::string_view value) {
        if (map.empty()) return std::string(value);
        const auto it = map.find(value);
        if (it == map.end()) return std::nullopt;
        return it->second;
    }
    static void read_names(JsonObject& o, std::initializer_list<std::pair<const char*, std::string*>> fields) {
        std::vector<std::string> allowed;
        for (const auto& [key, target] : fields) {
            allowed.emplace_back(key);
            if (!o.has(key)) continue;
            *target = o.string(key);
            if (target->empty()) throw InvalidInput(o.path(key), "a column name", "\"\"");
        }
        o.finish(allowed);
    }
    static std::map<std::string, std::string, std::less<>> read_code_map(JsonObject o) {
        std::map<std::string, std::string, std::less<>> map;
        for (const auto& key : o.keys()) {
            std::string target = o.string(key);
            if (target.empty()) throw InvalidInput(o.path(key), "a non-empty name", "\"\"");
            map.emplace(key, std::move(target));
        }
        return map;
    }
};

}  // namespace apmsim::claims
