// libFuzzer target for frequency and severity documents (distributions/json.hpp). Any
// JSON must give a distribution or InvalidInput; an accepted one writes back to a
// document that reads to the same distribution, and its moments, distribution function,
// quantiles and limited expected values keep their promises (finite or +inf means,
// probabilities in [0, 1], non-decreasing quantiles, E[min(X, u)] <= E[X]).
// Build and run: scripts/fuzz.sh fuzz_distribution (the test suite replays tests/fuzz/corpus).
#include "apmsim/core/json_file.hpp"
#include "apmsim/distributions/distribution.hpp"
#include "apmsim/distributions/json.hpp"

#include "fuzz_support.hpp"

#include <cmath>
#include <optional>

namespace {

bool probability(double p) { return p >= 0.0 && p <= 1.0; }

void check(const apmsim::Severity& s) {
    const double m = apmsim::mean(s);
    if (std::isnan(m) || m <= 0.0) fuzz::broken("a severity's mean is positive (or +inf)");
    double last = 0.0;
    for (const double p : {1e-9, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-9}) {
        const double q = apmsim::quantile(s, p);
        if (std::isnan(q) || q < last) fuzz::broken("severity quantiles are non-decreasing");
        if (std::isfinite(q) && !probability(apmsim::cdf(s, q))) fuzz::broken("a severity's cdf is in [0, 1]");
        last = q;
    }
    const double median = apmsim::quantile(s, 0.5);
    if (std::isfinite(median)) {
        const double lev = apmsim::limited_expected_value(s, median);
        if (std::isnan(lev) || lev < 0.0 || lev > median * (1 + 1e-9) || lev > m * (1 + 1e-9))
            fuzz::broken("0 <= E[min(X, u)] <= min(u, E[X])");
    }
}

void check(const apmsim::Frequency& f) {
    const double m = apmsim::mean(f), v = apmsim::variance(f);
    if (!(m >= 0.0) || !(v >= 0.0)) fuzz::broken("a frequency's mean and variance are >= 0");
    double last = 0.0;
    for (const double x : {0.0, 1.0, 2.0, 5.0, 50.0}) {
        const double c = apmsim::cdf(f, x);
        if (!probability(c) || c < last) fuzz::broken("a frequency's cdf is non-decreasing in [0, 1]");
        last = c;
    }
}

template <class D, class Read>
void round_trip(const apmsim::Json& document, Read read) {
    std::optional<D> d;
    if (!fuzz::accepted([&] { d.emplace(read(document, "fuzz")); })) return;
    check(*d);
    const apmsim::Json written = apmsim::to_json(*d);
    apmsim::Json again;
    if (!fuzz::accepted([&] { again = apmsim::to_json(read(written, "fuzz")); })) fuzz::broken("a written distribution reads back");
    if (again != written) fuzz::broken("a distribution written, read and written again is the same document");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    apmsim::Json document;
    if (!fuzz::accepted([&] { document = apmsim::parse_json_text(fuzz::text(data, size), "<fuzz>"); })) return 0;
    round_trip<apmsim::Severity>(document, apmsim::severity_from_json);
    round_trip<apmsim::Frequency>(document, apmsim::frequency_from_json);
    return 0;
}
