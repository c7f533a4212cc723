#pragma once
/// \file distribution.hpp
/// \brief Closed sets of frequency and severity types as std::variant, so the
/// engine dispatches once per member-category (std::visit) and never per event.
///
/// Adding a type: its header, one entry in the variant below, one entry in the JSON
/// factory (src/distributions/json.cpp) and one binding line (python/bind_distributions.cpp).

#include "apmsim/distributions/binomial.hpp"
#include "apmsim/distributions/gamma.hpp"
#include "apmsim/distributions/lognormal.hpp"
#include "apmsim/distributions/negative_binomial.hpp"
#include "apmsim/distributions/pareto.hpp"
#include "apmsim/distributions/poisson.hpp"
#include "apmsim/distributions/spliced_lognormal_pareto.hpp"
#include "apmsim/distributions/weibull.hpp"
#include "apmsim/distributions/zero_modified_poisson.hpp"

#include <string>
#include <variant>

namespace apmsim {

using Frequency = std::variant<Poisson, NegativeBinomial, Binomial, ZeroModifiedPoisson>;
using Severity = std::variant<Lognormal, Gamma, Weibull, Pareto, SplicedLognormalPareto>;

template <class... T>
std::string type_name(const std::variant<T...>& d) {
    return std::visit([](const auto& x) { return std::string(x.type_name); }, d);
}
template <class... T>
double mean(const std::variant<T...>& d) {
    return std::visit([](const auto& x) { return x.mean(); }, d);
}
template <class... T>
double variance(const std::variant<T...>& d) {
    return std::visit([](const auto& x) { return x.variance(); }, d);
}
template <class... T>
double cdf(const std::variant<T...>& d, double x) {
    return std::visit([x](const auto& v) { return v.cdf(x); }, d);
}
template <class... T>
double quantile(const std::variant<T...>& d, double p) {
    return std::visit([p](const auto& v) { return v.quantile(p); }, d);
}
template <class... T>
double limited_expected_value(const std::variant<T...>& d, double u) {
    return std::visit([u](const auto& v) { return v.limited_expected_value(u); }, d);
}
/// E[X^2] of a severity, from its mean and variance.
inline double second_moment(const Severity& d) {
    const double m = mean(d);
    return variance(d) + m * m;
}

}  // namespace apmsim
