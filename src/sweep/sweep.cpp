// Sweep documents and their variants (sweep/sweep.hpp).
#include "apmsim/sweep/sweep.hpp"

#include "apmsim/core/json_pointer.hpp"

#include "apmsim/core/json_file.hpp"
#include "apmsim/scenario_json.hpp"

#include <cctype>
#include <cmath>
#include <filesystem>

namespace apmsim {

std::string to_string(SweepDesign d) {
    switch (d) {
        case SweepDesign::grid: return "grid";
        case SweepDesign::zip: return "zip";
        case SweepDesign::tornado: return "tornado";
    }
    return "?";
}
std::string to_string(SweepSeeds s) { return s == SweepSeeds::common ? "common" : "independent"; }

std::uint64_t json_hash(const Json& j) {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
    for (unsigned char c : j.dump()) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;  // SplitMix64's finish spreads the bits
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

namespace {

/// `{"from", "to", "steps", "scale"}`: steps values from `from` to `to`, evenly spaced
/// (or evenly in log for "log"); whole numbers when both ends are.
std::vector<Json> range_values(JsonObject r) {
    const double from = r.number("from"), to = r.number("to");
    const auto steps = r.count("steps", 100000);
    const std::string scale = r.string("scale", "linear");
    const bool whole = r.at("from").is_number_integer() && r.at("to").is_number_integer();
    r.finish({"from", "to", "steps", "scale"});
    if (steps < 2) throw InvalidInput(r.path("steps"), "at least 2 values", std::to_string(steps));
    if (scale != "linear" && scale != "log") throw InvalidInput(r.path("scale"), "\"linear\" or \"log\"", "\"" + scale + "\"");
    if (scale == "log" && !(from > 0 && to > 0)) throw InvalidInput(r.path("from"), "positive ends for a log scale", show(from) + " to " + show(to));
    std::vector<Json> out;
    for (std::uint64_t k = 0; k < steps; ++k) {
        const double u = static_cast<double>(k) / static_cast<double>(steps - 1);
        double x = scale == "log" ? std::exp(std::log(from) + u * (std::log(to) - std::log(from))) : from + u * (to - from);
        if (k == steps - 1) x = to;
        if (whole) {
            const auto n = static_cast<long long>(std::llround(x));
            if (!out.empty() && out.back().get<long long>() == n)
                throw InvalidInput(r.path("steps"), "whole-number values that differ (fewer steps)", std::to_string(steps) + " steps");
            out.emplace_back(n);
        } else {
            out.emplace_back(x);
        }
    }
    return out;
}

/// Two column names SQLite takes for the same column (identifiers ignore ASCII case).
bool same_column(const std::string& a, const std::string& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

/// `inner` points inside `outer` (or at it): an axis on `outer` overrides it, or it overrides part of `outer`.
bool points_inside(const std::string& inner, const std::string& outer) {
    return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 && inner[outer.size()] == '/';
}

/// The default column name of a pointer: its last token, or its last two when the last is an index.
std::string name_from_pointer(const std::string& pointer) {
    const auto slash = pointer.rfind('/');
    return slash == std::string::npos ? pointer : pointer.substr(slash + 1);
}

SweepAxis read_axis(JsonObject a, const Json& base) {
    SweepAxis axis;
    axis.pointer = a.string("pointer");
    (void)pointer_into(base, axis.pointer, a.path("pointer"), true);
    axis.name = a.string("name", name_from_pointer(axis.pointer));
    if (axis.name.empty()) throw InvalidInput(a.path("name"), "a non-empty column name", "\"\"");
    if (axis.name.find('\0') != std::string::npos)  // an SQL identifier cannot hold one (values can: they are bound)
        throw InvalidInput(a.path("name"), "a column name without NUL characters", "one with a NUL at character " + std::to_string(axis.name.find('\0')));
    for (const char* own : {"id", "parameters", "seed", "status", "finished", "seconds", "apmsim_version"})
        if (same_column(axis.name, own))
            throw InvalidInput(a.path("name"),
                               "a column name other than the variants table's own (id, parameters, seed, status, finished, seconds, "
                               "apmsim_version): give the axis a \"name\"",
                               "\"" + axis.name + "\"" + (a.has("name") ? "" : " (from its pointer)"));
    const Json& values = a.at("values");
    if (values.is_object()) {
        axis.values = range_values(JsonObject(values, a.path("values")));
    } else if (values.is_array()) {
        if (values.empty()) throw InvalidInput(a.path("values"), "at least one value", "an empty array");
        axis.values.assign(values.begin(), values.end());
    } else {
        throw InvalidInput(a.path("values"), "an array of values or {\"from\", \"to\", \"steps\"}", describe(values));
    }
    a.finish({"name", "pointer", "values"});
    // An axis that cannot change a result is a mistake, not a no-op.
    if (axis.pointer == "/settings/threads")
        throw InvalidInput(a.path("pointer"), "a term that changes results (the thread count never does)", "\"/settings/threads\"");
    if (axis.pointer == "/name")
        throw InvalidInput(a.path("pointer"), "a term that changes results (the scenario's name never does)", "\"/name\"");
    for (std::size_t i = 0; i < axis.values.size(); ++i)
        for (std::size_t k = 0; k < i; ++k)
            if (axis.values[i] == axis.values[k])
                throw InvalidInput(index_path(a.path("values"), i), "values that differ (the same value twice gives the same variant)",
                                   describe(axis.values[i]));
    return axis;
}

Json base_document(const Json& base, const std::string& folder, const std::string& where) {
    if (base.is_object()) return base;
    if (!base.is_string()) throw InvalidInput(where, "a scenario (an object) or the path of a scenario file", describe(base));
    std::filesystem::path file(base.get<std::string>());
    if (file.is_relative()) file = std::filesystem::path(folder) / file;
    return read_json_file(file.string(), "a base scenario file (JSON)");
}

}  // namespace

SweepDefinition sweep_from_json(const Json& j, const std::string& folder) {
    JsonObject o(j, "");
    SweepDefinition d;
    d.name = o.string("name", d.name);
    d.base = base_document(o.at("base"), folder, "base");
    const std::string design = o.string("design", "grid"), seeds = o.string("seeds", "common");
    if (design == "grid") d.design = SweepDesign::grid;
    else if (design == "zip") d.design = SweepDesign::zip;
    else if (design == "tornado") d.design = SweepDesign::tornado;
    else throw InvalidInput("design", "\"grid\", \"zip\" or \"tornado\"", describe(Json(design)));
    if (seeds == "common") d.seeds = SweepSeeds::common;
    else if (seeds == "independent") d.seeds = SweepSeeds::independent;
    else throw InvalidInput("seeds", "\"common\" or \"independent\"", describe(Json(seeds)));
    const Json& axes = o.at("axes");
    if (!axes.is_array() || axes.empty()) throw InvalidInput("axes", "a non-empty array of axes", describe(axes));
    for (std::size_t i = 0; i < axes.size(); ++i) {
        d.axes.push_back(read_axis(JsonObject(axes[i], index_path("axes", i)), d.base));
        for (std::size_t k = 0; k < i; ++k) {
            if (same_column(d.axes[k].name, d.axes[i].name))
                throw InvalidInput(index_path("axes", i) + ".name", "a name no other axis has (columns ignore case)",
                                   "\"" + d.axes[i].name + "\", as axes[" + std::to_string(k) + "]");
            if (d.axes[k].pointer == d.axes[i].pointer)
                throw InvalidInput(index_path("axes", i) + ".pointer", "a pointer no other axis has", "\"" + d.axes[i].pointer + "\"");
            if (points_inside(d.axes[i].pointer, d.axes[k].pointer) || points_inside(d.axes[k].pointer, d.axes[i].pointer))
                throw InvalidInput(index_path("axes", i) + ".pointer",
                                   "a pointer neither inside nor around another axis's (one would override the other's values)",
                                   "\"" + d.axes[i].pointer + "\", against axes[" + std::to_string(k) + "] \"" + d.axes[k].pointer + "\"");
        }
    }
    o.finish({"name", "base", "design", "seeds", "axes"});
    for (std::size_t i = 0; i < d.axes.size(); ++i) {
        const SweepAxis& a = d.axes[i];
        if (d.design == SweepDesign::zip && a.values.size() != d.axes[0].values.size())
            throw InvalidInput(index_path("axes", i) + ".values", std::to_string(d.axes[0].values.size()) + " values (zip: as many as axes[0])",
                               std::to_string(a.values.size()));
        if (d.design == SweepDesign::tornado && a.values.size() != 2)
            throw InvalidInput(index_path("axes", i) + ".values", "2 values, low and high (tornado)", std::to_string(a.values.size()));
        if (d.design == SweepDesign::tornado && !d.base.contains(Json::json_pointer(a.pointer)))
            throw InvalidInput(index_path("axes", i) + ".pointer", "a value the base scenario states (a tornado varies around it)",
                               "\"" + a.pointer + "\", which the base leaves at its default");
    }
    return d;
}

SweepDefinition load_sweep(const std::string& file) {
    const Json j = read_json_file(file, "a sweep file (JSON)");
    const auto folder = std::filesystem::path(file).parent_path();
    try {
        return sweep_from_json(j, folder.empty() ? "." : folder.string());
    } catch (const InvalidInput& e) {
        throw InvalidInput(file + ": " + e.where(), e.expected(), e.actual());
    }
}

Json sweep_to_json(const SweepDefinition& d) {
    Json axes = Json::array();
    for (const auto& a : d.axes) axes.push_back({{"name", a.name}, {"pointer", a.pointer}, {"values", a.values}});
    return {{"name", d.name}, {"base", d.base}, {"design", to_string(d.design)}, {"seeds", to_string(d.seeds)}, {"axes", axes}};
}

namespace {

/// The parameter sets of the design, one value index per axis (-1: the base's value).
std::vector<std::vector<long>> design_points(const SweepDefinition& d) {
    std::vector<std::vector<long>> points;
    const std::size_t A = d.axes.size();
    if (d.design == SweepDesign::zip) {
        for (std::size_t k = 0; k < d.axes[0].values.size(); ++k) points.emplace_back(A, static_cast<long>(k));
    } else if (d.design == SweepDesign::tornado) {
        points.emplace_back(A, -1);
        for (std::size_t a = 0; a < A; ++a)
            for (long side : {0L, 1L}) {
                points.emplace_back(A, -1);
                points.back()[a] = side;
            }
    } else {
        std::vector<long> index(A, 0);
        while (true) {
            points.push_back(index);
            std::size_t a = A;
            while (a > 0 && ++index[a - 1] == static_cast<long>(d.axes[a - 1].values.size())) index[--a] = 0;
            if (a == 0) break;
        }
    }
    return points;
}

}  // namespace

std::vector<Variant> expand(const SweepDefinition& d, std::uint64_t trials, std::uint64_t calibration_trials) {
    std::vector<Variant> out;
    const std::vector<std::vector<long>> points = design_points(d);
    constexpr std::size_t max_variants = 100000;
    if (points.size() > max_variants)
        throw InvalidInput("axes", "at most " + std::to_string(max_variants) + " variants", std::to_string(points.size()));
    for (std::size_t a = 0; a < d.axes.size(); ++a)  // an axis the run's own setting would override has no effect
        for (const auto& [pointer, given] : {std::pair{"/settings/trials", trials != 0}, {"/settings/calibration_trials", calibration_trials != 0}})
            if (given && (d.axes[a].pointer == pointer || points_inside(pointer, d.axes[a].pointer)))
                throw InvalidInput(index_path("axes", a) + ".pointer",
                                   std::string("a term the run does not set for every variant (") + pointer +
                                       " is given to the run: --trials or --calibration-trials)",
                                   "\"" + d.axes[a].pointer + "\"");
    for (const auto& point : points) {
        Variant v;
        v.id = out.size();
        v.document = d.base;
        Json parameters = Json::object();
        for (std::size_t a = 0; a < d.axes.size(); ++a) {
            const Json::json_pointer p(d.axes[a].pointer);
            const Json value = point[a] < 0 ? d.base.at(p) : d.axes[a].values[static_cast<std::size_t>(point[a])];
            v.document[p] = value;
            v.parameters.push_back({d.axes[a].name, value});
            parameters[d.axes[a].pointer] = value;
        }
        std::string label;
        for (const auto& p : v.parameters) label += (label.empty() ? "" : ", ") + p.axis + "=" + p.value.dump();
        try {
            Scenario s = scenario_from_json(v.document);
            if (trials != 0) s.settings.trials = trials;
            if (calibration_trials != 0) s.settings.calibration_trials = calibration_trials;
            if (d.seeds == SweepSeeds::independent) s.settings.seed = json_hash(Json{{"base_seed", s.settings.seed}, {"parameters", parameters}});
            s.validate();
            v.seed = s.settings.seed;
            v.document = scenario_to_json(s);
        } catch (const InvalidInput& e) {
            throw InvalidInput("variant " + std::to_string(v.id) + " (" + label + "): " + e.where(), e.expected(), e.actual());
        }
        out.push_back(std::move(v));
    }
    return out;
}

Scenario variant_scenario(const Variant& v) { return scenario_from_json(v.document); }

}  // namespace apmsim
