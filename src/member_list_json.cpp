// A scenario's member list read with every problem reported (member_list_json.hpp).
#include "apmsim/member_list_json.hpp"


#include <unordered_map>

namespace apmsim {
namespace {

/// Collects the problems of one member list, up to max_member_list_problems of them.
class ProblemList {
public:
    ProblemList(std::vector<InvalidInput>& out, std::string path) : out_(out), path_(std::move(path)) {}
    ProblemList(const ProblemList&) = delete;
    ProblemList& operator=(const ProblemList&) = delete;
    ~ProblemList() {
        if (left_out_ > 0)
            out_.emplace_back(path_, "at most " + std::to_string(max_member_list_problems) + " problems listed",
                              std::to_string(left_out_) + " more problems, not listed");
    }
    /// Runs `read`; a problem it throws is listed (or counted). True when it passed.
    template <class Read>
    bool check(Read read) {
        try {
            read();
            return true;
        } catch (const InvalidInput& e) {
            if (listed_ < max_member_list_problems) {
                out_.push_back(e);
                ++listed_;
            } else {
                ++left_out_;
            }
            return false;
        }
    }
    bool clean() const { return listed_ == 0; }

private:
    std::vector<InvalidInput>& out_;
    std::string path_;
    std::size_t listed_ = 0, left_out_ = 0;
};

/// An optional column of one value per member; null when absent or of the wrong shape.
const Json* member_column(JsonObject& o, const char* key, std::size_t n, ProblemList& problems) {
    if (!o.has(key)) return nullptr;
    const Json& c = o.at(key);
    const bool ok = problems.check([&] {
        if (!c.is_array() || c.size() != n)
            throw InvalidInput(o.path(key), "an array of " + std::to_string(n) + " values (one per member)", describe(c));
    });
    return ok ? &c : nullptr;
}

void read_ids(JsonObject& o, std::size_t n, Population& p, ProblemList& problems) {
    const Json* id = member_column(o, "id", n, problems);
    std::unordered_map<std::int64_t, std::size_t> first_use;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string at = index_path(o.path("id"), i);
        std::int64_t v = static_cast<std::int64_t>(i + 1);
        if (id && !problems.check([&] { v = static_cast<std::int64_t>(json_count((*id)[i], at, 1ull << 53)); })) continue;
        p.id.push_back(v);
        const auto use = first_use.try_emplace(v, i);  // not a structured binding: clang 14 cannot capture one
        problems.check([&] {
            if (!use.second)
                throw InvalidInput(at, "an id no other member has", std::to_string(v) + ", the id of member " + std::to_string(use.first->second));
        });
    }
}

void read_months(JsonObject& o, std::size_t n, int years, Population& p, ProblemList& problems) {
    p.months.assign(n * static_cast<std::size_t>(years), 12);
    if (!o.has("months")) return;
    const Json& mo = o.at("months");
    const std::string path = o.path("months");
    auto read = [&](const Json& v, const std::string& at, std::size_t from, std::size_t count) {
        problems.check([&] { std::fill_n(p.months.begin() + static_cast<std::ptrdiff_t>(from), count, static_cast<std::uint8_t>(json_count(v, at, 12))); });
    };
    if (mo.is_number()) return read(mo, path, 0, p.months.size());
    if (!problems.check([&] {
            if (!mo.is_array() || mo.size() != n) throw InvalidInput(path, "a number or an array of " + std::to_string(n) + " entries", describe(mo));
        }))
        return;
    const auto y = static_cast<std::size_t>(years);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string at = index_path(path, i);
        if (!mo[i].is_array()) {
            read(mo[i], at, i * y, y);
        } else if (problems.check([&] {
                       if (mo[i].size() != y) throw InvalidInput(at, std::to_string(years) + " values (one per year)", describe(mo[i]));
                   })) {
            for (std::size_t k = 0; k < y; ++k) read(mo[i][k], index_path(at, k), i * y + k, 1);
        }
    }
}

}  // namespace

Population read_member_list(JsonObject& o, const std::vector<std::string>& tiers, int years, std::vector<InvalidInput>& out) {
    ProblemList problems(out, o.path());
    Population p;
    p.years = years;
    const Json& tier = o.at("tier");
    const std::string tpath = o.path("tier");
    if (!problems.check([&] {
            if (!tier.is_array() || tier.empty()) throw InvalidInput(tpath, "a non-empty array of tier names", describe(tier));
        }))
        return p;
    const std::size_t n = tier.size();
    for (std::size_t i = 0; i < n; ++i)
        problems.check([&] {
            const std::string at = index_path(tpath, i);
            p.tier.push_back(static_cast<std::uint16_t>(require_name(tiers, json_string(tier[i], at), at, "tier")));
        });
    read_ids(o, n, p, problems);
    const Json* age = member_column(o, "age_band", n, problems);
    const Json* sex = member_column(o, "sex", n, problems);
    const Json* risk = member_column(o, "risk_score", n, problems);
    for (std::size_t i = 0; i < n; ++i) {
        problems.check([&] { p.age_band.push_back(age ? json_string((*age)[i], index_path(o.path("age_band"), i)) : "unknown"); });
        problems.check([&] { p.sex.push_back(sex ? json_string((*sex)[i], index_path(o.path("sex"), i)) : "U"); });
        problems.check([&] { p.risk_score.push_back(risk ? json_number((*risk)[i], index_path(o.path("risk_score"), i)) : 1.0); });
    }
    read_months(o, n, years, p, problems);
    problems.check([&] { o.finish({"id", "tier", "age_band", "sex", "risk_score", "months"}); });
    if (problems.clean())  // every column read: each member's values in range
        for (std::size_t i = 0; i < n; ++i) problems.check([&] { p.validate_member(i, o.path(), tiers.size()); });
    return p;
}

Population members_from_json(JsonObject& o, const std::vector<std::string>& tiers, int years) {
    std::vector<InvalidInput> problems;
    Population p = read_member_list(o, tiers, years, problems);
    if (!problems.empty()) throw problems.front();
    return p;
}

}  // namespace apmsim
