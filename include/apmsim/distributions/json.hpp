#pragma once
/// \file json.hpp
/// \brief Frequency and severity distributions read from and written to JSON.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/distributions/distribution.hpp"

#include <string>

namespace apmsim {

/// {"type": "negative_binomial", "mean": 1.6, "dispersion": 1.0}, or a type's mean/cv form.
Frequency frequency_from_json(const Json& j, const std::string& path);
/// {"type": "lognormal", "mu": 9, "sigma": 1.2} or {"type": "lognormal", "mean": 26000, "cv": 2.5}.
Severity severity_from_json(const Json& j, const std::string& path);
Json to_json(const Frequency& f);
Json to_json(const Severity& s);

}  // namespace apmsim
