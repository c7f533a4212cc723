// JSON factory for frequency and severity distributions: one entry per type.
#include "apmsim/distributions/json.hpp"

#include <functional>
#include <map>

namespace apmsim {
namespace {

/// Reads either the native parameters or (where the type has it) "mean" and "cv".
template <class D>
D native_or_mean_cv(JsonObject& o, const std::function<D(JsonObject&)>& native) {
    if (o.has("cv")) {
        const double mean = o.number("mean"), cv = o.number("cv");
        return at_json_path(o.path(), [&] { return D::from_mean_cv(mean, cv); });
    }
    return native(o);
}

template <class Variant>
using Factory = std::function<Variant(JsonObject&)>;

const std::map<std::string, Factory<Frequency>>& frequency_factories() {
    static const std::map<std::string, Factory<Frequency>> f = {
        {"poisson", [](JsonObject& o) -> Frequency {
             const double m = o.number("mean");
             return at_json_path(o.path(), [&] { return Poisson(m); });
         }},
        {"negative_binomial", [](JsonObject& o) -> Frequency {
             return native_or_mean_cv<NegativeBinomial>(o, [](JsonObject& p) {
                 const double m = p.number("mean"), r = p.number("dispersion");
                 return at_json_path(p.path(), [&] { return NegativeBinomial(m, r); });
             });
         }},
        {"binomial", [](JsonObject& o) -> Frequency {
             const double n = o.number("n"), p = o.number("p");
             return at_json_path(o.path(), [&] { return Binomial(n, p); });
         }},
        {"zero_modified_poisson", [](JsonObject& o) -> Frequency {
             const double m = o.number("mean"), p0 = o.number("p0");
             return at_json_path(o.path(), [&] { return ZeroModifiedPoisson(m, p0); });
         }},
    };
    return f;
}

template <class D>
Factory<Severity> two_parameter(const char* a, const char* b) {
    return [a, b](JsonObject& o) -> Severity {
        return native_or_mean_cv<D>(o, [a, b](JsonObject& p) {
            const double x = p.number(a), y = p.number(b);
            return at_json_path(p.path(), [&] { return D(x, y); });
        });
    };
}

const std::map<std::string, Factory<Severity>>& severity_factories() {
    static const std::map<std::string, Factory<Severity>> f = {
        {"lognormal", two_parameter<Lognormal>("mu", "sigma")},
        {"gamma", two_parameter<Gamma>("shape", "scale")},
        {"weibull", two_parameter<Weibull>("shape", "scale")},
        {"pareto", two_parameter<Pareto>("shape", "scale")},
        {"spliced_lognormal_pareto", [](JsonObject& o) -> Severity {
             const double mu = o.number("mu"), sigma = o.number("sigma"), t = o.number("threshold"),
                          xi = o.number("tail_shape"), beta = o.number("tail_scale");
             std::optional<double> w;
             if (o.has("body_weight")) w = o.number("body_weight");
             return at_json_path(o.path(), [&] { return SplicedLognormalPareto(mu, sigma, t, xi, beta, w); });
         }},
    };
    return f;
}

template <class Variant>
Variant from_json(const Json& j, const std::string& path, const std::map<std::string, Factory<Variant>>& factories) {
    JsonObject o(j, path);
    const std::string type = o.string("type");
    const auto it = factories.find(type);
    if (it == factories.end()) {
        std::string names;
        for (const auto& [name, _] : factories) names += (names.empty() ? "" : ", ") + name;
        throw InvalidInput(o.path("type"), "one of: " + names, "\"" + type + "\"");
    }
    Variant v = it->second(o);
    o.finish();
    return v;
}

}  // namespace

Frequency frequency_from_json(const Json& j, const std::string& path) {
    return from_json<Frequency>(j, path, frequency_factories());
}
Severity severity_from_json(const Json& j, const std::string& path) {
    return from_json<Severity>(j, path, severity_factories());
}

Json to_json(const Frequency& f) {
    return std::visit(
        [](const auto& d) -> Json {
            using D = std::decay_t<decltype(d)>;
            Json j = {{"type", D::type_name}};
            if constexpr (std::is_same_v<D, Poisson>) j["mean"] = d.mean();
            if constexpr (std::is_same_v<D, NegativeBinomial>) j["mean"] = d.mean(), j["dispersion"] = d.dispersion();
            if constexpr (std::is_same_v<D, Binomial>) j["n"] = d.n(), j["p"] = d.p();
            if constexpr (std::is_same_v<D, ZeroModifiedPoisson>) j["mean"] = d.poisson_mean(), j["p0"] = d.p0();
            return j;
        },
        f);
}

Json to_json(const Severity& s) {
    return std::visit(
        [](const auto& d) -> Json {
            using D = std::decay_t<decltype(d)>;
            Json j = {{"type", D::type_name}};
            if constexpr (std::is_same_v<D, Lognormal>) j["mu"] = d.mu(), j["sigma"] = d.sigma();
            if constexpr (std::is_same_v<D, Gamma> || std::is_same_v<D, Weibull> || std::is_same_v<D, Pareto>)
                j["shape"] = d.shape(), j["scale"] = d.scale();
            if constexpr (std::is_same_v<D, SplicedLognormalPareto>) {
                j["mu"] = d.mu();
                j["sigma"] = d.sigma();
                j["threshold"] = d.threshold();
                j["tail_shape"] = d.tail_shape();
                j["tail_scale"] = d.tail_scale();
                j["body_weight"] = d.body_weight();
            }
            return j;
        },
        s);
}

}  // namespace apmsim
