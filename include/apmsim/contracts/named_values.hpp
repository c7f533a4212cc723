#pragma once
/// \file named_values.hpp
/// \brief A number per category or per tier, written in JSON as one number for all,
/// or as an object {name: number} (with an optional "default").

#include "apmsim/core/json_reader.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace apmsim {

struct NamedValues {
    std::optional<double> fallback;                       ///< value for names not listed
    std::vector<std::pair<std::string, double>> by_name;  ///< explicit values, in order

    static NamedValues all(double v) { return NamedValues{v, {}}; }

    /// The value for each of `names`; unknown names in by_name, and names without a
    /// value when there is no fallback, are errors located at `where`.
    std::vector<double> resolve(const std::vector<std::string>& names, const std::string& where, const char* what) const {
        for (const auto& [name, v] : by_name) {
            bool known = false;
            for (const auto& n : names) known = known || n == name;
            if (!known) {
                std::string all;
                for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
                throw InvalidInput(join_path(where, name), std::string("a ") + what + " of the cost model (" + all + ")",
                                   "\"" + name + "\"");
            }
        }
        std::vector<double> out;
        for (const auto& n : names) {
            std::optional<double> v = fallback;
            for (const auto& [name, x] : by_name)
                if (name == n) v = x;
            if (!v) throw InvalidInput(join_path(where, n), std::string("a value for every ") + what, "none for \"" + n + "\"");
            out.push_back(*v);
        }
        return out;
    }

    /// Applies `check(where, value)` to every value given.
    template <class Check>
    void validate(const std::string& where, Check check) const {
        if (fallback) check(by_name.empty() ? where : join_path(where, "default"), *fallback);
        for (const auto& [name, v] : by_name) check(join_path(where, name), v);
    }

    static NamedValues from_json(const Json& j, const std::string& path) {
        NamedValues out;
        if (j.is_number()) {
            out.fallback = j.get<double>();
            return out;
        }
        if (!j.is_object()) throw InvalidInput(path, "a number or an object {name: number}", describe(j));
        for (auto it = j.begin(); it != j.end(); ++it) {
            const double v = json_number(it.value(), join_path(path, it.key()));
            if (it.key() == "default") out.fallback = v;
            else out.by_name.emplace_back(it.key(), v);
        }
        return out;
    }

    Json to_json() const {
        if (by_name.empty() && fallback) return *fallback;
        Json j = Json::object();
        for (const auto& [name, v] : by_name) j[name] = v;
        if (fallback) j["default"] = *fallback;
        return j;
    }

    bool operator==(const NamedValues&) const = default;
};

}  // namespace apmsim

namespace apmsim {

/// A list of names (categories): "all" or an array of strings; "all" reads as empty.
inline std::vector<std::string> names_from_json(const Json& j, const std::string& path) {
    if (j.is_string() && j.get<std::string>() == "all") return {};
    if (!j.is_array()) throw InvalidInput(path, "\"all\" or an array of names", describe(j));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < j.size(); ++i) out.push_back(json_string(j[i], index_path(path, i)));
    if (out.empty()) throw InvalidInput(path, "at least one name (or \"all\")", "an empty array");
    return out;
}
inline Json names_to_json(const std::vector<std::string>& names) { return names.empty() ? Json("all") : Json(names); }

}  // namespace apmsim
