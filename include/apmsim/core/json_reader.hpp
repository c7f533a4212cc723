#pragma once
/// \file json_reader.hpp
/// \brief Reading JSON objects with errors that name the JSON path, the expected and
/// the actual value, and that reject keys nobody asked for (typos are errors).

#include "apmsim/core/errors.hpp"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <utility>
#include <string>
#include <vector>

namespace apmsim {

/// Ordered, so tiers, categories and program components keep the order of the file.
using Json = nlohmann::ordered_json;

/// A short description of a JSON value for error messages.
inline std::string describe(const Json& j) {
    std::string text = j.dump();
    if (text.size() > 60) {
        std::size_t cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
        text = text.substr(0, cut) + "...";
    }
    return std::string(j.type_name()) + " " + text;
}

inline std::string join_path(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}
inline std::string index_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

/// The index of `name` among `names` (tiers, categories...); an error at `path` listing
/// them when it is none of them. `what` names one ("tier").
inline int require_name(const std::vector<std::string>& names, const std::string& name, const std::string& path, const char* what) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<int>(i);
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    throw InvalidInput(path, std::string("a ") + what + " (" + all + ")", "\"" + name + "\"");
}

inline double json_number(const Json& j, const std::string& path) {
    if (!j.is_number()) throw InvalidInput(path, "a number", describe(j));
    const double v = j.get<double>();
    if (!std::isfinite(v)) throw InvalidInput(path, "a number within the range of a double (about 1.8e308)", "a larger number");
    return v;
}
inline std::string json_string(const Json& j, const std::string& path) {
    if (!j.is_string()) throw InvalidInput(path, "a string", describe(j));
    return j.get<std::string>();
}
inline std::uint64_t json_count(const Json& j, const std::string& path, std::uint64_t max) {
    if (!j.is_number()) throw InvalidInput(path, "a whole number", describe(j));
    const double v = j.get<double>();
    if (!(v >= 0.0 && v <= static_cast<double>(max)))
        throw InvalidInput(path, "a whole number from 0 to " + std::to_string(max), describe(j));
    if (!j.is_number_integer() && v != std::floor(v)) throw InvalidInput(path, "a whole number", describe(j));
    return j.is_number_unsigned() ? j.get<std::uint64_t>() : static_cast<std::uint64_t>(v);
}
inline std::vector<double> json_numbers(const Json& j, const std::string& path) {
    if (!j.is_array()) throw InvalidInput(path, "an array of numbers", describe(j));
    std::vector<double> out;
    for (std::size_t i = 0; i < j.size(); ++i) out.push_back(json_number(j[i], index_path(path, i)));
    return out;
}

/// Keys renamed in version 0.2 (docs/glossary.md): a document that still uses an old key
/// gets an error naming the new one.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 6> renamed_keys = {{
    {"paid_to", "party"},                                 // capitation, care_management_fee, shared_savings, shared_risk
    {"insured", "party"},                                 // specific_stop_loss, aggregate_stop_loss
    {"costs_pmpm", "program_cost_pmpm"},                  // intervention
    {"program_costs_borne_by", "program_cost_borne_by"},  // delivery
    {"return", "quality"},                                // quality_withhold (a Python keyword), as shared savings
    {"threshold", "quality_threshold"},                   // quality_withhold
}};

/// An object being read. Call finish() when done: any key not read is an error.
class JsonObject {
public:
    JsonObject(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j.is_object()) throw InvalidInput(path_.empty() ? "(top level)" : path_, "an object", describe(j));
    }

    const std::string& path() const { return path_; }
    std::string path(const std::string& key) const { return join_path(path_, key); }
    bool has(const std::string& key) const { return j_.contains(key); }

    const Json& at(const std::string& key) {
        if (!j_.contains(key)) throw InvalidInput(path(key), "a value (required key)", "nothing");
        used_.insert(key);
        return j_.at(key);
    }
    JsonObject object(const std::string& key) { return JsonObject(at(key), path(key)); }
    double number(const std::string& key) { return json_number(at(key), path(key)); }
    double number(const std::string& key, double fallback) { return has(key) ? number(key) : fallback; }
    std::string string(const std::string& key) { return json_string(at(key), path(key)); }
    std::string string(const std::string& key, const std::string& fallback) { return has(key) ? string(key) : fallback; }
    bool boolean(const std::string& key, bool fallback) {
        if (!has(key)) return fallback;
        const Json& v = at(key);
        if (!v.is_boolean()) throw InvalidInput(path(key), "true or false", describe(v));
        return v.get<bool>();
    }
    std::uint64_t count(const std::string& key, std::uint64_t max) { return json_count(at(key), path(key), max); }
    std::uint64_t count(const std::string& key, std::uint64_t max, std::uint64_t fallback) {
        return has(key) ? count(key, max) : fallback;
    }
    std::vector<std::string> keys() const {
        std::vector<std::string> k;
        for (auto it = j_.begin(); it != j_.end(); ++it) k.push_back(it.key());
        return k;
    }
    /// Marks every key as read (for objects whose keys are names, read via keys()).
    void use_all() {
        for (auto it = j_.begin(); it != j_.end(); ++it) used_.insert(it.key());
    }

    void finish(const std::vector<std::string>& allowed_hint = {}) const {
        for (auto it = j_.begin(); it != j_.end(); ++it) {
            if (used_.count(it.key())) continue;
            for (const auto& [old_key, new_key] : renamed_keys)
                if (it.key() == old_key)
                    throw InvalidInput(path(it.key()), "\"" + std::string(new_key) + "\" (renamed from \"" + it.key() + "\" in version 0.2)",
                                       "the old key \"" + it.key() + "\"");
            std::string expected = "no other keys";
            if (!allowed_hint.empty()) {
                expected = "one of: ";
                for (std::size_t i = 0; i < allowed_hint.size(); ++i) expected += (i ? ", " : "") + allowed_hint[i];
            }
            throw InvalidInput(path(it.key()), expected, "unknown key \"" + it.key() + "\"");
        }
    }

private:
    const Json& j_;
    std::string path_;
    std::set<std::string> used_;
};

/// Runs `make()`, a constructor that validates itself with errors located as
/// "Type.parameter", and re-throws them located at `path`.parameter.
template <class Make>
auto at_json_path(const std::string& path, Make make) -> decltype(make()) {
    try {
        return make();
    } catch (const InvalidInput& e) {
        const std::string& w = e.where();
        const auto dot = w.rfind('.');
        throw InvalidInput(join_path(path, dot == std::string::npos ? w : w.substr(dot + 1)), e.expected(), e.actual());
    }
}

}  // namespace apmsim
